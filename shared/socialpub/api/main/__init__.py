"""The main API (seeds/000): /api/workspaces, /api/accounts, /api/posts, /api/media, /api/schedules,
/api/analytics and /api/platforms, one router each in routers/ (functions/<name>/, <Name>Function),
their request and response models in schemas/, API-key auth (auth.py), Idempotency-Key (idempotency.py),
the envelope (envelope.py) and its one error table (errors.py), which the admin plane (api/admin/) and
Pizzly's paths (api/pizzly/) answer with too. Importing this package imports none of its modules."""
