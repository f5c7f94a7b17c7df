"""Every PUT/PATCH of every surface the local app serves, with an existing resource, gets each body
field as null, as two wrong types, and an unknown field: the answer is a 4xx in the surface's
envelope (never a 500), and the resource reads the same afterwards (nothing was stored). The one
exception is a field that null clears: then the answer is a 200 and that field alone reads null.

The routes are enumerated from the app, so a new PUT/PATCH route fails here until it has a
resource below to try it on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.local.app import create_local_app
from socialpub.local.stack import local_environment
from socialpub.local.template import LocalResolver, Template
from tests.conftest import MOCK_ENDPOINT, Emulator, Keys
from tests.integration.test_accounts import connect
from tests.integration.test_admin_auth import add_user, bearer, log_in

WRITE_METHODS = {"PUT", "PATCH"}
# Pizzly's routes follow Pizzly's server: a field it does not define is ignored. They must still
# never fail with a 500 nor change anything here.
LENIENT_PREFIXES = ("/api/{integration_id}/",)


def _routes(routes: list[Any]) -> Iterator[tuple[str, str, type[BaseModel]]]:
    for route in routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            if not isinstance(context, APIRoute) and not hasattr(context, "original_route"):
                continue
            for method in sorted(set(context.methods or ()) & WRITE_METHODS):
                params = context.dependant.body_params
                assert len(params) == 1, f"{method} {context.path} takes no JSON body model"
                yield method, context.path, params[0].field_info.annotation


def write_routes() -> list[tuple[str, str, type[BaseModel]]]:
    template = Template.load()
    env = local_environment(template, LocalResolver(template, MOCK_ENDPOINT, stage="test"))
    return sorted(_routes(create_local_app(Container(env)).routes), key=lambda r: (r[1], r[0]))


WRITE_ROUTES = write_routes()


# ---------------------------------------------------------------------- what to send


def _types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    """The JSON types a property's schema accepts."""
    if "$ref" in schema:
        return _types(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return set().union(*(_types(s, defs) for s in schema["anyOf"]))
    if "enum" in schema:
        return {type(v).__name__.replace("str", "string") for v in schema["enum"]}
    if "type" in schema:
        return {schema["type"]} | ({"number"} if schema["type"] == "integer" else set())
    return {"object"} if "properties" in schema or "additionalProperties" in schema else {"any"}


def mutations(model: type[BaseModel]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what, body): each field null and as two values of types it does not take; an unknown field, at
    the top and inside each nested model."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    for name, prop in schema["properties"].items():
        accepted = _types(prop, defs)
        assert "any" not in accepted, f"{model.__name__}.{name} takes anything"
        yield f"{name}=null", {name: None}
        yield f"{name}=structure", {name: ["wrong", "type"] if "object" in accepted else {"wrong": "type"}}
        scalar = next(v for t, v in (("number", 12345), ("string", "not-a-value")) if t not in accepted)
        yield f"{name}=scalar", {name: scalar}
        target = defs.get(prop.get("$ref", "").rsplit("/", 1)[-1]) or next(
            (defs[s["$ref"].rsplit("/", 1)[-1]] for s in prop.get("anyOf", []) if "$ref" in s), None
        )
        if target is not None and "properties" in target:
            yield f"{name}.unknown", {name: {"no_such_field": 1}}
    yield "unknown", {"no_such_field": 1}


# ---------------------------------------------------------------------- the resources tried


@dataclass
class Resource:
    path: str
    headers: dict[str, str]
    read: Callable[[], Any]


@dataclass
class Given:
    client: TestClient
    keys: Keys
    container: Container

    def api(self) -> dict[str, str]:
        headers = self.keys.headers()
        answer = self.client.post("/api/workspaces", json={"name": "Fuzzed"}, headers=headers)
        return {**headers, "X-Workspace-ID": answer.json()["data"]["workspace"]["id"]}

    def admin(self) -> dict[str, str]:
        add_user(self.container, "ada@example.com")
        return bearer(log_in(self.client, "ada@example.com").json()["data"]["token"])

    def created(self, path: str, headers: dict[str, str], body: dict[str, Any], *keys: str) -> str:
        answer = self.client.post(path, json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        found: Any = answer.json()
        for key in keys:
            found = found[key]
        return str(found["id"])

    def enveloped(self, path: str, headers: dict[str, str], *keys: str) -> Callable[[], Any]:
        def read() -> Any:
            answer = self.client.get(path, headers=headers)
            assert answer.status_code == 200, answer.text
            found = answer.json()
            for key in keys:
                found = found[key]
            return found

        return read


def _account(g: Given) -> Resource:
    headers = g.api()
    account = connect(g.client, headers)
    path = f"/api/accounts/{account['id']}"
    return Resource(path, headers, g.enveloped(path, headers, "data", "account"))


def _key(g: Given) -> Resource:
    admin = g.admin()
    key_id = g.created("/admin/keys", admin, {"name": "fuzzed"}, "data", "key")
    path = f"/admin/keys/{key_id}"
    return Resource(path, admin, g.enveloped(path, admin, "data", "key"))


def _user(g: Given) -> Resource:
    admin = g.admin()
    body = {"email": "ed@example.com", "name": "Ed", "password": "x" * 12, "role": "editor"}
    user_id = g.created("/admin/users", admin, body, "data", "user")
    listed = g.enveloped("/admin/users", admin, "data", "users")
    return Resource(f"/admin/users/{user_id}", admin, lambda: next(u for u in listed() if u["id"] == user_id))


def _webhook(g: Given) -> Resource:
    g.container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: ["93.184.216.34"])
    admin = g.admin()
    body = {"url": "https://hooks.example.com/x", "events": ["post.created"], "description": "d"}
    webhook_id = g.created("/admin/webhooks", admin, body, "data", "webhook")
    path = f"/admin/webhooks/{webhook_id}"
    return Resource(path, admin, g.enveloped(path, admin, "data", "webhook"))


def _configuration(g: Given) -> Resource:
    headers = g.api()
    body = {"credentials": {"clientId": "c" * 20, "clientSecret": "s" * 40}}
    config_id = g.created("/api/linkedin/configurations", headers, body, "configuration")
    path = f"/api/linkedin/configurations/{config_id}"
    return Resource(path, headers, g.enveloped(path, headers))  # Pizzly's shape: no envelope


def _post(g: Given) -> Resource:
    headers = g.api()
    body = {"content": "Hello", "platforms": ["twitter"], "title": "t", "first_comment": "c"}
    post_id = g.created("/api/posts", headers, body, "data", "post")
    path = f"/api/posts/{post_id}"
    return Resource(path, headers, g.enveloped(path, headers, "data", "post"))


def _schedule(g: Given) -> Resource:
    headers = g.api()
    body = {"name": "s", "description": "d", "slots": [{"day": "monday", "time": "09:00", "platforms": ["twitter"]}]}
    schedule_id = g.created("/api/schedules", headers, body, "data", "schedule")
    path = f"/api/schedules/{schedule_id}"
    return Resource(path, headers, g.enveloped(path, headers, "data", "schedule"))


def _workspace(g: Given) -> Resource:
    headers = g.api()
    path = f"/api/workspaces/{headers['X-Workspace-ID']}"
    body = {"description": "d"}
    assert g.client.put(path, json=body, headers=headers).status_code == 200  # a description null may clear
    return Resource(path, headers, g.enveloped(path, headers, "data", "workspace"))


RESOURCES: dict[str, Callable[[Given], Resource]] = {
    "/api/accounts/{account_id}": _account,
    "/admin/keys/{key_id}": _key,
    "/admin/users/{user_id}": _user,
    "/admin/webhooks/{webhook_id}": _webhook,
    "/api/{integration_id}/configurations/{configuration_id}": _configuration,
    "/api/posts/{post_id}": _post,
    "/api/schedules/{schedule_id}": _schedule,
    "/api/workspaces/{workspace_id}": _workspace,
}


def _is_envelope(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (
        body.get("success") is False
        and isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and isinstance(error.get("details"), dict)
    )


@pytest.mark.parametrize(("method", "route", "model"), WRITE_ROUTES, ids=[f"{m} {p}" for m, p, _ in WRITE_ROUTES])
def test_every_write_route_refuses_bad_fields_in_its_envelope_and_stores_nothing(
    client: TestClient, keys: Keys, container: Container, emulator: Emulator, method: str, route: str, model: Any
) -> None:
    # Given an existing resource of this route
    assert route in RESOURCES, f"{method} {route}: add a resource to try it on"
    resource = RESOURCES[route](Given(client, keys, container))
    before = resource.read()
    lenient = route.startswith(LENIENT_PREFIXES)
    wrong: list[str] = []
    for what, body in mutations(model):
        # When one field is sent null, of a wrong type, or unknown
        answer = client.request(method, resource.path, json=body, headers=resource.headers)
        after = resource.read()
        [(field, sent)] = body.items()
        if answer.status_code == 200 and sent is None and field in before and after == {**before, field: None}:
            before = after  # a field that may be empty, cleared: a change the client asked for
            continue
        # Then it is refused in the envelope (Pizzly's routes may ignore a null or an unknown field)...
        ignored_leniently = lenient and answer.status_code == 200 and (sent is None or what == "unknown")
        if not ignored_leniently and not (400 <= answer.status_code < 500 and _is_envelope(answer.json())):
            wrong.append(f"{what}: {answer.status_code} {answer.text[:300]}")
        # ...and the resource reads as before
        if after != before:
            wrong.append(f"{what}: the resource changed")
    assert not wrong, "\n".join(wrong)
