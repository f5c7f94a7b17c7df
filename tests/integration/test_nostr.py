"""Nostr through the API: an account is connected with the user's private key (nsec or hex) and relays,
the key sealed and never shown, a bad key or relay refused with nothing stored, and a post goes through
the pipeline to one signed note on the relay."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_posts import create, new_workspace

# NIP-19's example key (github.com/nostr-protocol/nips/blob/master/19.md) and its public key
NSEC = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
HEX = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
PUBKEY = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
NPUB = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"


def _connect(client: TestClient, headers: dict[str, str], key: str, relays: str) -> tuple[int, dict]:
    body = {"platform": "nostr", "credentials": {"private_key": key, "relays": relays}}
    response = client.post("/api/accounts", json=body, headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("key", "relays", "field"),
    [
        (NSEC[:-1] + "x", "wss://relay.damus.io", "credentials.private_key"),
        (NPUB, "wss://relay.damus.io", "credentials.private_key"),
        (HEX, "https://relay.damus.io", "credentials.relays"),
        (HEX, "wss://127.0.0.1", "credentials.relays"),
        (HEX, "wss://relay.internal", "credentials.relays"),
        (HEX, " ".join(f"wss://relay{n}.example" for n in range(11)), "credentials.relays"),
    ],
    ids=["nsec-typo", "npub", "not-wss", "ip-address", "internal-name", "eleven-relays"],
)
def test_nostr_connect__bad_key_or_relay__400_naming_the_field_and_nothing_stored(
    client: TestClient, keys: Keys, pipeline: Pipeline, key: str, relays: str, field: str
) -> None:
    # Given a private key that is none (a typo, a public key), or relays the server must not call
    headers = new_workspace(client, keys)

    # When an account is connected with them
    status, body = _connect(client, headers, key, relays)

    # Then it is refused as bad input in the envelope naming the field, the key is not echoed, nothing stored
    assert status == 400, body
    assert (body["success"], body["error"]["code"]) == (False, "VALIDATION_ERROR")
    assert body["error"]["details"]["field"] == field
    assert HEX not in str(body)
    assert client.get("/api/accounts", headers=headers).json()["data"]["accounts"] == []


def test_nostr_connect__nsec__the_public_key_is_the_account_and_a_post_is_one_signed_note(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a user's nsec and two relays
    headers = new_workspace(client, keys)

    # When an account is connected with them
    status, body = _connect(client, headers, NSEC, "wss://relay.damus.io, wss://nos.lol/")

    # Then the account is the key's public key, named by its npub, with its relays; the key is never shown
    assert status == 201, body
    account = body["data"]["account"]
    assert (account["platform"], account["username"]) == ("nostr", NPUB)
    listed = client.get("/api/accounts", headers=headers).text
    assert NSEC not in listed
    assert HEX not in listed
    assert NSEC not in str(body)
    assert HEX not in str(body)

    # When a post is published through the pipeline
    post = create(client, headers, content="gm nostr ⚡", platforms=[account["id"]])
    publish(client, headers, post["id"])
    pipeline.drain()

    # Then the relays hold one note by that key (sent to both, kept once by id), and the post links to it
    (note,) = pipeline.posts_on("nostr")
    assert (note.text, note.account) == ("gm nostr ⚡", PUBKEY)
    shown = get(client, headers, post["id"])
    assert shown["status"] == "published"
    assert shown["platform_posts"][0]["post_id"] == note.id
    assert shown["platform_posts"][0]["url"] == note.url
