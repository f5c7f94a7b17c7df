"""MediaFunction: /api/posts/{post_id}/media and /api/media."""

from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry
from socialpub.api.main.routers import media

handler = lambda_entry(create_app(media), clients=("dynamodb", "s3"))
