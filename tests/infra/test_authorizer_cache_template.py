"""The main API's authorizer decisions are cached per X-API-Key for a short TTL, and what flushes
them may (adapters/authorizer_cache.py; docs/operations.md, "Authorizer cache")."""

from __future__ import annotations

from socialpub.local.template import Template
from tests.infra.test_template import functions

FLUSH = "/cache/authorizers"


def test_decisions_are_cached_per_key_for_at_most_five_minutes(template: Template) -> None:
    authorizers = template.resources["Api"]["Properties"]["Auth"]["Authorizers"]
    identity = authorizers["ApiKeyAuthorizer"]["Identity"]
    # One decision per key value: the cache key is the key itself, never a wider identity
    assert identity["Headers"] == ["X-API-Key"]
    assert 0 < identity["ReauthorizeEvery"] <= 300
    # Pizzly's paths (HTTP Basic too) are not cached: a request may lack X-API-Key there
    assert authorizers["KeyOrBasicAuthorizer"]["Identity"]["ReauthorizeEvery"] == 0
    for event in functions(template)["IntegrationsFunction"]["Events"].values():
        assert event["Properties"]["Auth"]["Authorizer"] == "KeyOrBasicAuthorizer"


def test_the_functions_that_flush_may_flush(template: Template) -> None:
    # Workspaces (created, deleted) and the admin plane (keys revoked or changed) flush the cache
    for name in ("WorkspacesFunction", "AdminFunction"):
        statements = [s for p in functions(template)[name]["Policies"] for s in p.get("Statement", [])]
        allowed = [
            str(resource)
            for s in statements
            if "apigateway:DELETE" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            for resource in ([s["Resource"]] if not isinstance(s["Resource"], list) else s["Resource"])
        ]
        assert any(FLUSH in r for r in allowed), name
