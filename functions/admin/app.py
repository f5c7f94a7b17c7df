"""AdminFunction: /admin (JWT-authenticated in the function)."""

from socialpub.api.admin.routers import admin
from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry

handler = lambda_entry(create_app(admin), clients=("dynamodb", "secretsmanager"))
