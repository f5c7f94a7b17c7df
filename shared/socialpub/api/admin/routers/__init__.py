"""The admin plane's routers: admin.py (the one AdminFunction serves) includes the others."""
