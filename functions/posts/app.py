"""PostsFunction: /api/posts."""

from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry
from socialpub.api.main.routers import posts

handler = lambda_entry(create_app(posts), clients=("dynamodb", "s3", "sqs", "scheduler"))
