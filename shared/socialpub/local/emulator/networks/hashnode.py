"""Hashnode's GraphQL API (apidocs.hashnode.com), at ``POST /gql.hashnode.com``, with Hashnode's own
rules and answers. The personal access token comes as is in ``Authorization``; a missing, malformed or
revoked one is answered as Hashnode does, in the body (HTTP 200):
``{"data": null, "errors": [{"message", "extensions": {"code": "UNAUTHENTICATED"}}]}``. A well-formed
token (16-64 letters, digits, ``_`` or ``-``) the emulator has not seen is a new user's;
``POST /_emulator/revoke`` revokes every token of the network.

Only the operations the product sends are understood, told apart by their root fields:

- ``me { ... publications(first:) }``: the token's user and its publications (ids are 24-hex ObjectIds):
  one, its own blog; a user whose token starts with ``team-`` also writes in a team blog (two);
  ``me { followersCount followingsCount }`` alone is the account's figures.
- ``publishPost(input: PublishPostInput!)``: ``title`` (required, at most 250 characters),
  ``contentMarkdown`` (required), ``publicationId`` (one of the user's, else FORBIDDEN), ``tags`` (at most
  5, each ``{slug, name}``), ``subtitle`` (at most 150), ``originalArticleURL``,
  ``coverImageOptions.coverImageURL``; a refusal is ``BAD_USER_INPUT`` with Hashnode's words.
- ``publication(id:) { posts(first:) }``: the publication's posts, newest first.
- ``p0: post(id: $p0) { views reactionCount responseCount }`` (aliases, several at once): each post's
  figures (growing with time since publishing, or as set through ``/_emulator/metrics``); null for a
  post Hashnode does not have.

Fault endpoints: ``profile`` (me with publications), ``publishPost``, ``posts`` (publication.posts),
``insights`` (post figures), ``account_insights`` (me's figures).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import Profile, SignIn
from socialpub.local.emulator.state import EmulatedPost, EmulatorState

NETWORK = "hashnode"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
MAX_TITLE = 250
MAX_SUBTITLE = 150
MAX_TAGS = 5
POST_FIGURES = ("views", "reactionCount", "responseCount")
ACCOUNT_FIGURES = ("followersCount", "followingsCount")
UNAUTHENTICATED = {
    "data": None,
    "errors": [{"message": "You must be authenticated to do this.", "extensions": {"code": "UNAUTHENTICATED"}}],
}
ALIASED_POST = re.compile(r"(\w+)\s*:\s*post\s*\(\s*id\s*:\s*\$(\w+)\s*\)")

# No OAuth: the user makes a personal access token at hashnode.com/settings/developer; ``me`` proves it.
SIGN_IN = SignIn(
    network=NETWORK,
    name="Hashnode",
    docs="https://apidocs.hashnode.com/#authentication",
    api="https://gql.hashnode.com",
    profile=Profile(
        url="https://gql.hashnode.com",
        fields={
            "id": "data.me.id",
            "name": "data.me.name",
            "username": "data.me.username",
            "image": "data.me.profilePicture",
        },
    ),
    unauthorized=UNAUTHENTICATED,
)


def _object_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:24]


def _refused(message: str, code: str = "BAD_USER_INPUT") -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _problems(post: dict[str, Any]) -> list[str]:
    """Hashnode's refusals of a PublishPostInput, in its words."""
    found = []
    title = post.get("title")
    if not isinstance(title, str) or not title.strip():
        found.append("Title is required")
    elif len(title) > MAX_TITLE:
        found.append(f"Title must be at most {MAX_TITLE} characters long")
    content = post.get("contentMarkdown")
    if not isinstance(content, str) or not content.strip():
        found.append("Content is required")
    subtitle = post.get("subtitle")
    if subtitle is not None and (not isinstance(subtitle, str) or len(subtitle) > MAX_SUBTITLE):
        found.append(f"Subtitle must be at most {MAX_SUBTITLE} characters long")
    tags = post.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, dict) and (t.get("slug") or t.get("id")) for t in tags):
        found.append("Tags must be a list of {slug, name} or {id}")
    elif len(tags) > MAX_TAGS:
        found.append(f"A post can have at most {MAX_TAGS} tags")
    return found


