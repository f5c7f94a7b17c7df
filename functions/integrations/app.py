"""IntegrationsFunction: Pizzly's /api/{integration} paths."""

from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry
from socialpub.api.pizzly.routers import integrations

handler = lambda_entry(create_app(integrations), clients=("dynamodb", "kms", "secretsmanager", "scheduler"))
