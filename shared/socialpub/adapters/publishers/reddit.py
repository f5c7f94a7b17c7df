"""Reddit (www.reddit.com/dev/api): a submission to the subreddit of the setting ``subreddit``.

Every call carries the catalog's User-Agent: Reddit throttles generic ones.

- ``POST /api/submit`` (form, ``api_type=json``, ``resubmit=true``): ``sr``, ``title`` (the post's title,
  which Reddit requires), ``kind`` and ``flair_id``/``nsfw``/``spoiler`` from the settings. ``self``
  carries the text; ``link`` (a post with a link and no media) carries ``url``; ``image`` carries the
  URL of an image uploaded to Reddit. Reddit posts have a body only as ``self`` posts, so a link or
  image post carries no text (a first comment can).
- An image: ``POST /api/media/asset.json`` (``filepath``, ``mimetype``) answers an S3 upload lease
  (``args.action``, scheme-less, and ``args.fields``); the file goes there as a multipart POST of the
  fields then ``file``; the image's URL is ``https:{action}/{key}``. Reddit answers an image submit
  with a websocket URL instead of the post; socialpub reads the post from the account's submissions.
- The first comment: ``POST /api/comment`` (``thing_id`` = the post's fullname, ``text``).

No video: Reddit's ``kind=video`` needs an undocumented upload lease, a poster image and a
websocket-reported result. The catalog says ``supports_videos: false``, so validation refuses a
video for Reddit before it is saved; a job that still carries one is refused here (VALIDATION_FAILED)
rather than half-done.

Lost answers are looked up in ``GET /user/{username}/submitted`` (subreddit, title and
``created_utc``) and, for the comment, ``GET /user/{username}/comments`` (parent and body). The result
is the submission's fullname (``t3_...``) and ``https://www.reddit.com{permalink}``.

Reddit answers refusals as 200s with ``{"json": {"errors": [[code, message, field]]}}``: RATELIMIT is
Retryable RATE_LIMITED with the delay its message names, ALREADY_SUB DUPLICATE_CONTENT,
SUBREDDIT_NOTALLOWED PERMISSION_DENIED, any other VALIDATION_FAILED.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, retry_after
from socialpub.domain.publishing import (
    MediaFile,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

BASE = "https://oauth.reddit.com"
CLOCK_SKEW = timedelta(seconds=60)
LISTING_LIMIT = 25
FIND_POLLS = 5  # an image submission shows in the listing once Reddit has processed the image
FIND_SECONDS = 2.0
UNITS = {"millisecond": 0.001, "second": 1, "minute": 60, "hour": 3600}
DELAY = re.compile(r"(\d+)\s*(millisecond|second|minute|hour)s?", re.IGNORECASE)


def _delay(message: str) -> float | None:
    """Seconds from RATELIMIT's "Take a break for 5 minutes before trying again."."""
    match = DELAY.search(message)
    return float(match.group(1)) * UNITS[match.group(2).lower()] if match else None


def _refusal(errors: list[Any]) -> PublishFailure:
    first = errors[0] if isinstance(errors[0], list) else [str(errors[0])]
    code, message = str(first[0]), str(first[1]) if len(first) > 1 else ""
    field = str(first[2]) if len(first) > 2 and first[2] else None
    said = f"Reddit refused the post ({code}{f' on {field}' if field else ''}): {message}"
    if code == "RATELIMIT":
        return Retryable(said, code="RATE_LIMITED", network_message=message, status=200, retry_after=_delay(message))
    if code == "ALREADY_SUB":
        return Rejected(said, code="DUPLICATE_CONTENT", network_message=message, status=200)
    if code in ("SUBREDDIT_NOTALLOWED", "SUBREDDIT_NOTALLOWED_BANNED", "USER_BLOCKED"):
        return Rejected(said, code="PERMISSION_DENIED", network_message=message, status=200)
    return Rejected(said, code="VALIDATION_FAILED", network_message=message, status=200)


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    if response.status_code == 429 and response.headers.get("retry-after") is None:
        # Reddit names the seconds left in its window in X-Ratelimit-Reset.
        reset = response.headers.get("x-ratelimit-reset")
        wait = float(reset) if reset and reset.replace(".", "", 1).isdigit() else None
        return Retryable(
            f"Reddit answered 429: {message or 'Too Many Requests'}",
            code="RATE_LIMITED",
            network_message=message,
            status=429,
            retry_after=wait if wait is not None else retry_after(response),
        )
    return None


