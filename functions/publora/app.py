"""PubloraFunction: the Publora API, /api/v1."""

from socialpub.api import publora
from socialpub.api.app_factory import create_app
from socialpub.api.lambda_entry import lambda_entry

handler = lambda_entry(create_app(publora))
