"""atproto OAuth against the emulated Bluesky (its PDS and the bsky.social authorization server): the
client side of the flow (socialpub.adapters.atproto_oauth) from a handle to DPoP-bound calls on the PDS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from socialpub.adapters.atproto_oauth import AtprotoOAuth, AtprotoServer, DpopKey, proof_headers
from socialpub.adapters.network_urls import network_url
from socialpub.domain.accounts import NetworkRejected, TokenRejected, TokenSet
from tests.conftest import Emulator


@pytest.fixture(autouse=True)
def _no_posts_left(emulator_server: Emulator) -> Iterator[None]:
    """The posts made here are removed after each test, as the publisher harness does (the emulator is shared)."""
    yield
    httpx.delete(f"{emulator_server.url}/_emulator/posts").raise_for_status()


CLIENT_ID = "https://socialpub.example.com/api/oauth/bluesky/client-metadata.json"
REDIRECT = "https://socialpub.example.com/api/oauth/bluesky/callback"


def _consent(emulator: Emulator, authorization_url: str, user: str | None = None) -> dict[str, str]:
    """What the person does in the browser: open the authorization page, press Allow (as ``user``)."""
    page = httpx.get(network_url(authorization_url, emulator.url))
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    hint = re.search(r'<input name="user" value="([^"]*)">', page.text)
    assert hint is not None
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    form = {**fields, "user": user or hint.group(1), "decision": "allow"}
    answer = httpx.post(emulator.url + action.group(1), data=form)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def signed_in_with_oauth(
    emulator: Emulator, handle: str, user: str | None = None
) -> tuple[AtprotoOAuth, AtprotoServer, DpopKey, TokenSet, str | None]:
    oauth = AtprotoOAuth(emulator=emulator.url)
    server = oauth.resolve(handle)
    key = DpopKey.new()
    started = oauth.start(server, client_id=CLIENT_ID, redirect_uri=REDIRECT, state="state-1", key=key)
    back = _consent(emulator, started.authorization_url, user)
    assert back["state"] == "state-1"
    tokens, nonce = oauth.exchange(
        server,
        code=back["code"],
        issuer=back["iss"],
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT,
        verifier=started.verifier,
        key=key,
        nonce=started.nonce,
    )
    return oauth, server, key, tokens, nonce


def _create_record(
    emulator: Emulator,
    server: AtprotoServer,
    key: DpopKey,
    token: str,
    text: str,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """com.atproto.repo.createRecord with DPoP (the PDS's nonce fetched as it asks), or with ``headers``."""
    url = f"{server.pds}/xrpc/com.atproto.repo.createRecord"
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-12-07T22:00:00.000Z"}
    body = {"repo": server.did, "collection": "app.bsky.feed.post", "record": record}
    if headers is not None:
        return httpx.post(network_url(url, emulator.url), json=body, headers=headers)
    nonce = None
    for _ in range(2):
        answer = httpx.post(
            network_url(url, emulator.url), json=body, headers=proof_headers(key, "POST", url, token, nonce)
        )
        if answer.status_code == 401 and answer.headers.get("dpop-nonce"):
            nonce = answer.headers["dpop-nonce"]
            continue
        return answer
    return answer


def test_atproto_oauth__handle_to_dpop_bound_tokens__a_post_made_with_them_once(emulator_server: Emulator) -> None:
    # Given a Bluesky handle whose PDS offers atproto OAuth
    handle = "dana-oauth.bsky.social"

    # When the handle is resolved, the request pushed with PKCE and DPoP, the user allows it and the code exchanged
    _, server, key, tokens, _ = signed_in_with_oauth(emulator_server, handle)

    # Then the account is found where its DID document says, signed in by the entryway
    assert (server.pds, server.issuer) == ("https://puffball.us-east.host.bsky.network", "https://bsky.social")
    assert tokens.extra == {"did": server.did, "handle": handle}
    assert tokens.refresh_token
    assert tokens.expires_in
    # And a post made with the DPoP-bound token (and a proof with ath) exists once on the PDS
    made = _create_record(emulator_server, server, key, tokens.access_token, "Hello over DPoP")
    assert made.status_code == 200, made.text
    assert [p.text for p in emulator_server.state.posts_of("bluesky", server.did)] == ["Hello over DPoP"]


def test_atproto_oauth__token_as_bearer_or_with_a_wrong_proof__refused_nothing_posted(
    emulator_server: Emulator,
) -> None:
    # Given DPoP-bound tokens of an account
    _, server, key, tokens, _ = signed_in_with_oauth(emulator_server, "erin-oauth.bsky.social")

    # When the token is presented as a bearer token, or with a proof signed by another key, or for another URL
    as_bearer = _create_record(
        emulator_server, server, key, "", "x", headers={"Authorization": f"Bearer {tokens.access_token}"}
    )
    other_key = _create_record(emulator_server, server, DpopKey.new(), tokens.access_token, "y")
    wrong_url = _create_record(
        emulator_server,
        server,
        key,
        "",
        "z",
        headers=proof_headers(key, "POST", f"{server.pds}/xrpc/other", tokens.access_token, None),
    )

    # Then each is refused and nothing is posted
    refusals = [(r.status_code, r.json()["error"]) for r in (as_bearer, other_key, wrong_url)]
    assert refusals == [(401, "InvalidToken"), (401, "invalid_token"), (401, "invalid_dpop_proof")]
    assert emulator_server.state.posts_of("bluesky", server.did) == []


def test_atproto_oauth__another_account_signs_in__sub_mismatch_refused(emulator_server: Emulator) -> None:
    # Given a connect started for one handle
    # When the user signs in as another account at the authorization server
    with pytest.raises(NetworkRejected) as refused:
        signed_in_with_oauth(emulator_server, "frank-oauth.bsky.social", user="mallory-oauth.bsky.social")

    # Then the tokens are refused: they are not the resolved account's
    assert "another account" in refused.value.message
    assert refused.value.details["sub"] != refused.value.details["expected"]


def test_atproto_oauth__refresh_with_the_same_key__rotated_the_old_one_refused(emulator_server: Emulator) -> None:
    # Given DPoP-bound tokens
    oauth, server, key, tokens, nonce = signed_in_with_oauth(emulator_server, "gail-oauth.bsky.social")
    assert tokens.refresh_token is not None

    # When they are refreshed with a proof of the same key
    renewed, nonce = oauth.refresh(
        server.token_endpoint, refresh_token=tokens.refresh_token, client_id=CLIENT_ID, key=key, nonce=nonce
    )

    # Then new tokens work on the PDS, and the used refresh token is refused, as is another key's proof
    assert renewed.refresh_token not in (None, tokens.refresh_token)
    assert _create_record(emulator_server, server, key, renewed.access_token, "Renewed").status_code == 200
    with pytest.raises(TokenRejected):
        oauth.refresh(
            server.token_endpoint, refresh_token=tokens.refresh_token, client_id=CLIENT_ID, key=key, nonce=nonce
        )
    assert renewed.refresh_token is not None
    with pytest.raises(NetworkRejected):
        oauth.refresh(
            server.token_endpoint,
            refresh_token=renewed.refresh_token,
            client_id=CLIENT_ID,
            key=DpopKey.new(),
            nonce=nonce,
        )


def test_atproto_oauth__self_hosted_pds_without_oauth__says_to_use_an_app_password(emulator_server: Emulator) -> None:
    # Given a handle on a self-hosted PDS that offers no authorization server
    oauth = AtprotoOAuth(emulator=emulator_server.url)

    # When it is resolved for OAuth
    with pytest.raises(NetworkRejected) as refused:
        oauth.resolve("hal.pds.example.com", entryway="pds.example.com")

    # Then the user is told to connect with an app password
    assert "app password" in refused.value.message
