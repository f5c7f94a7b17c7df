"""PostsiderFunction: the PostSider public API, /public/v1 and /api/public/v1."""

from socialpub.api import postsider
from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry

handler = lambda_entry(create_app(postsider))
