"""The publisher's cache of opened tokens: a token used again costs no KMS call, a changed token is
never answered from the cache, and nothing is kept past its time."""

from __future__ import annotations

from typing import Any, cast

from socialpub.adapters.secrets import CachedSecretBox, KmsSecretBox


class CountingBox:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, sealed: str, context: dict[str, str]) -> str:
        self.opened.append(sealed)
        return f"plain:{sealed}:{context['field']}"

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        return f"sealed:{plaintext}"


def test_cached_box__same_ciphertext_opened_once__new_token_or_context_opened_again() -> None:
    # Given a cached box over a box that counts its (KMS) opens
    inner = CountingBox()
    box = CachedSecretBox(cast(KmsSecretBox, cast(Any, inner)))
    context = {"workspace_id": "ws", "record": "account/mastodon/a", "field": "access_token"}

    # When the same token is opened twice, then a refreshed one (a new ciphertext), then under another context
    first = box.open("v1", context)
    again = box.open("v1", context)
    refreshed = box.open("v2", context)
    other = box.open("v1", {**context, "field": "refresh_token"})

    # Then KMS was asked once per distinct ciphertext and context, and each answer is its own
    assert inner.opened == ["v1", "v2", "v1"]
    assert (first, again, refreshed) == ("plain:v1:access_token", "plain:v1:access_token", "plain:v2:access_token")
    assert other == "plain:v1:refresh_token"


def test_cached_box__entry_expires_and_size_is_bounded() -> None:
    # Given a cache of 2 entries kept 10 seconds
    inner = CountingBox()
    moment = [0.0]
    box = CachedSecretBox(cast(KmsSecretBox, cast(Any, inner)), ttl_seconds=10, size=2, now=lambda: moment[0])
    context = {"field": "access_token"}
    box.open("a", context)

    # When its time has passed, the token is opened again
    moment[0] = 11
    box.open("a", context)
    # And when two newer tokens are opened, the oldest is dropped
    box.open("b", context)
    box.open("c", context)
    box.open("a", context)

    # Then
    assert inner.opened == ["a", "a", "b", "c", "a"]