def _errors_of(answer: Any) -> list[Any]:
    inner = answer.get("json") if isinstance(answer, dict) else None
    errors = inner.get("errors") if isinstance(inner, dict) else None
    return errors if isinstance(errors, list) else []


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        subreddit = str(job.settings.get("subreddit") or "").strip().removeprefix("r/").removeprefix("/r/")
        if not subreddit:
            raise Rejected("A Reddit post needs a subreddit: set subreddit", code="VALIDATION_FAILED")
        if job.videos():
            raise Rejected(
                "socialpub does not publish videos to Reddit (its video upload is not in Reddit's documented "
                "API); post a link to the video instead",
                code="VALIDATION_FAILED",
            )
        images = job.images()
        if len(images) > 1:
            raise Rejected("A Reddit post carries one image", code="VALIDATION_FAILED")
        username = job.account.username or ""
        headers = {"Authorization": f"Bearer {job.token}", **job.platform.auth.request.headers}

        form: dict[str, str] = {
            "api_type": "json",
            "sr": subreddit,
            "title": job.title or "",
            "resubmit": "true",
            "sendreplies": "true",
        }
        if images:
            url = steps.once("image", lambda: self._upload(headers, images[0]))
            form.update(kind="image", url=url)
        elif job.link:
            form.update(kind="link", url=job.link)
        else:
            form.update(kind="self", text=job.text)
        if job.settings.get("flair_id"):
            form["flair_id"] = str(job.settings["flair_id"])
        for flag in ("nsfw", "spoiler"):
            if job.settings.get(flag) is not None:
                form[flag] = "true" if job.settings[flag] else "false"

        def find(armed_at: datetime) -> dict[str, Any] | None:
            return self._find_submission(headers, username, form, armed_at)

        post = steps.visible("submit", lambda: self._submit(headers, form, find, steps), find)

        if job.first_comment:
            text = job.first_comment

            def comment() -> dict[str, Any]:
                return self._comment(headers, post["id"], text)

            def find_comment(armed_at: datetime) -> dict[str, Any] | None:
                return self._find_comment(headers, username, post["id"], text, armed_at)

            steps.visible("comment", comment, find_comment)
        return Published(post_id=post["id"], url=post.get("url"))

    # ------------------------------------------------------------------ calls

    def _post(self, headers: dict[str, str], path: str, form: dict[str, str]) -> dict[str, Any]:
        answer = self._http.json("POST", f"{BASE}{path}", headers=headers, data=form, classify=classify)
        errors = _errors_of(answer)
        if errors:
            raise _refusal(errors)
        return answer if isinstance(answer, dict) else {}

    def _submit(
        self,
        headers: dict[str, str],
        form: dict[str, str],
        find: Callable[[datetime], dict[str, Any] | None],
        steps: Steps,
    ) -> dict[str, Any]:
        sent_at = datetime.now(UTC)
        data = self._post(headers, "/api/submit", form).get("json", {}).get("data") or {}
        if data.get("name"):
            return {"id": str(data["name"]), "url": data.get("url")}
        # A media submission answers only a websocket URL; the post shows in the listing once ready.
        for _ in range(FIND_POLLS):
            found = find(sent_at)
            if found is not None:
                return found
            steps.wait(FIND_SECONDS)
        raise Retryable("Reddit accepted the submission but has not shown it yet", code="MEDIA_PROCESSING", sent=None)

    def _upload(self, headers: dict[str, str], image: MediaFile) -> str:
        """An S3 upload lease from Reddit, the file POSTed there; the image's URL on Reddit's bucket."""
        lease = self._http.json(
            "POST",
            f"{BASE}/api/media/asset.json",
            headers=headers,
            data={"filepath": image.filename, "mimetype": image.mime_type},
            classify=classify,
        )
        args = lease.get("args") or {}
        fields = {str(f["name"]): str(f["value"]) for f in args.get("fields") or []}
        if not args.get("action") or "key" not in fields:
            raise Rejected("Reddit answered an upload lease without action or key", code="BAD_RESPONSE")
        upload_url = f"https:{args['action']}" if str(args["action"]).startswith("//") else str(args["action"])
        self._http.call(
            "POST",
            upload_url,
            data=fields,
            files={"file": (image.filename, image.content(), image.mime_type)},
            headers={"User-Agent": headers.get("User-Agent", "")},
        )
        return f"{upload_url}/{fields['key']}"

    def _comment(self, headers: dict[str, str], parent: str, text: str) -> dict[str, Any]:
        form = {"api_type": "json", "thing_id": parent, "text": text}
        things = self._post(headers, "/api/comment", form).get("json", {}).get("data", {}).get("things") or []
        if not things:
            raise Rejected("Reddit answered the comment without it", code="BAD_RESPONSE")
        data = things[0].get("data") or {}
        return {"id": str(data["name"]), "url": _permalink(data)}

    def _listing(self, headers: dict[str, str], username: str, what: str) -> list[dict[str, Any]]:
        answer = self._http.json(
            "GET",
            f"{BASE}/user/{username}/{what}",
            headers=headers,
            params={"limit": LISTING_LIMIT, "raw_json": 1},
            classify=classify,
        )
        children = (answer.get("data") or {}).get("children") or [] if isinstance(answer, dict) else []
        return [child.get("data") or {} for child in children]

    def _find_submission(
        self, headers: dict[str, str], username: str, form: dict[str, str], armed_at: datetime
    ) -> dict[str, Any] | None:
        for post in self._listing(headers, username, "submitted"):
            if not _recent(post, armed_at):
                continue
            if post.get("title") == form["title"] and str(post.get("subreddit", "")).lower() == form["sr"].lower():
                if form["kind"] == "link" and post.get("url") != form["url"]:
                    continue
                return {"id": str(post["name"]), "url": _permalink(post)}
        return None

    def _find_comment(
        self, headers: dict[str, str], username: str, parent: str, text: str, armed_at: datetime
    ) -> dict[str, Any] | None:
        for comment in self._listing(headers, username, "comments"):
            if _recent(comment, armed_at) and comment.get("parent_id") == parent and comment.get("body") == text:
                return {"id": str(comment["name"]), "url": _permalink(comment)}
        return None


def _recent(thing: dict[str, Any], armed_at: datetime) -> bool:
    created = thing.get("created_utc")
    return isinstance(created, int | float) and created >= (armed_at - CLOCK_SKEW).timestamp()


def _permalink(thing: dict[str, Any]) -> str | None:
    permalink = thing.get("permalink")
    return f"https://www.reddit.com{permalink}" if permalink else thing.get("url")
