"""Nostr relays (NIP-01, github.com/nostr-protocol/nips/blob/master/01.md), over WebSocket at
``ws://<emulator>/<relay host>/<path>``: any relay host answers, each one the same relay here (the
product reaches ``wss://<host>/<path>`` there, as every network's URL is mapped to the emulator).

- ``["EVENT", event]``: the event's id is checked (the sha256 of NIP-01's serialization) and its
  BIP-340 Schnorr signature verified (coincurve), then it is kept once per id. Answers
  ``["OK", id, true, ""]``, ``["OK", id, true, "duplicate: already have this event"]`` for one held,
  or ``["OK", id, false, "invalid: ..."]``: a bad id, a bad signature, an event over 65,536 bytes
  (strfry's default ``maxEventSize`` of normalised JSON).
- ``["REQ", sub, filter...]``: the held events matching any filter (``ids``, ``authors``, ``kinds``,
  ``#e``, ``#p``, ``since``, ``until``, ``limit``), each as ``["EVENT", sub, event]``, then
  ``["EOSE", sub]``; ``["CLOSE", sub]`` ends it. A note's reactions (kind 7), reposts (kind 6) and
  replies (kind 1) are made up from its figures (``state.figures``: ``reactions``, ``reposts``,
  ``replies``), each an event whose ``e`` tag names the note.
- A kept kind-1 note is an emulated post (its images pulled from their NIP-92 ``imeta`` URLs).

Nostr has no sign-in: the user's key is the account. ``SIGN_IN`` describes where a key's profile is
shown (njump.me), which no connect reads.

Fault endpoints: ``event`` (EVENT), ``req`` (REQ without ``#e``), ``insights`` (REQ with ``#e``). A fault
answers NIP-01's refusal for its status (``OK false`` or ``CLOSED``: 429 ``rate-limited:``, 5xx
``error:``, 401/403 ``restricted:``, other ``invalid:``; the fault body's ``message`` if it has one);
an ``after`` fault keeps the event and closes the connection without an answer (a lost answer).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from coincurve import PublicKeyXOnly
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState, digest, fetch

NETWORK = "nostr"
DOCS = "https://github.com/nostr-protocol/nips/blob/master/01.md"
# strfry (the most common relay software): events.maxEventSize = 65536, "Maximum size of normalised JSON"
MAX_EVENT_BYTES = 65536
TOO_LARGE = "invalid: event too large"
BAD_ID = "invalid: event id does not match"
BAD_SIGNATURE = "invalid: bad signature"
DUPLICATE = "duplicate: already have this event"
POST_FIGURES = ("reactions", "reposts", "replies")
FIGURE_KINDS = {7: "reactions", 6: "reposts", 1: "replies"}  # NIP-25, NIP-18, NIP-10
TEXT_NOTE = 1

SIGN_IN = SignIn(
    network=NETWORK,
    name="Nostr",
    docs=DOCS,
    api="wss://relay",
    profile=Profile(url="https://njump.me/{npub}", fields={"id": "pubkey", "username": "npub"}),
)

# ---------------------------------------------------------------------- NIP-19 (bech32), the emulator's own

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def bech32(hrp: str, data: bytes) -> str:
    bits = "".join(f"{b:08b}" for b in data)
    bits += "0" * (-len(bits) % 5)
    words = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    mod = _polymod(expanded + words + [0] * 6) ^ 1
    return hrp + "1" + "".join(_CHARSET[w] for w in words + [(mod >> 5 * (5 - i)) & 31 for i in range(6)])


def page_of(event_id: str) -> str:
    """A note's page on njump.me, by its NIP-19 note id."""
    return f"https://njump.me/{bech32('note', bytes.fromhex(event_id))}"


# ---------------------------------------------------------------------- events


