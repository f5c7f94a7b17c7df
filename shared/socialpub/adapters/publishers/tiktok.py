"""TikTok (developers.tiktok.com, Content Posting API, direct post).

1. ``POST /v2/post/publish/creator_info/query/``: the creator's ``privacy_level_options``, the
   interactions they disabled, ``max_video_post_duration_sec`` and username (stored once).
2. A video, by default ``FILE_UPLOAD``: ``POST /v2/post/publish/video/init/`` (``post_info`` with the
   text as ``title``, ``source_info`` with ``video_size``/``chunk_size``/``total_chunk_count``) answers
   ``publish_id`` and ``upload_url``; each chunk is then PUT there with ``Content-Range``. The post
   exists only once the last byte has arrived, so the upload is the visible step and the init is
   not: an init whose answer was lost leaves an upload nobody ever fills, which TikTok drops.
   With the setting ``pull_from_url`` (TikTok must have verified the media's domain), the init
   carries ``video_url`` and is itself the visible step.
   Photos (JPEG/WebP, up to 35): ``POST /v2/post/publish/content/init/`` (``PULL_FROM_URL``,
   ``DIRECT_POST``, ``PHOTO``; ``title`` is the post's title, ``description`` its text) is visible.
3. ``POST /v2/post/publish/status/fetch/`` is polled until ``PUBLISH_COMPLETE`` (or ``FAILED`` with
   a ``fail_reason``).

Lost answers: an upload is looked up with ``status/fetch`` for the publish_id stored by the init
(``uploaded_bytes``). An init that pulls (photos, ``pull_from_url``) has no lookup: TikTok lists a
creator's videos only with the ``video.list`` scope, which socialpub does not ask for, and has no
idempotency key, so that step has ``find=None`` (a lost answer ends OutcomeUnknown).

``privacy_level``: the setting, refused (VALIDATION_FAILED) when the creator cannot use it; without
it, ``SELF_ONLY`` when the creator has it (nothing goes public unless asked), else their first option.
The result is the public post id TikTok gives once the post is moderated and public
(``publicaly_available_post_id``); private posts get none, so their result is the publish_id, no URL.

TikTok answers errors as ``{"error": {"code", "message", "log_id"}}``, sometimes with HTTP 200:
every answer's ``error.code`` is checked, not only the status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, decoded, retry_after
from socialpub.domain.publishing import (
    MediaFile,
    NeedsReconnect,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

BASE = "https://open.tiktokapis.com/v2"
CHUNK_SIZE = 10 * 1024 * 1024  # within TikTok's 5-64 MB; the last chunk takes the remainder
MIN_CHUNK_SIZE = 5 * 1024 * 1024
MAX_PHOTOS = 35
PHOTO_TITLE_LENGTH = 90
POLL_SECONDS = 5.0
MAX_POLLS = 60
RATE_LIMIT_SECONDS = 60.0  # the init limit is per minute; TikTok sends no Retry-After

RECONNECT = {"access_token_invalid", "scope_not_authorized", "scope_permission_missed", "auth_removed"}
QUOTA = {"spam_risk_too_many_posts", "spam_risk_too_many_pending_share", "reached_active_user_cap"}
PERMISSION = {
    "spam_risk_user_banned_from_posting",
    "unaudited_client_can_only_post_to_private_accounts",
    "url_ownership_unverified",
}
MEDIA = {
    "file_format_check_failed",
    "duration_check_failed",
    "frame_rate_check_failed",
    "picture_size_check_failed",
    "size_check_failed",
    "invalid_file_upload",
    "video_pull_failed",
    "photo_pull_failed",
}
VALIDATION = {"invalid_params", "invalid_param", "privacy_level_option_mismatch", "spam_risk_text", "spam_risk"}


def _failure(
    code: str, message: str, status: int | None, response: httpx.Response | None = None
) -> PublishFailure | None:
    """The failure a TikTok error code stands for (None: a code this module does not know)."""
    said = f"TikTok refused the post ({code})" + (f": {message}" if message else "")
    if code in RECONNECT:
        return NeedsReconnect(said, network_message=message or code, status=status)
    if code == "rate_limit_exceeded":
        wait = retry_after(response) if response is not None else None
        return Retryable(
            said, code="RATE_LIMITED", network_message=message, status=status, retry_after=wait or RATE_LIMIT_SECONDS
        )
    if code == "internal_error":
        return Retryable(said, network_message=message, status=status, sent=None)
    if code in QUOTA:
        return Rejected(said, code="QUOTA_EXCEEDED", network_message=message or code, status=status)
    if code in PERMISSION:
        return Rejected(said, code="PERMISSION_DENIED", network_message=message or code, status=status)
    if code in MEDIA:
        return Rejected(said, code="MEDIA_REJECTED", network_message=message or code, status=status)
    if code in VALIDATION:
        return Rejected(said, code="VALIDATION_FAILED", network_message=message or code, status=status)
    return None


def _refusal(code: str, message: str, status: int | None, response: httpx.Response | None = None) -> PublishFailure:
    """A refusal in a TikTok answer or a failed post, whatever its code."""
    known = _failure(code, message, status, response)
    if known is not None:
        return known
    said = f"TikTok refused the post ({code})" + (f": {message}" if message else "")
    return Rejected(said, code="VALIDATION_FAILED", network_message=message or code, status=status)


def _error_of(body: Any) -> tuple[str, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "")


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    code, text = _error_of(body)
    if not code or code == "ok" or (response.status_code >= 500 and code != "internal_error"):
        return None  # the shared mapping (5xx: outcome unknown, 429: Retry-After...)
    return _failure(code, text or message, response.status_code, response)


def _chunking(size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count): whole below 5 MB, else chunks whose count is rounded down."""
    if size < MIN_CHUNK_SIZE:
        return size, 1
    return CHUNK_SIZE, max(1, size // CHUNK_SIZE)


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        videos, images = job.videos(), job.images()
        if not videos and not images:
            raise Rejected("A TikTok post needs a video or photos", code="VALIDATION_FAILED")
        if videos and (images or len(videos) > 1):
            raise Rejected("A TikTok post is one video or up to 35 photos, not both", code="VALIDATION_FAILED")
        if len(images) > MAX_PHOTOS:
            raise Rejected(f"A TikTok photo post takes at most {MAX_PHOTOS} photos", code="VALIDATION_FAILED")
        headers = {"Authorization": f"Bearer {job.token}", "Content-Type": "application/json; charset=UTF-8"}
        creator: dict[str, Any] = steps.once("creator", lambda: self._creator(headers))
        privacy = _privacy(job, creator)

        if videos:
            video = videos[0]
            longest = creator.get("max_video_post_duration_sec")
            if longest and video.duration and video.duration > longest:
                raise Rejected(
                    f"This TikTok account can post videos of at most {longest} s; this one lasts {video.duration:g} s",
                    code="VALIDATION_FAILED",
                )
            post_info = self._video_info(job, creator, privacy)
            if job.settings.get("pull_from_url"):
                source = {"source": "PULL_FROM_URL", "video_url": video.url}
                started = steps.visible(
                    "post",
                    lambda: self._init(headers, "video/init/", {"post_info": post_info, "source_info": source}),
                    None,
                )
            else:
                init: dict[str, Any] = steps.once("init", lambda: self._init_upload(headers, post_info, video))

                def uploaded(_armed_at: datetime) -> dict[str, Any] | None:
                    return self._uploaded(headers, init["publish_id"], video.size)

                started = steps.visible("upload", lambda: self._upload(init, video), uploaded)
            kind = "video"
        else:
            body = {
                "post_info": self._photo_info(job, creator, privacy),
                "source_info": {
                    "source": "PULL_FROM_URL",
                    "photo_images": [image.url for image in images],
                    "photo_cover_index": 0,
                },
                "post_mode": "DIRECT_POST",
                "media_type": "PHOTO",
            }
            started = steps.visible("post", lambda: self._init(headers, "content/init/", body), None)
            kind = "photo"

        publish_id = str(started["publish_id"])
        done: dict[str, Any] = steps.once("status", lambda: self._completed(headers, publish_id, steps))
        post_id = done.get("post_id")
        if not post_id:
            return Published(post_id=publish_id, url=None)
        username = creator.get("username") or job.account.username
        return Published(post_id=post_id, url=f"https://www.tiktok.com/@{username}/{kind}/{post_id}")

    # ------------------------------------------------------------------ calls

    def _api(self, headers: dict[str, str], path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """``data`` of a TikTok answer whose ``error.code`` is ``ok`` (a 200 can carry an error)."""
        response = self._http.call("POST", f"{BASE}/post/publish/{path}", headers=headers, json=body, classify=classify)
        answer = decoded(response)
        if not isinstance(answer, dict):
            raise Rejected("TikTok answered something that is not JSON", code="BAD_RESPONSE")
        code, message = _error_of(answer)
        if code and code != "ok":
            raise _refusal(code, message, response.status_code, response)
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    def _creator(self, headers: dict[str, str]) -> dict[str, Any]:
        data = self._api(headers, "creator_info/query/")
        return {
            "username": data.get("creator_username"),
            "privacy_level_options": list(data.get("privacy_level_options") or []),
            "comment_disabled": bool(data.get("comment_disabled")),
            "duet_disabled": bool(data.get("duet_disabled")),
            "stitch_disabled": bool(data.get("stitch_disabled")),
            "max_video_post_duration_sec": data.get("max_video_post_duration_sec"),
        }

    def _init(self, headers: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
        data = self._api(headers, path, body)
        if not data.get("publish_id"):
            raise Rejected("TikTok answered without a publish_id", code="BAD_RESPONSE")
        return {"publish_id": str(data["publish_id"])}

    def _init_upload(self, headers: dict[str, str], post_info: dict[str, Any], video: MediaFile) -> dict[str, Any]:
        chunk_size, count = _chunking(video.size)
        source = {
            "source": "FILE_UPLOAD",
            "video_size": video.size,
            "chunk_size": chunk_size,
            "total_chunk_count": count,
        }
        data = self._api(headers, "video/init/", {"post_info": post_info, "source_info": source})
        if not data.get("publish_id") or not data.get("upload_url"):
            raise Rejected("TikTok answered without a publish_id or upload_url", code="BAD_RESPONSE")
        return {"publish_id": str(data["publish_id"]), "upload_url": str(data["upload_url"])}

    def _upload(self, init: dict[str, Any], video: MediaFile) -> dict[str, Any]:
        """The chunks in order, each ``chunk_size`` long but the last, which takes what remains."""
        chunk_size, count = _chunking(video.size)
        for index in range(count):
            start = index * chunk_size
            length = chunk_size if index < count - 1 else video.size - start
            self._http.call(
                "PUT",
                init["upload_url"],
                content=video.read(start, length),
                headers={
                    "Content-Type": video.mime_type,
                    "Content-Range": f"bytes {start}-{start + length - 1}/{video.size}",
                },
                classify=classify,
            )
        return {"publish_id": init["publish_id"]}

    def _status(self, headers: dict[str, str], publish_id: str) -> dict[str, Any]:
        return self._api(headers, "status/fetch/", {"publish_id": publish_id})

    def _uploaded(self, headers: dict[str, str], publish_id: str, size: int) -> dict[str, Any] | None:
        """Whether TikTok holds every byte of an upload whose answer was lost."""
        status = self._status(headers, publish_id)
        if status.get("status") == "PROCESSING_UPLOAD" and int(status.get("uploaded_bytes") or 0) < size:
            return None
        return {"publish_id": publish_id}

    def _completed(self, headers: dict[str, str], publish_id: str, steps: Steps) -> dict[str, Any]:
        for _ in range(MAX_POLLS):
            status = self._status(headers, publish_id)
            state = status.get("status")
            if state in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"):
                ids = status.get("publicaly_available_post_id") or []  # sic: TikTok's spelling
                return {"post_id": str(ids[0]) if ids else None}
            if state == "FAILED":
                reason = str(status.get("fail_reason") or "unknown")
                raise _refusal(reason, f"TikTok could not publish the post: {reason}", None)
            steps.wait(POLL_SECONDS)
        raise Retryable("TikTok is still processing the post", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ bodies

    def _video_info(self, job: PublishJob, creator: dict[str, Any], privacy: str) -> dict[str, Any]:
        settings = job.settings
        info: dict[str, Any] = {
            "title": job.text,
            "privacy_level": privacy,
            # A creator who turned an interaction off in the app keeps it off (TikTok's UX rules).
            "disable_comment": bool(settings.get("disable_comment")) or creator["comment_disabled"],
            "disable_duet": bool(settings.get("disable_duet")) or creator["duet_disabled"],
            "disable_stitch": bool(settings.get("disable_stitch")) or creator["stitch_disabled"],
            "brand_content_toggle": bool(settings.get("brand_content_toggle")),
            "brand_organic_toggle": False,
        }
        if settings.get("video_cover_timestamp_ms") is not None:
            info["video_cover_timestamp_ms"] = int(settings["video_cover_timestamp_ms"])
        return info

    def _photo_info(self, job: PublishJob, creator: dict[str, Any], privacy: str) -> dict[str, Any]:
        settings = job.settings
        info: dict[str, Any] = {
            "description": job.text,
            "privacy_level": privacy,
            "disable_comment": bool(settings.get("disable_comment")) or creator["comment_disabled"],
            "brand_content_toggle": bool(settings.get("brand_content_toggle")),
            "brand_organic_toggle": False,
        }
        if job.title:
            info["title"] = job.title[:PHOTO_TITLE_LENGTH]
        return info


def _privacy(job: PublishJob, creator: dict[str, Any]) -> str:
    options: list[str] = creator["privacy_level_options"]
    wanted = job.settings.get("privacy_level")
    if wanted:
        if wanted not in options:
            allowed = ", ".join(options) or "none"
            raise Rejected(
                f"This TikTok account cannot post with privacy_level {wanted}; it allows {allowed}",
                code="VALIDATION_FAILED",
            )
        return str(wanted)
    if "SELF_ONLY" in options:
        return "SELF_ONLY"
    if not options:
        raise Rejected("TikTok offers this account no privacy level to post with", code="PERMISSION_DENIED")
    return options[0]
