"""A self-hosted WordPress site: the same REST API v2 as WordPress.com (see ``wordpress``), at
``https://{host}/wp-json/wp/v2`` with HTTP Basic (the username and an application password)."""

from socialpub.adapters.publishers.wordpress import Publisher

__all__ = ["Publisher"]
