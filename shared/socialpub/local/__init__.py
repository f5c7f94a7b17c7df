"""The local runtime (make dev): moto on loopback, resources from template.yaml, every router under
one uvicorn server, queue workers calling the real handlers. Development tooling only: it imports
PyYAML and moto, which the Lambda layer does not ship."""
