"""X (docs.x.com/x-api): each media file through the v2 chunked upload -- ``POST /2/media/upload/initialize``
(``media_type``, ``total_bytes``, ``media_category``), ``POST /2/media/upload/{id}/append`` (multipart ``media``
and ``segment_index``, 4 MiB chunks), ``POST /2/media/upload/{id}/finalize`` -- then, while ``processing_info``
says so (videos, GIFs), ``GET /2/media/upload?command=STATUS`` after ``check_after_secs``; image alt text
through ``POST /2/media/metadata``. Then ``POST /2/tweets`` (``text``, ``media.media_ids``, ``reply_settings``);
thread parts and the first comment reply to the post before (``reply.in_reply_to_tweet_id``) and carry the same
``reply_settings``.

X has no idempotency key. A post whose answer was lost is looked up in the account's timeline
(``GET /2/users/{id}/tweets`` from a minute before the step was armed), matching the text as X gives it back
(entities escaped, links and attached media as t.co links) and the post it replies to. Should the lookup miss a
post that was made, X itself refuses the resend as duplicate content: never a second post.

Media ids expire ``expires_after_secs`` (FINALIZE's answer, a day) after the upload. Each upload's checkpoint
keeps when its id expires; a post sent within EXPIRY_MARGIN_SECONDS of that (a retry a day later) uploads the
files again first, and a post X refuses with "Your media IDs are invalid." (a checkpoint without an expiry, or
X forgetting sooner) is sent once more after a new upload: X refused it, so nothing was posted.

Errors read from X's problem bodies: 403 "duplicate content" -> Rejected DUPLICATE_CONTENT; 429 of type
``usage-capped`` (the monthly cap of the API tier) -> Rejected QUOTA_EXCEEDED; any other 429 -> Retryable
RATE_LIMITED after Retry-After or ``x-rate-limit-reset``; 400 ``errors[].message`` kept as the network's
message (MEDIA_REJECTED on the upload endpoints); processing ``state: failed`` -> Rejected MEDIA_REJECTED.
"""

from __future__ import annotations

import html
import math
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, retry_after
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import (
    MediaFile,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)
from socialpub.domain.text_length import urls

