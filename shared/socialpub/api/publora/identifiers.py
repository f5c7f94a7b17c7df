"""Publora's platformId: ``<network>-<account id>`` (the seed's "twitter-123456"), where the network
is the product's platform id (Publora's names are the same: twitter, linkedin, instagram...)."""

from __future__ import annotations

from socialpub.domain.accounts import Account
from socialpub.domain.errors import InvalidInput
from socialpub.domain.platforms import catalog


def platform_id_of(account: Account) -> str:
    return f"{account.platform}-{account.id}"


def account_id_of(platform_id: str) -> str:
    """The account id a platformId names. The seed also takes the bare id ("Tz9W5i6ZYG"); the
    network prefix, when given, must be one of the product's networks."""
    network, sep, account_id = platform_id.partition("-")
    if not sep:
        return platform_id
    if network not in catalog() or not account_id:
        raise InvalidInput(
            f"Unknown platformId {platform_id!r}: use a platformId from GET /api/v1/platform-connections"
        )
    return account_id
