"""Pizzly's router: integrations.py, served by IntegrationsFunction."""