API = "https://api.x.com/2"
CHUNK_BYTES = 4 * 1024 * 1024  # X takes at most 5 MB per APPEND
POLL_SECONDS = 2.0
MAX_POLL_SECONDS = 30.0
MAX_POLLS = 60
LOOKBACK = timedelta(seconds=60)  # clock skew between us and X when looking a post up
TIMELINE_PAGES = 5
# A stored media id this close to its expiry is uploaded again before the post is sent: the post call
# (and a video's processing before it) must not outlive it.
EXPIRY_MARGIN_SECONDS = 600
MAX_ALT_TEXT = 1000
_URL = re.compile(r"https?://\S+")


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        headers = {"Authorization": f"Bearer {job.token}"}
        media_ids = [self._media(headers, steps, index, media) for index, media in enumerate(job.media)]

        reply_settings = job.settings.get("reply_settings")
        texts = [*job.parts, *([job.first_comment] if job.first_comment else [])]
        first: dict[str, Any] | None = None
        previous: str | None = None
        for index, text in enumerate(texts):
            body: dict[str, Any] = {"text": text}
            if index == 0 and media_ids:
                body["media"] = {"media_ids": media_ids}
            if reply_settings:
                body["reply_settings"] = reply_settings
            if previous:
                body["reply"] = {"in_reply_to_tweet_id": previous}

            def send(body: dict[str, Any] = body) -> dict[str, Any]:
                if "media" in body:
                    # A retry may come a day after the uploads: ids about to expire are renewed first.
                    body["media"] = {"media_ids": self._all_media(headers, steps, job, renew=None)}
                try:
                    answer = self._http.json("POST", f"{API}/tweets", json=body, headers=headers, classify=classify)
                except Rejected as refused:
                    if "media" not in body or not expired_media(refused):
                        raise
                    # X no longer knows the ids (they expired sooner than they said): it refused the
                    # post, so nothing was posted. Upload the files again, once, and send it again.
                    body["media"] = {"media_ids": self._all_media(headers, steps, job, renew=True)}
                    answer = self._http.json("POST", f"{API}/tweets", json=body, headers=headers, classify=classify)
                return {"id": str(answer["data"]["id"])}

            def find(armed_at: datetime, text: str = text, parent: str | None = previous) -> dict[str, Any] | None:
                return self._find(job, headers, armed_at, text, parent)

            tweet = steps.visible(f"tweet.{index}", send, find)
            previous = tweet["id"]
            first = first or tweet
        assert first is not None
        return Published(post_id=first["id"], url=permalink(job.account.username, first["id"]))

    # ------------------------------------------------------------------ media

    def _all_media(self, headers: dict[str, str], steps: Steps, job: PublishJob, *, renew: bool | None) -> list[str]:
        return [self._media(headers, steps, index, media, renew=renew) for index, media in enumerate(job.media)]

    def _media(
        self, headers: dict[str, str], steps: Steps, index: int, media: MediaFile, *, renew: bool | None = False
    ) -> str:
        """The file's media id on X: uploaded once (then processed, described). ``renew``: True uploads
        it again; None, only if the stored upload expires within EXPIRY_MARGIN_SECONDS (X's media ids
        live ``expires_after_secs``, a day: a post retried later needs new ones); False never does."""
        name = f"media.{index}"
        upload: dict[str, Any] = steps.once(name, lambda: self._upload(headers, media))
        if renew is None:
            renew = float(upload.get("expires_at") or math.inf) - EXPIRY_MARGIN_SECONDS <= time.time()
        keep = steps.redo if renew else steps.once
        if renew:
            upload = steps.redo(name, lambda: self._upload(headers, media))
        media_id = str(upload["id"])
        if upload.get("processing"):
            keep(f"{name}.ready", lambda: self._processed(headers, media_id, steps))
        if media.alt_text and media.kind is MediaKind.IMAGE:  # X takes alt text for images and GIFs only
            alt = media.alt_text
            keep(f"{name}.alt", lambda: self._describe(headers, media_id, alt))
        return media_id

    def _upload(self, headers: dict[str, str], media: MediaFile) -> dict[str, Any]:
        """INIT, every APPEND, FINALIZE: the media id, whether X still processes the file, and when
        the id expires (epoch seconds: X's ``expires_after_secs`` from FINALIZE, a day for images)."""
        if media.kind is MediaKind.VIDEO:
            category = "tweet_video"
        else:
            category = "tweet_gif" if media.mime_type == "image/gif" else "tweet_image"
        init = self._http.json(
            "POST",
            f"{API}/media/upload/initialize",
            json={"media_type": media.mime_type, "total_bytes": media.size, "media_category": category},
            headers=headers,
            classify=classify_media,
        )
        media_id = str(init["data"]["id"])
        for segment, (_, chunk) in enumerate(media.chunks(CHUNK_BYTES)):
            self._http.call(  # answers {"data": {"expires_at"}} or nothing at all: nothing in it is needed
                "POST",
                f"{API}/media/upload/{media_id}/append",
                data={"segment_index": str(segment)},
                files={"media": (media.filename or "media", chunk, "application/octet-stream")},
                headers=headers,
                classify=classify_media,
            )
        finalized_at = time.time()  # before the call: the id's lifetime is counted from no later than this
        final = self._http.json(
            "POST", f"{API}/media/upload/{media_id}/finalize", headers=headers, classify=classify_media
        )
        data = final.get("data") or {}
        info = data.get("processing_info") or {}
        stored: dict[str, Any] = {"id": media_id, "processing": info.get("state") not in (None, "succeeded")}
        lifetime = data.get("expires_after_secs")
        if isinstance(lifetime, int | float) and lifetime > 0:
            stored["expires_at"] = int(finalized_at + lifetime)
        return stored

    def _processed(self, headers: dict[str, str], media_id: str, steps: Steps) -> bool:
        """``processing_info.state``: pending -> in_progress -> succeeded | failed."""
        for _ in range(MAX_POLLS):
            answer = self._http.json(
                "GET",
                f"{API}/media/upload",
                params={"command": "STATUS", "media_id": media_id},
                headers=headers,
                classify=classify_media,
            )
            info = (answer.get("data") or {}).get("processing_info") or {}
            state = info.get("state")
            if state in (None, "succeeded"):
                return True
            if state == "failed":
                error = info.get("error") or {}
                message = str(error.get("message") or error.get("name") or "processing failed")
                raise Rejected(
                    f"X could not process the media: {message}", code="MEDIA_REJECTED", network_message=message
                )
            steps.wait(min(float(info.get("check_after_secs") or POLL_SECONDS), MAX_POLL_SECONDS))
        raise Retryable("X is still processing the media", code="MEDIA_PROCESSING")

    def _describe(self, headers: dict[str, str], media_id: str, alt_text: str) -> bool:
        self._http.call(
            "POST",
            f"{API}/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text[:MAX_ALT_TEXT]}}},
            headers=headers,
            classify=classify_media,
        )
        return True

    # ------------------------------------------------------------------ lookup

    def _find(
        self, job: PublishJob, headers: dict[str, str], armed_at: datetime, text: str, parent: str | None
    ) -> dict[str, Any] | None:
        """The account's post made since the step was armed with this text, replying to ``parent``."""
        since = (armed_at - LOOKBACK).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params: dict[str, Any] = {
            "start_time": since,
            "max_results": 100,
            "tweet.fields": "created_at,referenced_tweets",
            "exclude": "retweets",
        }
        for _ in range(TIMELINE_PAGES):
            answer = self._http.json(
                "GET",
                f"{API}/users/{job.account.external_id}/tweets",
                params=params,
                headers=headers,
                classify=classify,
            )
            for tweet in answer.get("data") or []:
                replied = next(
                    (str(r["id"]) for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
                    None,
                )
                if replied == parent and same_text(str(tweet.get("text") or ""), text):
                    return {"id": str(tweet["id"])}
            token = (answer.get("meta") or {}).get("next_token")
            if not token:
                return None
            params["pagination_token"] = token
        return None


def permalink(username: str | None, tweet_id: str) -> str:
    return f"https://x.com/{username}/status/{tweet_id}" if username else f"https://x.com/i/web/status/{tweet_id}"


def link(account: PublishAccount, post_id: str) -> str | None:
    """The post's link from its id (a post id recorded by hand, services/releases.py)."""
    return permalink(account.username, post_id) if post_id.isdigit() else None


def same_text(shown: str, sent: str) -> bool:
    """X gives a post's text back with ``&``, ``<``, ``>`` escaped, every link (and each attached media) as a
    t.co link: compare what is left once links are set aside."""

    def bare(text: str) -> str:
        text = html.unescape(text)
        kept, position = [], 0
        for start, end in urls(text):  # links as X finds them, bare domains included
            kept.append(text[position:start])
            position = end
        kept.append(text[position:])
        return " ".join(_URL.sub(" ", " ".join(kept)).split())

    return bare(shown) == bare(sent)


# ---------------------------------------------------------------------- errors


def _problem(body: Any) -> tuple[dict[str, Any], str]:
    """X's problem body and its most telling message: ``errors[].message`` (invalid requests) before ``detail``."""
    problem = body if isinstance(body, dict) else {}
    errors = problem.get("errors")
    messages = [str(e["message"]) for e in errors or [] if isinstance(e, dict) and e.get("message")]
    return problem, "; ".join(messages) or str(problem.get("detail") or problem.get("title") or "")


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    status = response.status_code
    problem, detail = _problem(body)
    detail = detail or message
    said = f"X answered {status}" + (f": {detail}" if detail else "")
    if status == 429:
        if "usage-capped" in str(problem.get("type") or "") or problem.get("title") == "UsageCapExceeded":
            return Rejected(said, code="QUOTA_EXCEEDED", network_message=detail, status=status)
        return Retryable(
            said,
            code="RATE_LIMITED",
            network_message=detail,
            status=status,
            retry_after=retry_after(response, "x-rate-limit-reset"),
        )
    if status == 403 and "duplicate content" in detail.lower():
        return Rejected(said, code="DUPLICATE_CONTENT", network_message=detail, status=status)
    if status == 400:
        return Rejected(said, network_message=detail, status=status)
    return None


def expired_media(refused: Rejected) -> bool:
    """X's refusal of a post whose media ids it no longer knows (400 "Your media IDs are invalid."):
    what it answers once an upload's ``expires_after_secs`` have passed."""
    return refused.status == 400 and "media ids are invalid" in (refused.network_message or "").lower()


def classify_media(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """On the upload endpoints a refused request is a refused file (type, size, segments)."""
    if response.status_code == 400:
        detail = _problem(body)[1] or message
        said = "X refused the media" + (f": {detail}" if detail else "")
        return Rejected(said, code="MEDIA_REJECTED", network_message=detail, status=400)
    return classify(response, body, message)
