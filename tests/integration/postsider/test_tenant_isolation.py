"""Tenant isolation on every /public/v1 route, generated from the surface's route table: another
organisation's key, given this organisation's ids, never reads nor changes anything of it.

A route added to the surface is checked here without editing this file, as long as its path
parameters are among ``IDS``; a new kind of parameter fails the test until it is added."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from socialpub.api import postsider
from socialpub.api.container import Container
from tests.conftest import Keys
from tests.integration.postsider.test_foundation import add_account, raw_key
from tests.integration.postsider.test_posts import API, api_post, cli_body
from tests.integration.postsider.test_uploads import PNG, upload
from tests.integration.test_posts import new_workspace
from tests.integration.test_scheduling import schedule_exists

# Public on purpose: an upload's path serves its file to anyone who has it (its id is random and
# unguessable, as Postiz's upload URLs are; docs/postsider.md, Uploads).
PUBLIC = {("GET", "/uploads/{name}"), ("HEAD", "/uploads/{name}")}
# What a write sends, where a body is needed to get past validation to the ids.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/posts/{post_id}/status"): {"status": "draft"},
    ("PUT", "/posts/{post_id}/settings"): {"settings": {}},
    ("PUT", "/posts/{post_id}/release-id"): {"releaseId": "123"},
    ("POST", "/integration-trigger/{integration_id}"): {"methodName": "getLists", "data": {}},
}


def surface_routes() -> Iterator[tuple[str, str]]:
    """(method, path) of every route of the surface, as its router declares them."""
    for route in postsider.create_surface(Container({})).routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            if isinstance(context, APIRoute) or hasattr(context, "original_route"):
                for method in sorted(getattr(context, "methods", None) or ()):
                    yield method, getattr(context, "path", "")


ROUTES = sorted(set(surface_routes()) - PUBLIC)


class Victim:
    """An organisation with a channel, a scheduled post in a named group, and an upload."""

    def __init__(self, client: TestClient, keys: Keys, container: Container) -> None:
        self.headers = new_workspace(client, keys)
        ws = self.headers["X-Workspace-ID"]
        self.account = add_account(container, ws, id="acc_victim", name="Victim", username="victim.example")
        body = cli_body(self.account.id, contents=("victim's secret plan",))
        body["posts"][0]["group"] = "victim-group"
        created = client.post(f"{API}/posts", json=body, headers=raw_key(self.headers))
        assert created.status_code == 201, created.text
        self.post_id: str = created.json()[0]["postId"]
        uploaded = upload(client, raw_key(self.headers), PNG)
        assert uploaded.status_code == 201, uploaded.text
        self.upload: dict[str, Any] = uploaded.json()

    @property
    def ids(self) -> dict[str, str]:
        """The value of each path parameter of the surface, as this organisation's ids."""
        return {
            "integration_id": self.account.id,
            "integration": self.account.id,
            "post_id": self.post_id,
            "group": "victim-group",
            "name": self.upload["path"].rsplit("/", 1)[-1],
        }

    def secrets(self) -> list[str]:
        """What no answer to another organisation may contain (the ids it sent may be echoed, as in
        "Integration with id <id> not found"; what they name may not)."""
        return ["victim's secret plan", "Victim", str(self.account.username), self.upload["id"]]


def test_the_route_table_is_what_this_test_covers() -> None:
    # Given the surface's routes
    # Then every path parameter has a value here (a route with a new one must be added), and the
    # table holds the endpoints of the seed (a route lost would shrink what is checked)
    params = {part[1:-1] for _, path in ROUTES for part in path.split("/") if part.startswith("{")}
    assert params <= {"integration_id", "integration", "post_id", "group", "name"}, params
    assert len(ROUTES) >= 20, ROUTES


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_organisations_ids_reach_nothing(
    client: TestClient, keys: Keys, container: Container, method: str, path: str
) -> None:
    # Given a victim organisation, and an attacker with a key and a channel of its own
    victim = Victim(client, keys, container)
    attacker = new_workspace(client, keys)
    add_account(container, attacker["X-Workspace-ID"], id="acc_attacker", name="Attacker")
    before = api_post(client, victim.headers, victim.post_id)
    # When the attacker calls the route with the victim's ids (and its channel in a post body)
    url = API + path.format(**victim.ids)
    kwargs: dict[str, Any] = {}
    if (method, path) in BODIES:
        kwargs["json"] = BODIES[(method, path)]
    elif (method, path) == ("POST", "/posts"):
        kwargs["json"] = cli_body(victim.account.id)
    elif (method, path) == ("GET", "/posts"):
        kwargs["params"] = {"startDate": "2026-01-01", "endDate": "2027-01-01", "customer": "victim-group"}
    answer = client.request(method, url, headers=raw_key(attacker), **kwargs)
    # Then it is refused or answers nothing of the victim's
    assert answer.status_code < 500, answer.text
    assert not any(secret in answer.text for secret in victim.secrets()), answer.text
    if answer.status_code < 300:  # only a read, or a group delete that found nothing of its own, is a 2xx
        assert method == "GET" or path == "/posts/group/{group}", (method, path, answer.text)
    # And the victim's post, schedule, channel and upload are untouched
    assert api_post(client, victim.headers, victim.post_id) == before
    assert schedule_exists(victim.post_id)
    accounts = client.get("/api/accounts", headers=victim.headers).json()["data"]["accounts"]
    assert [a["id"] for a in accounts] == [victim.account.id]
    assert client.get(f"{API}/uploads/{victim.ids['name']}", follow_redirects=False).status_code == 302
