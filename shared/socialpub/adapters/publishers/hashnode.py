"""Hashnode (apidocs.hashnode.com): one article through the GraphQL API at ``https://gql.hashnode.com``,
the ``publishPost`` mutation, with the user's personal access token as is in ``Authorization``.

The post's text is the article's Markdown (its link appended), its title the article's title, and the
catalog's settings go in ``PublishPostInput`` as Hashnode names them: ``tags`` by slug, ``subtitle``,
``originalArticleURL`` (canonical_url), ``coverImageOptions.coverImageURL`` (cover_image). The
publication is the post's ``publication_id`` setting, else the one read when the account connected.

GraphQL refuses inside the answer (``{"errors": [{"message", "extensions": {"code"}}]}``, often with a
200): UNAUTHENTICATED is a revoked token, FORBIDDEN a publication the user may not post in.
Hashnode has no idempotency key; a call whose answer was lost is looked up in the publication's
latest posts (``publication.posts``): the one with the same title and Markdown, published no earlier
than the call, is the one made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.devto import body_of
from socialpub.adapters.publishers.http import NetworkHttp, made_since
from socialpub.domain.publishing import (
    NeedsReconnect,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

GQL = "https://gql.hashnode.com"
PUBLISH = (
    "mutation PublishPost($input: PublishPostInput!) { publishPost(input: $input) { post { id slug url title } } }"
)
RECENT = (
    "query RecentPosts($id: ObjectId!, $first: Int!) {"
    " publication(id: $id) { posts(first: $first) {"
    " edges { node { id url title publishedAt content { markdown } } } } } }"
)
LOOKUP_POSTS = 20
INVALID_INPUT = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "NOT_FOUND"}


def graphql_failure(body: Any, status: int) -> PublishFailure | None:
    """The failure a GraphQL answer's ``errors`` say, or None when it has none."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    first = errors[0]
    message = str(first.get("message") or "")
    extensions = first.get("extensions")
    code = str(extensions.get("code") or "") if isinstance(extensions, dict) else ""
    said = f"gql.hashnode.com refused: {message or code}"
    if code == "UNAUTHENTICATED":
        return NeedsReconnect(said, network_message=message, status=status)
    if code == "FORBIDDEN":
        return Rejected(said, code="PERMISSION_DENIED", network_message=message, status=status)
    if code == "INTERNAL_SERVER_ERROR":
        return Retryable(said, network_message=message, status=status, sent=None)
    if code in INVALID_INPUT or status < 500:
        return Rejected(said, network_message=message, status=status)
    return None


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """A 4xx or 5xx with GraphQL errors (a query Hashnode could not run); else the shared mapping."""
    if response.status_code == 429 or response.status_code >= 500:
        return None  # rate limits and outages: Retry-After and "outcome unknown", as for every network
    return graphql_failure(body, response.status_code)


def graphql(http: NetworkHttp, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a GraphQL call, or the failure its ``errors`` say."""
    response = http.call(
        "POST",
        GQL,
        json={"query": query, "variables": variables},
        headers={"Authorization": token},
        classify=classify,
    )
    try:
        body = response.json()
    except ValueError:
        raise Rejected("gql.hashnode.com answered something that is not JSON", code="BAD_RESPONSE") from None
    failure = graphql_failure(body, response.status_code)
    if failure is not None:
        raise failure
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise Rejected("gql.hashnode.com answered no data", code="BAD_RESPONSE")
    return data


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        publication = job.settings.get("publication_id") or job.account.metadata.get("publication_id")
        if not publication:
            raise Rejected(
                "Hashnode needs a publication: this account has none; make one on Hashnode, or name one with"
                " the publication_id setting",
                code="VALIDATION_FAILED",
                sent=False,
            )
        if not job.title:
            raise Rejected("Hashnode needs a title for the article", code="VALIDATION_FAILED", sent=False)
        markdown = body_of(job)  # Markdown as Dev.to's: the link on a line of its own
        post: dict[str, Any] = {"title": job.title, "publicationId": publication, "contentMarkdown": markdown}
        if job.settings.get("tags"):
            post["tags"] = [{"slug": tag, "name": tag} for tag in job.settings["tags"]]
        if job.settings.get("subtitle"):
            post["subtitle"] = job.settings["subtitle"]
        if job.settings.get("canonical_url"):
            post["originalArticleURL"] = job.settings["canonical_url"]
        if job.settings.get("cover_image"):
            post["coverImageOptions"] = {"coverImageURL": job.settings["cover_image"]}

        def send() -> dict[str, Any]:
            made = graphql(self._http, job.token, PUBLISH, {"input": post})["publishPost"]["post"]
            return {"id": str(made["id"]), "url": made.get("url")}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            data = graphql(self._http, job.token, RECENT, {"id": publication, "first": LOOKUP_POSTS})
            edges = ((data.get("publication") or {}).get("posts") or {}).get("edges") or []
            for node in (e.get("node") or {} for e in edges if isinstance(e, dict)):
                same = node.get("title") == job.title and (node.get("content") or {}).get("markdown") == markdown
                if same and made_since(node.get("publishedAt"), armed_at):
                    return {"id": str(node["id"]), "url": node.get("url")}
            return None

        made = steps.visible("post", send, find=find)
        return Published(post_id=made["id"], url=made.get("url"))
