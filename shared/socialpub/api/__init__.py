"""The HTTP edge: routers, the app factory, the error table, and the Lambda entry point."""
