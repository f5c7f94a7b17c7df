"""Nostr (NIP-01, NIP-18, NIP-25): a note's figures are the events that point at it, counted on the
account's relays with one ``REQ`` for a batch of notes: reactions (kind 7), reposts (kind 6) and
replies (kind 1), each with an ``#e`` tag naming the note, plus the notes themselves (``ids``), so a
note no relay holds any more is told apart from one without figures. Events are counted once by id
across relays; what other relays hold is not seen, so the figures are the account's relays' view.

Reads are public: no key is used. Nostr has no follower count (followers' contact lists, kind 3, are
spread over relays the account does not name), so the account reports none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialpub.adapters.nostr import Relays, prefix
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.adapters.publishers.nostr import RATE_LIMIT_WAIT, TEXT_NOTE, relays_of
from socialpub.domain.analytics import AccountInsight, PostInsight, PostMetrics
from socialpub.domain.publishing import PublishAccount, Retryable

BATCH = 50  # notes per REQ (their ids in each filter)
LIMIT = 5000  # events a relay sends per filter at most
REACTION, REPOST = 7, 6  # NIP-25, NIP-18
FIGURES = ((REACTION, "reactions"), (REPOST, "reposts"), (TEXT_NOTE, "replies"))
GONE = "None of the account's relays holds this note any more (deleted, or the relays dropped it)"
NO_ACCOUNT_FIGURES = "Nostr has no follower count: followers' contact lists are spread over relays"


class Insights:
    batch_size = BATCH

    def __init__(self, http: NetworkHttp, relays: Relays | None = None) -> None:
        self._relays = relays or Relays(http.url)

    def post_insights(self, account: PublishAccount, token: str, post_ids: Sequence[str]) -> dict[str, PostInsight]:
        ids = list(post_ids)
        filters: list[dict[str, Any]] = [{"ids": ids}]
        filters += [{"kinds": [kind], "#e": ids, "limit": LIMIT} for kind, _ in FIGURES]
        answers = self._relays.query(relays_of(account), filters)
        read = [a for a in answers if a.outcome == "accepted"]
        if not read:
            said = "; ".join(f"{a.relay}: {a.message}" for a in answers) or "the account names no relay"
            limited = [a.message for a in answers if prefix(a.message) == "rate-limited"]
            if limited:
                raise Retryable(
                    f"The relays refused the read for now ({said})",
                    code="RATE_LIMITED",
                    network_message=limited[0],
                    retry_after=RATE_LIMIT_WAIT,
                )
            raise Retryable(f"No relay could be read ({said})")
        events = {str(e.get("id")): e for a in read for e in a.events}  # once by id across relays
        held = {i for i in events if i in ids}
        counts = {post_id: {name: 0 for _, name in FIGURES} for post_id in ids}
        for event_id, event in events.items():
            name = next((n for kind, n in FIGURES if kind == event.get("kind")), None)
            if name is None or event_id in ids:
                continue
            for tag in event.get("tags") or []:
                if isinstance(tag, list) and len(tag) > 1 and tag[0] == "e" and tag[1] in counts:
                    counts[tag[1]][name] += 1
                    break  # one event counts for one note (a reply's first e tag is its root)
        return {
            post_id: _insight(counts[post_id]) if post_id in held else PostInsight.unavailable(GONE) for post_id in ids
        }

    def account_insights(self, account: PublishAccount, token: str) -> AccountInsight:
        return AccountInsight.unavailable(NO_ACCOUNT_FIGURES)


def _insight(native: dict[str, int]) -> PostInsight:
    metrics = PostMetrics(likes=native["reactions"], shares=native["reposts"], comments=native["replies"])
    return PostInsight(metrics=metrics.completed(), native=native)
