"""WordPress.com (developer.wordpress.com/docs/api/): a post on the connected site through the WordPress
REST API v2 as WordPress.com serves it (``https://public-api.wordpress.com/wp/v2/sites/{site}``, the
token as ``Authorization: Bearer``). ``wordpress_selfhosted`` speaks the same API at
``https://{host}/wp-json/wp/v2`` with HTTP Basic (the username and an application password).

- The featured image: ``POST /media`` with the bytes as the body (``Content-Disposition`` naming the
  file, ``alt_text`` as a parameter), then ``featured_media`` on the post.
- Tags by name: each looked up with ``GET /tags?search=`` and created with ``POST /tags`` when the
  site has none of that name (a ``term_exists`` answer names the one it has).
- The post: ``POST /posts`` with ``title``, ``content`` (the text, the link appended), ``status``
  (publish by default), ``categories`` (ids), ``tags`` (ids), ``excerpt``, ``slug``.

WordPress has no idempotency key: a lost answer is looked up with ``GET /posts?search={title}&after=
{the attempt}&status={status}&context=edit`` (this title, made since the attempt). The result is the
post's id and its ``link``.

WordPress's errors are ``{"code", "message", "data": {"status"}}``; WordPress.com's OAuth errors are
``{"error", "message"}``; both keep the message as the network's. A tag made meanwhile
(``term_exists``) is looked up again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.publishing import (
    MediaFile,
    PublishAccount,
    Published,
    PublishJob,
    Rejected,
    Steps,
)

COM = "https://public-api.wordpress.com"
CLOCK_SKEW = timedelta(seconds=60)


def api_base(account: PublishAccount, network: str) -> str:
    """Where the site's REST API v2 is."""
    if network == "wordpress_selfhosted":
        return f"https://{account.instance}/wp-json/wp/v2"
    return f"{COM}/wp/v2/sites/{account.external_id}"


def auth_headers(network: str, token: str) -> dict[str, str]:
    return {"Authorization": f"Basic {token}" if network == "wordpress_selfhosted" else f"Bearer {token}"}


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip().lstrip("#") for item in items if str(item).strip()]


def _result(post: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(post["id"]), "url": post.get("link")}


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        network = job.platform.id
        title = (job.title or "").strip()
        if not title:
            raise Rejected(f"A {job.platform.name} post needs a title", code="VALIDATION_FAILED")
        if job.videos() or len(job.images()) > 1:
            raise Rejected(
                f"A {job.platform.name} post carries one image (its featured image), and no video",
                code="VALIDATION_FAILED",
            )
        base = api_base(job.account, network)
        headers = auth_headers(network, job.token)
        settings = job.settings
        status = str(settings.get("status") or "publish")
        text = job.text.strip()
        if job.link and job.link not in text:
            text = f"{text}\n\n{job.link}" if text else job.link
        body: dict[str, Any] = {"title": title, "content": text, "status": status}
        if settings.get("categories"):
            body["categories"] = [int(c) for c in _names(settings["categories"])]
        if settings.get("tags"):
            body["tags"] = [
                steps.once(f"tag.{index}", lambda n=name: self._tag(base, headers, n))  # type: ignore[misc]
                for index, name in enumerate(_names(settings["tags"]))
            ]
        for name in ("excerpt", "slug"):
            if settings.get(name):
                body[name] = str(settings[name])
        images = job.images()
        if images:
            image = images[0]
            body["featured_media"] = steps.once("media", lambda: self._upload(base, headers, image))

        def send() -> dict[str, Any]:
            return _result(self._http.json("POST", f"{base}/posts", json=body, headers=headers))

        def find(armed_at: datetime) -> dict[str, Any] | None:
            after = (armed_at - CLOCK_SKEW).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            found = self._http.json(
                "GET",
                f"{base}/posts",
                params={"search": title, "after": after, "status": status, "context": "edit", "per_page": 20},
                headers=headers,
            )
            for post in found if isinstance(found, list) else []:
                if ((post.get("title") or {}).get("raw") or "") == title:
                    return _result(post)
            return None

        post = steps.visible("post", send, find)
        return Published(post_id=post["id"], url=post.get("url"))

    def _upload(self, base: str, headers: dict[str, str], media: MediaFile) -> int:
        answer = self._http.json(
            "POST",
            f"{base}/media",
            content=media.content(),
            params={"alt_text": media.alt_text} if media.alt_text else None,
            headers={
                **headers,
                "Content-Type": media.mime_type,
                "Content-Disposition": f'attachment; filename="{media.filename}"',
            },
        )
        return int(answer["id"])

    def _tag(self, base: str, headers: dict[str, str], name: str) -> int:
        found = self._find_tag(base, headers, name)
        if found is not None:
            return found
        try:
            answer = self._http.json("POST", f"{base}/tags", json={"name": name}, headers=headers)
        except Rejected:
            again = self._find_tag(base, headers, name)  # made meanwhile (term_exists): it is found now
            if again is None:
                raise
            return again
        return int(answer["id"])

    def _find_tag(self, base: str, headers: dict[str, str], name: str) -> int | None:
        found = self._http.json("GET", f"{base}/tags", params={"search": name, "per_page": 100}, headers=headers)
        for tag in found if isinstance(found, list) else []:
            if str(tag.get("name", "")).lower() == name.lower():
                return int(tag["id"])
        return None
