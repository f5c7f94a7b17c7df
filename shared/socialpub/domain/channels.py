"""The channels of an account a post may name (Slack's channel ids, which its users do not see), as the
network lists them, one page at a time with the network's cursor."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel


class Channel(BaseModel):
    id: str
    name: str
    is_member: bool  # the app's bot is in it: a post there goes through (else invite it first)
    is_private: bool = False


class ChannelPage(BaseModel):
    channels: list[Channel]
    next_cursor: str | None = None  # None: the last page


# (the account's token, the cursor of the page, at most how many) -> the page
ChannelReader = Callable[[str, str | None, int], ChannelPage]
# a platform id -> its channel reader, or None when the network has no channel list
ChannelLister = Callable[[str], ChannelReader | None]