def event_id(event: dict[str, Any]) -> str:
    """NIP-01: sha256 of [0, pubkey, created_at, kind, tags, content], UTF-8, no whitespace."""
    fields = [0, event["pubkey"], event["created_at"], event["kind"], event["tags"], event["content"]]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def problem(event: Any) -> str | None:
    """Why a relay refuses an event (NIP-01's prefixed message), or None."""
    if not isinstance(event, dict):
        return "invalid: not an event"
    try:
        if len(json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_EVENT_BYTES:
            return TOO_LARGE
        if event_id(event) != event.get("id"):
            return BAD_ID
        key = PublicKeyXOnly(bytes.fromhex(str(event["pubkey"])))
        if not key.verify(bytes.fromhex(str(event["sig"])), bytes.fromhex(str(event["id"]))):
            return BAD_SIGNATURE
    except (KeyError, TypeError, ValueError):
        return "invalid: malformed event"
    return None


def matches(event: dict[str, Any], wanted: dict[str, Any]) -> bool:
    if "ids" in wanted and event.get("id") not in wanted["ids"]:
        return False
    if "authors" in wanted and event.get("pubkey") not in wanted["authors"]:
        return False
    if "kinds" in wanted and event.get("kind") not in wanted["kinds"]:
        return False
    if "since" in wanted and event.get("created_at", 0) < wanted["since"]:
        return False
    if "until" in wanted and event.get("created_at", 0) > wanted["until"]:
        return False
    for name, values in wanted.items():
        if name.startswith("#") and len(name) == 2:
            tagged = {t[1] for t in event.get("tags", []) if isinstance(t, list) and len(t) > 1 and t[0] == name[1]}
            if not tagged & set(values):
                return False
    return True


def refusal(status: int, body: dict[str, Any] | None) -> str:
    said = (body or {}).get("message")
    if isinstance(said, str) and ":" in said:
        return said
    if status == 429:
        return "rate-limited: slow down"
    if status >= 500:
        return "error: the relay failed"
    if status in (401, 403):
        return "restricted: this key may not write here"
    return "invalid: refused"


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()
    state.post_figures[NETWORK] = POST_FIGURES

    def held() -> list[dict[str, Any]]:
        return [p.extra["event"] for p in state.posts_of(NETWORK) if "event" in p.extra]

    def figure_events(note: EmulatedPost) -> list[dict[str, Any]]:
        """The events pointing at a note, as many of each kind as its figures say."""
        figures = state.figures(NETWORK, note.id, POST_FIGURES, note.created_at)
        made = []
        for kind, name in FIGURE_KINDS.items():
            tag = ["e", note.id, "", "root"] if kind == TEXT_NOTE else ["e", note.id]  # NIP-10: a reply names its root
            for index in range(figures.get(name, 0)):
                seed = f"{note.id}/{name}/{index}"
                made.append(
                    {
                        "id": hashlib.sha256(seed.encode()).hexdigest(),
                        "pubkey": hashlib.sha256(f"fan/{index}".encode()).hexdigest(),
                        "created_at": int(note.created_at) + index + 1,
                        "kind": kind,
                        "tags": [tag, ["p", note.account]],
                        "content": {7: "+", 6: "", 1: f"Reply {index}"}[kind],
                        "sig": "00" * 64,
                    }
                )
        return made

    def found(filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events = held()
        if any("#e" in f for f in filters):
            wanted = {i for f in filters for i in f.get("#e", [])}
            events += [e for p in state.posts_of(NETWORK) if p.id in wanted for e in figure_events(p)]
        answer: dict[str, dict[str, Any]] = {}
        for wanted_filter in filters:
            hits = [e for e in events if matches(e, wanted_filter)]
            hits.sort(key=lambda e: e.get("created_at", 0), reverse=True)
            limit = wanted_filter.get("limit")
            for event in hits[: limit if isinstance(limit, int) else None]:
                answer.setdefault(event["id"], event)
        return list(answer.values())

    async def keep(event: dict[str, Any]) -> bool:
        """Keep a verified event once; False if it was already held."""
        if any(p.id == event["id"] for p in state.posts_of(NETWORK)):
            return False
        media = []
        for tag in event.get("tags", []):
            if isinstance(tag, list) and tag[:1] == ["imeta"]:
                fields = dict(str(f).split(" ", 1) for f in tag[1:] if " " in str(f))
                data = await fetch(fields.get("url", ""))
                if data is not None:
                    media.append(digest(data, fields.get("m"), fields.get("alt")))
        with state.lock:  # checked again under the lock: two connections may send the same event
            if any(p.id == event["id"] and p.network == NETWORK for p in state.posts):
                return False
            state.posts.append(
                EmulatedPost(
                    network=NETWORK,
                    account=event["pubkey"],
                    id=event["id"],
                    text=event["content"],
                    url=page_of(event["id"]),
                    media=media,
                    extra={"event": event, "kind": event["kind"]},
                )
            )
        return True

    async def faulted(endpoint: str, answer: Any) -> bool:
        """An armed fault's refusal sent (True), or nothing armed."""
        fault: Response | None = await state.before(NETWORK, endpoint)
        if fault is None:
            return False
        body = json.loads(bytes(fault.body) or b"{}")
        await answer(refusal(fault.status_code, body if isinstance(body, dict) else None))
        return True

    async def lost(endpoint: str) -> bool:
        """Whether an ``after`` fault eats this answer."""
        marker = Response()
        return await state.after(NETWORK, endpoint, marker) is not marker

    async def relay(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                try:
                    message = json.loads(await websocket.receive_text())
                except ValueError:
                    await websocket.send_text(json.dumps(["NOTICE", "invalid: not JSON"]))
                    continue
                if not isinstance(message, list) or not message:
                    await websocket.send_text(json.dumps(["NOTICE", "invalid: not a message"]))
                    continue
                if message[0] == "EVENT" and len(message) > 1:
                    event = message[1]
                    said_id = event.get("id") if isinstance(event, dict) else None

                    async def refuse(text: str, said_id: Any = said_id) -> None:
                        await websocket.send_text(json.dumps(["OK", said_id, False, text]))

                    if await faulted("event", refuse):
                        continue
                    why = problem(event)
                    if why is not None:
                        await refuse(why)
                        continue
                    new = await keep(event)
                    if await lost("event"):
                        await websocket.close()
                        return
                    await websocket.send_text(json.dumps(["OK", event["id"], True, "" if new else DUPLICATE]))
                elif message[0] == "REQ" and len(message) > 2:
                    sub, filters = message[1], [f for f in message[2:] if isinstance(f, dict)]
                    endpoint = "insights" if any("#e" in f for f in filters) else "req"

                    async def close(text: str, sub: Any = sub) -> None:
                        await websocket.send_text(json.dumps(["CLOSED", sub, text]))

                    if await faulted(endpoint, close):
                        continue
                    for event in found(filters):
                        await websocket.send_text(json.dumps(["EVENT", sub, event], ensure_ascii=False))
                    if await lost(endpoint):
                        await websocket.close()
                        return
                    await websocket.send_text(json.dumps(["EOSE", sub]))
                elif message[0] == "CLOSE":
                    continue  # every REQ here ends at its EOSE: nothing stays open to close
                else:
                    await websocket.send_text(json.dumps(["NOTICE", f"invalid: unknown message {message[0]!r}"]))
        except WebSocketDisconnect:
            return

    api.add_api_websocket_route("/{host}", relay)
    api.add_api_websocket_route("/{host}/{path:path}", relay)
    return api
