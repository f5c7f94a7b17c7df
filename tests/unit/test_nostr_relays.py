"""The relay client against relays that misbehave: it gives up on time and keeps a bounded answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialpub.adapters.nostr import MAX_EVENTS, Relays

RELAY = "wss://relay.example"
EVENT = {"id": "ab" * 32, "kind": 1}


class Chatty:
    """A relay connection that never gives the awaited answer and sends something else each time it is
    read, at once: a NOTICE, or (``flood``) one more event for the subscription."""

    def __init__(self, flood: bool = False, reads_allowed: int = 1_000_000) -> None:
        self.flood, self.reads, self.reads_allowed, self.sub = flood, 0, reads_allowed, ""

    def __enter__(self) -> Chatty:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def send(self, data: str) -> None:
        message = json.loads(data)
        if message[0] == "REQ":
            self.sub = message[1]

    def recv(self, timeout: float | None = None) -> str:
        self.reads += 1
        if self.reads > self.reads_allowed:
            raise AssertionError("the client is still reading a relay that never answers")
        if self.flood:
            return json.dumps(["EVENT", self.sub, {"id": f"{self.reads:064x}", "kind": 7}])
        return json.dumps(["NOTICE", "still here"])


def _relays(monkeypatch: pytest.MonkeyPatch, connection: Chatty) -> Relays:
    relays = Relays(answer_timeout=0.02)
    monkeypatch.setattr(relays, "_open", lambda relay: connection)
    return relays


def test_publish__a_relay_that_keeps_sending_notices__given_up_when_its_time_is_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a relay that answers an EVENT with an endless stream of NOTICEs, never an OK
    relays = _relays(monkeypatch, Chatty())

    # When a note is sent to it
    [answer] = relays.publish([RELAY], EVENT)

    # Then the client stops at the answer's deadline: no answer, the outcome unknown
    assert answer.outcome == "silent"


def test_query__a_relay_that_floods_events__stopped_and_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a relay that answers a REQ with more events than any filter asks for, and no EOSE
    connection = Chatty(flood=True)
    relays = Relays(answer_timeout=3600)  # the flood, not the clock, must stop it
    monkeypatch.setattr(relays, "_open", lambda relay: connection)

    # When it is queried
    [answer] = relays.query([RELAY], [{"kinds": [7], "limit": 5000}])

    # Then the client stops reading past the cap and keeps none of it
    assert answer.outcome == "silent"
    assert answer.events == []
    assert connection.reads == MAX_EVENTS + 1


def test_publish__a_relay_that_redirects__unreachable_and_the_other_relays_still_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two relays, the first answering its handshake with a redirect (which the client refuses)
    relays = Relays(answer_timeout=1)

    class Accepting(Chatty):
        def recv(self, timeout: float | None = None) -> str:
            return json.dumps(["OK", EVENT["id"], True, ""])

    def opened(relay: str) -> Any:
        if relay == RELAY:
            raise ValueError("redirects are not followed")
        return Accepting()

    monkeypatch.setattr(relays, "_open", opened)

    # When a note is sent to both
    answers = relays.publish([RELAY, "wss://other.example"], EVENT)

    # Then the first counts as unreachable and the second accepted it
    assert [a.outcome for a in answers] == ["unreachable", "accepted"]
