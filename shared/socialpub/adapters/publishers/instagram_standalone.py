"""Instagram with Instagram Login (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/
content-publishing): the same container flow as Instagram through Facebook Login (``instagram.py``: containers,
status polls, ``media_publish``, first comment, a lost answer found among the account's media), at
graph.instagram.com with the account's own long-lived token (``external_id`` is the profile's ``user_id``).
"""

from __future__ import annotations

from socialpub.adapters.publishers import instagram

GRAPH = "https://graph.instagram.com/v21.0"


class Publisher(instagram.Publisher):
    graph = GRAPH
