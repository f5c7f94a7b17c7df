"""WorkspacesFunction: /api/workspaces."""

from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry
from socialpub.api.main.routers import workspaces

handler = lambda_entry(create_app(workspaces), clients=("dynamodb", "sqs"))
