"""Pizzly's API on Pizzly's own paths (seeds/001): /api/{integration} and its configurations and
authentications, in routers/integrations.py (the registry's "integrations", IntegrationsFunction,
functions/integrations/), with Pizzly's shapes in schemas.py. It authenticates with the main API's
keys (api/main/auth.py) and answers errors in the main API's envelope, so its error table
(errors.py) is the main API's. Importing this package imports none of its modules."""
