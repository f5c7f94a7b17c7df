"""Lemmy (join-lemmy.org/api, HTTP API v3 of Lemmy 0.19): a post in the community of the setting
``community``, on the account's instance, with the session JWT as ``Authorization: Bearer``.

- The community: ``GET /api/v3/community?name=`` (``name`` or ``name@instance`` for a federated one)
  gives its id.
- An image: ``POST /pictrs/image`` (multipart ``images[]``) answers the file's name; the image is then
  ``https://<instance>/pictrs/image/<file>``, given as the post's ``url`` (with ``alt_text``).
- The post: ``POST /api/v3/post`` with ``name`` (the title, which Lemmy requires), ``community_id``,
  ``body`` (the text), ``url`` (the image, else the link; with both, the link ends the body), ``nsfw``
  and ``language_id`` from the settings.
- The first comment: ``POST /api/v3/comment`` (``post_id``, ``content``).

Lemmy has no idempotency key: a lost answer is looked up in the community's newest posts
(``GET /api/v3/post/list?community_id=&sort=New``: this account's post with this title, made since
the attempt) and a lost comment in the post's comments. The result is the post's id and its
``ap_id`` (``https://<instance>/post/<id>``).

Lemmy's errors are ``{"error": "<code>"}``, mostly with a 400: ``not_logged_in`` / ``incorrect_login``
need a reconnect, ``rate_limit_error`` is RATE_LIMITED, bans and mod-only communities
PERMISSION_DENIED, any other code VALIDATION_FAILED with the code as the network's message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, made_since, retry_after
from socialpub.domain.publishing import (
    MediaFile,
    NeedsReconnect,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

LIST_LIMIT = 50
SIGNED_OUT = {"not_logged_in", "incorrect_login", "no_id_given"}
FORBIDDEN = {
    "banned_from_community",
    "site_ban",
    "person_is_banned_from_community",
    "only_mods_can_post_in_community",
    "community_is_locked",
    "not_an_admin",
    "not_a_mod_or_admin",
}


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    code = str(body.get("error") or "") if isinstance(body, dict) else ""
    status = response.status_code
    said = f"Lemmy answered {status}: {code or message}"
    if status == 429 or code == "rate_limit_error":
        return Retryable(
            said, code="RATE_LIMITED", network_message=code or message, status=status, retry_after=retry_after(response)
        )
    if status >= 500 or not code:
        return None
    if code in SIGNED_OUT:
        return NeedsReconnect(said, network_message=code, status=status)
    if code in FORBIDDEN:
        return Rejected(said, code="PERMISSION_DENIED", network_message=code, status=status)
    return Rejected(said, code="VALIDATION_FAILED", network_message=code, status=status)


def link(account: PublishAccount, post_id: str) -> str | None:
    return f"https://{account.instance}/post/{post_id}" if account.instance else None


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        community = str(job.settings.get("community") or "").strip().removeprefix("!")
        if not community:
            raise Rejected("A Lemmy post needs a community: set community", code="VALIDATION_FAILED")
        title = (job.title or "").strip()
        if not title:
            raise Rejected("A Lemmy post needs a title", code="VALIDATION_FAILED")
        if job.videos() or len(job.images()) > 1:
            raise Rejected("A Lemmy post carries at most one image, and no video", code="VALIDATION_FAILED")
        base = f"https://{job.account.instance}"
        headers = {"Authorization": f"Bearer {job.token}"}

        community_id = steps.once("community", lambda: self._community(base, headers, community))
        body: dict[str, Any] = {"name": title, "community_id": community_id}
        text = job.text.strip()
        images = job.images()
        if images:
            image = images[0]
            body["url"] = steps.once("image", lambda: self._upload(base, headers, image))
            if image.alt_text:
                body["alt_text"] = image.alt_text
            if job.link:  # the url holds the image: the link goes in the body
                text = f"{text}\n\n{job.link}" if text else job.link
        elif job.link:
            body["url"] = job.link
        if text:
            body["body"] = text
        if job.settings.get("nsfw") is not None:
            body["nsfw"] = bool(job.settings["nsfw"])
        if job.settings.get("language_id") is not None:
            body["language_id"] = int(job.settings["language_id"])
        author = job.account.external_id

        def send() -> dict[str, Any]:
            answer = self._http.json("POST", f"{base}/api/v3/post", json=body, headers=headers, classify=classify)
            return _result(answer["post_view"]["post"])

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET",
                f"{base}/api/v3/post/list",
                params={"community_id": community_id, "sort": "New", "limit": LIST_LIMIT},
                headers=headers,
                classify=classify,
            )
            for view in answer.get("posts") or []:
                post = view.get("post") or {}
                if (
                    str(post.get("creator_id")) == author
                    and post.get("name") == title
                    and made_since(post.get("published"), armed_at)
                ):
                    return _result(post)
            return None

        post = steps.visible("post", send, find)

        if job.first_comment:
            comment = job.first_comment

            def send_comment() -> dict[str, Any]:
                answer = self._http.json(
                    "POST",
                    f"{base}/api/v3/comment",
                    json={"post_id": int(post["id"]), "content": comment},
                    headers=headers,
                    classify=classify,
                )
                return {"id": str(answer["comment_view"]["comment"]["id"])}

            def find_comment(armed_at: datetime) -> dict[str, Any] | None:
                answer = self._http.json(
                    "GET",
                    f"{base}/api/v3/comment/list",
                    params={"post_id": post["id"], "sort": "New", "limit": LIST_LIMIT},
                    headers=headers,
                    classify=classify,
                )
                for view in answer.get("comments") or []:
                    found = view.get("comment") or {}
                    if str(found.get("creator_id")) == author and found.get("content") == comment:
                        return {"id": str(found["id"])}
                return None

            steps.visible("comment", send_comment, find_comment)
        return Published(post_id=post["id"], url=post.get("url"))

    def _community(self, base: str, headers: dict[str, str], name: str) -> int:
        answer = self._http.json(
            "GET", f"{base}/api/v3/community", params={"name": name}, headers=headers, classify=classify
        )
        return int(answer["community_view"]["community"]["id"])

    def _upload(self, base: str, headers: dict[str, str], media: MediaFile) -> str:
        answer = self._http.json(
            "POST",
            f"{base}/pictrs/image",
            headers=headers,
            files={"images[]": (media.filename, media.content(), media.mime_type)},
            classify=classify,
        )
        files = answer.get("files") if isinstance(answer, dict) else None
        if answer.get("msg") != "ok" or not files:
            raise Rejected(
                f"Lemmy's image store refused the image: {answer.get('msg')}",
                code="MEDIA_REJECTED",
                network_message=str(answer.get("msg") or ""),
            )
        return f"{base}/pictrs/image/{files[0]['file']}"


def _result(post: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(post["id"]), "url": post.get("ap_id")}
