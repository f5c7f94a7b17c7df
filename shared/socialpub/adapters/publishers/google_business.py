"""Google Business Profile (developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts),
with the account's Google OAuth token (``business.manage``).

- the location, once: ``job.account.external_id`` when it is a location (``accounts/*/locations/*``:
  the one chosen at connect), else ``metadata["location"]``; else (an account connected as the Google
  user, before locations were chosen) the only location the user manages, found through the Account
  Management API (``GET /v1/accounts``) and the Business Information API
  (``GET /v1/{account}/locations?readMask=name,title``);
- ``POST /v4/{location}/localPosts``: a ``STANDARD`` post (``summary`` up to 1,500 characters; Google
  has no title on standard posts, so a title leads the summary when both fit), the photo as
  ``media[{mediaFormat: PHOTO, sourceUrl}]`` which Google pulls from the signed URL, and
  ``callToAction`` from the ``call_to_action`` setting (``url``: the post's link; none for ``CALL``),
  or ``LEARN_MORE`` to the link when only a link is given;
- a post with media is ``PROCESSING`` at first: ``GET /v4/{post}`` is polled until ``LIVE``, whose
  ``searchUrl`` is the permalink (``REJECTED``: refused for a content policy).

The API has no idempotency key: a lost answer is looked up in ``GET /v4/{location}/localPosts``
(a post with the same summary created since the call). Events and offers need dates the post does
not carry, so every post is ``STANDARD``.

Failures (``{"error": {"code", "message", "status", "details"}}``): UNAUTHENTICATED or a missing scope
is TOKEN_REJECTED; RESOURCE_EXHAUSTED / 429 is RATE_LIMITED (``RetryInfo.retryDelay``); a location
gone (NOT_FOUND) or no longer managed (PERMISSION_DENIED) is NeedsReconnect ``ACCESS_REVOKED``, a
disabled API PERMISSION_DENIED; INVALID_ARGUMENT / FAILED_PRECONDITION are VALIDATION_FAILED with the
field violations.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, made_since, retry_after
from socialpub.domain.publishing import (
    NeedsReconnect,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

API = "https://mybusiness.googleapis.com/v4"
ACCOUNTS = "https://mybusinessaccountmanagement.googleapis.com/v1/accounts"
INFORMATION = "https://mybusinessbusinessinformation.googleapis.com/v1"
LOCATION = re.compile(r"^accounts/[^/]+/locations/[^/]+$")
MAX_SUMMARY = 1500
POLL_SECONDS = 2.0
MAX_POLLS = 30
NO_URL_ACTIONS = {"CALL"}
SCOPE_REASONS = {"ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
APP_REASONS = {"SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED", "ACCESS_NOT_CONFIGURED"}


def _details(error: dict[str, Any]) -> tuple[list[str], set[str], float | None]:
    """Field violations, ErrorInfo reasons and RetryInfo delay from ``error.details``."""
    violations: list[str] = []
    reasons: set[str] = set()
    delay: float | None = None
    for detail in error.get("details") or []:
        if not isinstance(detail, dict):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.BadRequest"):
            violations += [
                f"{v.get('field')}: {v.get('description')}"
                for v in detail.get("fieldViolations") or []
                if isinstance(v, dict)
            ]
        elif kind.endswith("google.rpc.ErrorInfo") and detail.get("reason"):
            reasons.add(str(detail["reason"]))
        elif kind.endswith("google.rpc.RetryInfo"):
            try:
                delay = float(str(detail.get("retryDelay", "")).removesuffix("s"))
            except ValueError:
                delay = None
    return violations, reasons, delay


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    status = response.status_code
    kind = str(error.get("status") or "")
    violations, reasons, delay = _details(error)
    text = str(error.get("message") or message)
    if violations:
        text = f"{text} ({'; '.join(violations)})"
    said = f"Google answered {status} {kind}: {text}".replace("  ", " ")
    if status == 429 or kind == "RESOURCE_EXHAUSTED":
        return Retryable(
            said,
            code="RATE_LIMITED",
            network_message=text,
            status=status,
            retry_after=delay if delay is not None else retry_after(response),
        )
    if status >= 500:
        return None
    if status == 401 or kind == "UNAUTHENTICATED" or reasons & SCOPE_REASONS:
        return NeedsReconnect(said, network_message=text, status=status)
    if reasons & APP_REASONS:
        return Rejected(said, code="PERMISSION_DENIED", network_message=text, status=status)
    if kind in {"NOT_FOUND", "PERMISSION_DENIED"} or status in {403, 404}:
        return NeedsReconnect(
            f"{said}; the location is gone or no longer managed by this Google account: reconnect it",
            code="ACCESS_REVOKED",
            network_message=text,
            status=status,
        )
    return Rejected(said, network_message=text, status=status)


def _stored(post: dict[str, Any]) -> dict[str, Any]:
    return {"name": str(post["name"]), "state": post.get("state"), "searchUrl": post.get("searchUrl")}


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        headers = {"Authorization": f"Bearer {job.token}"}
        location = steps.once("location", lambda: self._location(job, headers))
        summary = job.text
        if job.title and len(job.title) + 2 + len(job.text) <= MAX_SUMMARY:
            summary = f"{job.title}\n\n{job.text}" if job.text else job.title
        body: dict[str, Any] = {"languageCode": "en", "summary": summary, "topicType": "STANDARD"}
        action = job.settings.get("call_to_action")
        if action:
            body["callToAction"] = {"actionType": action}
            if job.link and action not in NO_URL_ACTIONS:
                body["callToAction"]["url"] = job.link
        elif job.link:
            body["callToAction"] = {"actionType": "LEARN_MORE", "url": job.link}
        if job.images():
            body["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": m.url} for m in job.images()]

        def send() -> dict[str, Any]:
            answer = self._http.json(
                "POST", f"{API}/{location}/localPosts", headers=headers, json=body, classify=classify
            )
            return _stored(answer)

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET",
                f"{API}/{location}/localPosts",
                headers=headers,
                params={"pageSize": 100},
                classify=classify,
            )
            for post in answer.get("localPosts") or [] if isinstance(answer, dict) else []:
                if post.get("summary") == summary and made_since(post.get("createTime"), armed_at):
                    return _stored(post)
            return None

        post = steps.visible("post", send, find)
        if post.get("state") != "LIVE":
            post = {**post, **steps.once("post.live", lambda: self._live(headers, post["name"], steps))}
        return Published(post_id=post["name"], url=post.get("searchUrl"))

    def _location(self, job: PublishJob, headers: dict[str, str]) -> str:
        for candidate in (job.account.external_id, job.account.metadata.get("location", "")):
            if LOCATION.match(candidate):
                return candidate
        accounts = self._http.json("GET", ACCOUNTS, headers=headers, classify=classify).get("accounts") or []
        found = []
        for account in accounts:
            answer = self._http.json(
                "GET",
                f"{INFORMATION}/{account['name']}/locations",
                headers=headers,
                params={"readMask": "name,title", "pageSize": 100},
                classify=classify,
            )
            found += [f"{account['name']}/{loc['name']}" for loc in answer.get("locations") or []]
        if len(found) != 1:
            raise Rejected(
                f"The Google account manages {len(found)} business locations; reconnect it and choose the location",
                code="VALIDATION_FAILED",
            )
        return found[0]

    def _live(self, headers: dict[str, str], name: str, steps: Steps) -> dict[str, Any]:
        """Posts with media are PROCESSING until Google has pulled and checked the files."""
        for attempt in range(MAX_POLLS):
            if attempt:
                steps.wait(POLL_SECONDS)
            post = self._http.json("GET", f"{API}/{name}", headers=headers, classify=classify)
            if post.get("state") == "LIVE":
                return _stored(post)
            if post.get("state") == "REJECTED":
                raise Rejected("Google rejected the post for a content policy violation", code="VALIDATION_FAILED")
        raise Retryable("Google is still processing the post", code="MEDIA_PROCESSING")
