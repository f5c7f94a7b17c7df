"""Google Business Profile: each location the user manages is an identity chosen at connect (as
Facebook pages are), and a post goes to the location chosen."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialpub.local.emulator.state import number_of
from tests.conftest import Keys
from tests.integration.pipeline import Pipeline, get, publish
from tests.integration.test_accounts import connect, consent, start
from tests.integration.test_posts import create, new_workspace

NET = "google_business"
CHAIN = "acme-chain"  # the emulator's user who manages two locations


def _location(user: str, n: int) -> str:
    return f"accounts/{number_of(NET, user, ' Account')}/locations/{number_of(NET, user, f' Location {n}')}"


def test_google_business__two_locations__chosen_at_connect_and_the_post_lands_on_the_second(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a Google user who manages two business locations, through the consent
    headers = new_workspace(client, keys)
    started = start(client, headers, platform=NET)
    query = consent(started["auth_url"], user=CHAIN)

    # When the callback comes back
    answer = client.post(
        "/api/accounts/callback", json={"state": query["state"], "code": query["code"]}, headers=headers
    )

    # Then the client is asked to choose among the two locations, by name
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["status"] == "selection_required"
    assert [(c["id"], c["name"], c["type"]) for c in data["choices"]] == [
        (_location(CHAIN, 1), "Acme Chain Shop", "location"),
        (_location(CHAIN, 2), "Acme Chain Shop 2", "location"),
    ]

    # When the second is chosen
    chosen = client.post(
        "/api/accounts/callback", json={"state": data["state"], "selection": [_location(CHAIN, 2)]}, headers=headers
    )

    # Then one account is connected: that location
    assert chosen.status_code == 200, chosen.text
    (account,) = chosen.json()["data"]["accounts"]
    assert (account["name"], account["metadata"]["location"]) == ("Acme Chain Shop 2", _location(CHAIN, 2))

    # And a post published to it lands on the second location, not the first
    post = create(client, headers, content="Open late on Fridays", platforms=[account["id"]])
    assert publish(client, headers, post["id"]).status_code == 202
    pipeline.drain()
    (landed,) = pipeline.posts_on(NET)
    assert (landed.account, landed.text) == (_location(CHAIN, 2), "Open late on Fridays")
    assert get(client, headers, post["id"])["status"] == "published"


def test_google_business__one_location__connected_at_once_as_that_location(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a Google user who manages one location
    headers = new_workspace(client, keys)

    # When the connect finishes
    account = connect(client, headers, platform=NET)

    # Then there is nothing to choose: the account is the location
    assert (account["type"], account["metadata"]["location"]) == ("location", _location("emulated-user", 1))


def test_google_business__hosted_page__offers_the_locations_as_a_form(
    client: TestClient, keys: Keys, pipeline: Pipeline
) -> None:
    # Given a connect through the hosted page, by a user who manages two locations
    headers = new_workspace(client, keys)
    answer = client.post("/api/accounts", json={"platform": NET}, headers=headers)
    auth_url = answer.json()["data"]["auth_url"]
    query = consent(auth_url, user=CHAIN)

    # When Google sends the user back to the hosted page
    page = client.get("/api/accounts/callback", params={"state": query["state"], "code": query["code"]})

    # Then the page asks which locations to connect, by name
    assert page.status_code == 200
    assert "Choose what to connect" in page.text
    assert f'value="{_location(CHAIN, 2)}"' in page.text
    assert "Acme Chain Shop 2" in page.text

    # And choosing the second connects it
    done = client.get("/api/accounts/callback", params={"state": query["state"], "selection": _location(CHAIN, 2)})
    assert done.status_code == 200, done.text
    accounts = client.get("/api/accounts", headers=headers).json()["data"]["accounts"]
    assert [a["metadata"]["location"] for a in accounts] == [_location(CHAIN, 2)]