def router(state: EmulatorState) -> APIRouter:
    api = APIRouter()

    def user_of(request: Request) -> str | None:
        token = request.headers.get("authorization", "").strip()
        if not TOKEN.match(token):
            return None  # "Bearer <token>" too: Hashnode takes the token as is
        user = "hn-" + hashlib.sha256(token.encode()).hexdigest()[:8]
        user = f"team-{user}" if token.startswith("team-") else user  # one in two publications
        return state.personal_key(NETWORK, token, user)

    def me(user: str, with_publications: bool) -> dict[str, Any]:
        username = user.replace("-", "")
        body: dict[str, Any] = {
            "id": _object_id(NETWORK, "user", user),
            "username": username,
            "name": user.replace("-", " ").title(),
            "profilePicture": f"https://cdn.hashnode.com/res/hashnode/image/upload/{username}.png",
        }
        figures = state.figures(NETWORK, body["id"], ACCOUNT_FIGURES, 0.0)
        body.update(figures)
        if with_publications:
            edges = [{"node": node} for node in publications(user)]
            body["publications"] = {"edges": edges, "totalDocuments": len(edges)}
        return body

    def publications(user: str) -> list[dict[str, Any]]:
        """The publications the user may post in: their own blog, and a team's for a ``team-`` user."""
        username = user.replace("-", "")
        own = {
            "id": _object_id(NETWORK, "publication", user),
            "title": f"{user.replace('-', ' ').title()}'s blog",
            "url": f"https://{username}.hashnode.dev",
        }
        if not user.startswith("team-"):
            return [own]
        team = {"id": _object_id(NETWORK, "publication", user, "team"), "title": "The team blog"}
        return [own, {**team, "url": f"https://team-{username}.hashnode.dev"}]

    def post_node(post: EmulatedPost) -> dict[str, Any]:
        return {
            "id": post.id,
            "slug": post.extra["slug"],
            "url": post.url,
            "title": post.title,
            "subtitle": post.extra.get("subtitle"),
            "publishedAt": _stamp(post.created_at),
            "content": {"markdown": post.text},
        }

    async def publish(user: str, variables: dict[str, Any]) -> Response:
        post = variables.get("input")
        if not isinstance(post, dict):
            return _refused('Variable "$input" of required type "PublishPostInput!" was not provided.')
        problems = _problems(post)
        if problems:
            return _refused("; ".join(problems))
        publication = str(post.get("publicationId") or "")
        if not OBJECT_ID.match(publication):
            return _refused(f"Invalid publication id: {publication!r}")
        host = next((p["url"] for p in publications(user) if p["id"] == publication), None)
        if host is None:
            return _refused("You are not allowed to publish in this publication", "FORBIDDEN")
        slug = re.sub(r"[^a-z0-9]+", "-", post["title"].lower()).strip("-")[:60] or "post"
        made = state.add_post(
            EmulatedPost(
                network=NETWORK,
                account=_object_id(NETWORK, "user", user),
                id=secrets.token_hex(12),
                text=post["contentMarkdown"],
                url=f"{host}/{slug}",
                title=post["title"],
                extra={
                    "slug": slug,
                    "publication": publication,
                    "tags": [t.get("slug") or t.get("id") for t in post.get("tags") or []],
                    **({"subtitle": post["subtitle"]} if post.get("subtitle") else {}),
                    **({"canonical_url": post["originalArticleURL"]} if post.get("originalArticleURL") else {}),
                    **(
                        {"cover_image": post["coverImageOptions"]["coverImageURL"]}
                        if isinstance(post.get("coverImageOptions"), dict)
                        and post["coverImageOptions"].get("coverImageURL")
                        else {}
                    ),
                },
            )
        )
        node = post_node(made)
        answer = {"data": {"publishPost": {"post": {k: node[k] for k in ("id", "slug", "url", "title")}}}}
        return await state.after(NETWORK, "publishPost", JSONResponse(answer))

    def publication_posts(user: str, variables: dict[str, Any]) -> Response:
        publication = str(variables.get("id") or "")
        if all(p["id"] != publication for p in publications(user)):
            return JSONResponse({"data": {"publication": None}})
        first = int(variables.get("first") or 10)
        if not 1 <= first <= 50:
            return _refused("first must be between 1 and 50")
        posts = [p for p in state.posts_of(NETWORK) if p.extra.get("publication") == publication]
        newest = sorted(posts, key=lambda p: -p.created_at)[:first]
        edges = [{"node": post_node(p)} for p in newest]
        return JSONResponse({"data": {"publication": {"id": publication, "posts": {"edges": edges}}}})

    def figures(query: str, variables: dict[str, Any]) -> Response:
        known = {p.id: p for p in state.posts_of(NETWORK)}
        data: dict[str, Any] = {}
        for alias, variable in ALIASED_POST.findall(query):
            post = known.get(str(variables.get(variable)))
            if post is None:
                data[alias] = None
                continue
            data[alias] = {"id": post.id, **state.figures(NETWORK, post.id, POST_FIGURES, post.created_at)}
        return JSONResponse({"data": data})

    @api.post("/gql.hashnode.com")
    async def graphql(request: Request) -> Response:
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str) or not query.strip():
            return JSONResponse(
                {"errors": [{"message": "Must provide query string.", "extensions": {"code": "BAD_REQUEST"}}]},
                status_code=400,
            )
        variables = payload.get("variables") or {}
        if "publishPost" in query:
            endpoint = "publishPost"
        elif re.search(r"\bpublication\s*\(", query):
            endpoint = "posts"
        elif ALIASED_POST.search(query):
            endpoint = "insights"
        elif re.search(r"\bme\s*\{", query):
            endpoint = "profile" if "publications" in query else "account_insights"
        else:
            return JSONResponse(
                {"errors": [{"message": "Unknown operation", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]},
                status_code=400,
            )
        if (fault := await state.before(NETWORK, endpoint)) is not None:
            return fault
        user = user_of(request)
        if user is None:
            return JSONResponse(UNAUTHENTICATED)
        if endpoint == "publishPost":
            return await publish(user, variables)
        if endpoint == "posts":
            return publication_posts(user, variables)
        if endpoint == "insights":
            return figures(query, variables)
        return JSONResponse({"data": {"me": me(user, with_publications=endpoint == "profile")}})

    state.post_figures[NETWORK] = POST_FIGURES
    state.account_figures[NETWORK] = ACCOUNT_FIGURES
    return api
