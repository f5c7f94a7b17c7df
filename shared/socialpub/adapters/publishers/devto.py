"""Dev.to (developers.forem.com/api/v1): one article, ``POST https://dev.to/api/articles`` with the
user's API key in the ``api-key`` header. The post's text is the article's Markdown body (its link
appended), its title the article's title, and the catalog's settings (tags, published, canonical_url,
series, main_image, description) go in the article as Forem names them.

Forem has no idempotency key. A call whose answer was lost is looked up in
``GET /api/articles/me/all`` (the account's articles, drafts first, then the newest): the article with
the same title and body published no earlier than the call is the one made; a draft has no date, so
for a draft, one with the same title and body that was not there before the call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp, made_since
from socialpub.domain.publishing import Published, PublishJob, Rejected, Steps

API = "https://dev.to/api"
ACCEPT = "application/vnd.forem.api-v1+json"
LOOKUP_PAGE = 30  # the newest articles read back after a lost answer
SETTINGS = ("canonical_url", "series", "main_image", "description")


def headers(key: str) -> dict[str, str]:
    return {"api-key": key, "Accept": ACCEPT}


def body_of(job: PublishJob) -> str:
    """The article's Markdown: the text, and the post's link on a line of its own unless the text has it."""
    if job.link and job.link not in job.text:
        return f"{job.text}\n\n{job.link}"
    return job.text


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        if not job.title:  # validation asks for it first; this keeps a bad job from reaching Forem
            raise Rejected("Dev.to needs a title for the article", code="VALIDATION_FAILED", sent=False)
        article: dict[str, Any] = {
            "title": job.title,
            "body_markdown": body_of(job),
            "published": job.settings.get("published", True) is not False,
        }
        if job.settings.get("tags"):
            article["tags"] = list(job.settings["tags"])
        article.update({name: job.settings[name] for name in SETTINGS if job.settings.get(name)})

        def mine() -> list[dict[str, Any]]:
            """The account's newest articles with this title and body (drafts first)."""
            answer = self._http.json(
                "GET",
                f"{API}/articles/me/all",
                params={"page": 1, "per_page": LOOKUP_PAGE},
                headers=headers(job.token),
            )
            return [
                found
                for found in (answer if isinstance(answer, list) else [])
                if found.get("title") == article["title"] and found.get("body_markdown") == article["body_markdown"]
            ]

        # A draft has no date: the articles already there with this title and body are noted before
        # the call, so a lost answer's lookup takes only one this call made.
        before = [] if article["published"] else steps.once("articles_before", lambda: [a["id"] for a in mine()])

        def send() -> dict[str, Any]:
            answer = self._http.json("POST", f"{API}/articles", json={"article": article}, headers=headers(job.token))
            return {"id": str(answer["id"]), "url": answer.get("url")}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            for found in mine():
                if found["id"] not in before and (
                    not article["published"] or made_since(found.get("published_at"), armed_at)
                ):
                    return {"id": str(found["id"]), "url": found.get("url")}
            return None

        made = steps.visible("article", send, find=find)
        return Published(post_id=made["id"], url=made.get("url"))
