"""The HTTP edge. One folder per surface, each with its routers and its one error table (errors.py):

- main/: the main API, /api/... (seeds/000): routers/, schemas/, auth.py, envelope.py, errors.py
- admin/: the admin plane, /admin (seeds/000): routers/, schemas.py, auth.py (JWT), errors.py (the main table)
- pizzly/: Pizzly's /api/{integration} (seeds/001): routers/, schemas.py, errors.py (the main table)
- postsider/: PostSider's /public/v1 (seeds/002): a sub-application with its own auth.py and errors.py

Shared by all of them, here: app_factory.py (an app from routers), container.py, middleware.py,
lambda_entry.py, and registry.py (every router, by the name of the function that serves it).
"""
