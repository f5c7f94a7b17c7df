"""The local stack's /docs works offline: Swagger UI's files come from the stack itself, not a CDN."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.testclient import TestClient


def test_docs__reference_only_local_assets_and_those_are_served(client: TestClient) -> None:
    # Given the local app; When /docs is opened
    page = client.get("/docs")
    # Then it is Swagger UI, and every script, style sheet, icon and spec it loads is on this server
    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    referenced = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""", page.text)
    urls = [a or b for a, b in referenced]
    assert any(u.endswith(".js") for u in urls)
    assert any(u.endswith(".css") for u in urls)
    assert "/openapi.json" in urls
    assert not re.search(r"(?i)https?://|[\"'(]//", page.text), "no absolute or protocol-relative URL"
    for url in urls:
        assert url.startswith("/"), url
        assert not urlsplit(url).netloc, url
        # And each of them is served, with content
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
    script = client.get(next(u for u in urls if u.endswith(".js")))
    assert "javascript" in script.headers["content-type"]
    assert len(script.content) > 100_000  # the whole bundle, not a stub


def test_docs__the_deployed_functions_serve_no_docs(aws: dict[str, str]) -> None:
    # Given a function's app, as a Lambda builds it (docs off); When /docs and its assets are asked for
    from socialpub.api.app_factory import create_app
    from socialpub.api.container import Container
    from socialpub.api.main.routers import platforms

    app = create_app(platforms, container=Container(aws))
    with TestClient(app) as client:
        # Then there are none
        assert client.get("/docs").status_code == 404
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 404
