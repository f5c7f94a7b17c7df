"""What only Nostr does: NIP-19 keys, notes signed by the user's key and checked by the relay (its id and
BIP-340 signature), images as URLs with NIP-92 imeta tags, and a rerun that sends the very same event."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from websockets.sync.client import connect

from socialpub.adapters.nostr import public_key, signed_event
from socialpub.domain.errors import InvalidInput
from socialpub.domain.nostr import npub, private_key
from socialpub.domain.platforms import catalog
from socialpub.domain.publishing import Retryable
from tests.publishing import PublishHarness, image_of

NETWORK = "nostr"
# NIP-19's own examples (github.com/nostr-protocol/nips/blob/master/19.md)
NSEC = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
HEX = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
PUBKEY = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
NPUB = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"


def _relay(harness: PublishHarness, message: list[Any]) -> list[Any]:
    """One message to the emulated relay, and its answer."""
    with connect(harness.emulator.url.replace("http", "ws", 1) + "/relay.nostr.example", proxy=None) as ws:
        ws.send(json.dumps(message))
        answer: list[Any] = json.loads(ws.recv(timeout=30))
        return answer


def test_nostr_keys__nip19_examples__nsec_and_hex_decode_to_the_key_and_its_npub() -> None:
    # Given NIP-19's example key, as nsec and as hex (upper case too)
    # When each is read as a private key
    # Then both are the same key, whose public key and npub are NIP-19's
    assert private_key(NSEC) == private_key(HEX.upper()) == HEX
    assert public_key(HEX) == PUBKEY
    assert npub(PUBKEY) == NPUB


@pytest.mark.parametrize(
    "bad",
    [NSEC[:-1] + ("q" if NSEC[-1] != "q" else "p"), NPUB, HEX[:-2], "0" * 64, "f" * 64, "not a key"],
    ids=["nsec-checksum", "npub", "short-hex", "zero", "over-the-order", "text"],
)
def test_nostr_keys__not_a_private_key__refused_naming_the_field(bad: str) -> None:
    # Given something that is not a usable private key (a typo, a public key, out of secp256k1's range)
    # When it is read, then it is refused as bad input naming the private key's field
    with pytest.raises(InvalidInput) as refused:
        private_key(bad)
    assert refused.value.details["field"] == "credentials.private_key"


def test_nostr__note_with_images__signed_by_the_account_with_imeta_tags(harness: PublishHarness) -> None:
    # Given an account and a post with an image with alt text and a link
    signed = harness.nostr_key()
    image = image_of(harness, catalog()[NETWORK], alt_text="A red square")
    job = harness.job(NETWORK, signed, "Hello Nostr", media=[image], link="https://example.com/read")

    # When it is published
    published = harness.publish(job)

    # Then the relay holds one kind-1 note by the account, the image's URL and the link in its content and
    # a NIP-92 imeta tag naming the file's type and sha256, and the result is its id and njump page
    (note,) = harness.posts(NETWORK)
    event = note.extra["event"]
    assert (event["kind"], event["pubkey"], published.post_id) == (1, signed.account.external_id, note.id)
    assert event["content"] == f"Hello Nostr\n{image.url}\nhttps://example.com/read"
    sha256 = hashlib.sha256(image.content()).hexdigest()
    assert ["imeta", f"url {image.url}", f"m {image.mime_type}", f"x {sha256}", "alt A red square"] in event["tags"]
    assert published.url == note.url
    assert published.url.startswith("https://njump.me/note1")


def test_nostr__rerun_after_a_lost_answer__sends_the_same_event_and_the_relay_holds_one_note(
    harness: PublishHarness,
) -> None:
    # Given a note the relay kept but whose answer was lost, and the relay then unable to be asked about it
    signed = harness.nostr_key()
    job = harness.job(NETWORK, signed, "Once only")
    steps = harness.steps(job)
    harness.fault(NETWORK, "event", 502, after=True)
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    checkpointed = steps.target.steps["event"]
    harness.fault(NETWORK, "req", 503)  # the lookup fails: the rerun cannot tell, so it sends again

    # When the target runs again
    with pytest.raises(Retryable):
        harness.publish(job, steps)
    published = harness.publish(job, steps)

    # Then the event sent again is the checkpointed one (same id and signature), and the relay holds it once
    (note,) = harness.posts(NETWORK)
    assert note.extra["event"] == checkpointed
    assert published.post_id == checkpointed["id"] == note.id


def test_nostr_relay__bad_signature__refused_and_nothing_kept(harness: PublishHarness) -> None:
    # Given a note signed by one key whose signature is then altered
    event = signed_event(HEX, 1, "Tampered", [], 1_800_000_000)
    event["sig"] = event["sig"][:-2] + ("00" if event["sig"][-2:] != "00" else "01")

    # When it is sent to the relay
    answer = _relay(harness, ["EVENT", event])

    # Then the relay refuses it with NIP-01's invalid: prefix, and holds nothing
    assert answer == ["OK", event["id"], False, "invalid: bad signature"]
    assert harness.posts(NETWORK) == []


def test_nostr_relay__event_over_64_kib__refused_and_one_at_the_limit_kept(harness: PublishHarness) -> None:
    # Given two notes: one whose event is 65,536 bytes of JSON (strfry's default cap), one a byte over
    def sized(total: int) -> dict[str, Any]:
        base = len(json.dumps(signed_event(HEX, 1, "", [], 1_800_000_000), separators=(",", ":")).encode())
        return signed_event(HEX, 1, "x" * (total - base), [], 1_800_000_000)

    at_limit, over = sized(65536), sized(65537)

    # When each is sent, then the one over is refused as too large and the one at the limit is kept
    assert _relay(harness, ["EVENT", over]) == ["OK", over["id"], False, "invalid: event too large"]
    assert _relay(harness, ["EVENT", at_limit]) == ["OK", at_limit["id"], True, ""]
    assert [p.id for p in harness.posts(NETWORK)] == [at_limit["id"]]
