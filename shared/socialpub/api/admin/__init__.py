"""The admin plane (seeds/000, its Admin sections): /admin, JWT-authenticated in the function
(auth.py), served by AdminFunction (functions/admin/). routers/admin.py is the router the registry
maps to "admin" (login, logout, profile, dashboard, stats, audit, health) and includes keys.py,
users.py and webhooks.py; request and response models in schemas.py. It answers in the main API's
envelope, so its error table (errors.py) is the main API's. Importing this package imports none of
its modules."""
