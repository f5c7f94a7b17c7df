"""YouTube (developers.google.com/youtube/v3): one video per post, uploaded with the resumable protocol.

- ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the metadata
  (snippet: title -- the post's title or its text's first line --, description, tags, categoryId; status:
  privacyStatus, selfDeclaredMadeForKids) and ``X-Upload-Content-Length``/``-Type``: the session URI comes in
  ``Location`` (kept as a step: it stays valid for about a week);
- the bytes are PUT to the session URI in chunks (multiples of 256 KiB) with ``Content-Range``; YouTube
  answers 308 with ``Range`` (what it holds) until the last chunk, answered 200/201 with the video. After an
  interruption, ``PUT`` with ``Content-Range: bytes */<size>`` says what arrived, and the upload goes on from
  there;
- the first comment: ``POST /youtube/v3/commentThreads?part=snippet``.

The PUT that completes the upload makes the video: it is the visible step. Its lookup asks the session
first (a completed session answers with the video it made; an incomplete one means there is no video), and
where the session is gone, the channel's latest uploads (``GET /youtube/v3/search?forMine=true``, title and
``publishedAt``). The first comment is looked up in ``GET /youtube/v3/commentThreads?videoId=``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, decoded, retry_after
from socialpub.domain.publishing import (
    MediaFile,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

API = "https://www.googleapis.com"
CHUNK_SIZE = 32 * 256 * 1024  # 8 MiB; chunks must be multiples of 256 KiB
MAX_TITLE = 100
CLOCK_SKEW = timedelta(seconds=60)
QUOTA = frozenset({"quotaExceeded", "uploadLimitExceeded", "dailyLimitExceeded"})
RATE = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
INVALID = frozenset(
    {
        "invalidTitle",
        "invalidDescription",
        "invalidTags",
        "invalidCategoryId",
        "invalidVideoMetadata",
        "invalidRecordingDetails",
        "mediaBodyRequired",
    }
)


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """Google's errors: ``{"error": {"code", "message", "errors": [{"reason", "domain"}], "status"}}``; quota and
    rate limits come as 403 (uploadLimitExceeded as 400), told apart by ``reason``."""
    error = body.get("error") if isinstance(body, dict) else None
    errors = error.get("errors") if isinstance(error, dict) else None
    reasons = {str(e.get("reason")) for e in errors or [] if isinstance(e, dict)}
    status = response.status_code
    said = f"YouTube answered {status}" + (f": {message}" if message else "")
    if reasons & QUOTA:
        return Rejected(said, code="QUOTA_EXCEEDED", network_message=message, status=status)
    if reasons & RATE:
        return Retryable(
            said, code="RATE_LIMITED", network_message=message, status=status, retry_after=retry_after(response)
        )
    if reasons & INVALID:
        return Rejected(said, code="VALIDATION_FAILED", network_message=message, status=status)
    if "youtubeSignupRequired" in reasons:
        # A 401, but a new token will not help: the Google account has no channel yet.
        return Rejected(said, code="PERMISSION_DENIED", network_message=message, status=status)
    return None


def title_of(job: PublishJob) -> str:
    if job.title:
        return job.title
    first_line = next((line.strip() for line in job.text.splitlines() if line.strip()), "")
    return first_line[:MAX_TITLE]


def _video(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict) or not answer.get("id"):
        raise Rejected("YouTube finished the upload without naming the video", code="BAD_RESPONSE", sent=None)
    return {"id": str(answer["id"]), "url": f"https://www.youtube.com/watch?v={answer['id']}"}


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        videos = job.videos()
        if not videos:
            raise Rejected("YouTube publishes videos only: this post has none")
        media = videos[0]
        auth = {"Authorization": f"Bearer {job.token}"}
        title = title_of(job)
        # What this run knows of the session: None until YouTube said how much it holds.
        progress: dict[str, Any] = {"offset": None}

        def start() -> str:
            progress["offset"] = 0
            return self._start(job, media, title, auth)

        session = steps.once("upload.session", start)

        def until_last() -> bool:
            self._send_chunks(session, media, auth, progress, final=False)
            return True

        steps.once("upload.sent", until_last)

        def send() -> dict[str, Any]:
            return _video(self._send_chunks(session, media, auth, progress, final=True))

        def find(armed_at: datetime) -> dict[str, Any] | None:
            try:
                offset, done = self._received(session, media, auth)
            except Rejected as gone:
                if gone.status not in (404, 410):
                    raise
                return self._search(auth, title, armed_at)
            progress["offset"] = offset
            return _video(done) if done is not None else None

        video = steps.visible("video", send, find)
        if job.first_comment:
            self._comment(auth, job.account.external_id, video["id"], job.first_comment, steps)
        return Published(post_id=video["id"], url=video["url"])

    # ------------------------------------------------------------------ upload

    def _start(self, job: PublishJob, media: MediaFile, title: str, auth: dict[str, str]) -> str:
        settings = job.settings
        snippet: dict[str, Any] = {"title": title, "description": job.text}
        if settings.get("tags"):
            snippet["tags"] = [t.strip() for t in str(settings["tags"]).split(",") if t.strip()]
        if settings.get("category_id"):
            snippet["categoryId"] = str(settings["category_id"])
        status: dict[str, Any] = {"privacyStatus": settings.get("privacy") or "public"}
        if settings.get("made_for_kids") is not None:
            status["selfDeclaredMadeForKids"] = bool(settings["made_for_kids"])
        response = self._http.call(
            "POST",
            f"{API}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
            json={"snippet": snippet, "status": status},
            headers={
                **auth,
                "X-Upload-Content-Length": str(media.size),
                "X-Upload-Content-Type": media.mime_type,
            },
            classify=classify,
        )
        location = response.headers.get("location")
        if not location:
            raise Rejected("YouTube opened no upload session (no Location)", code="BAD_RESPONSE")
        return location

    def _send_chunks(
        self, session: str, media: MediaFile, auth: dict[str, str], progress: dict[str, Any], *, final: bool
    ) -> Any:
        """PUT chunks from what YouTube holds: all but the last one (``final=False``), or up to the end, whose
        answer (the video) is returned."""
        offset = progress["offset"]
        done = None
        if offset is None:
            offset, done = self._received(session, media, auth)
        while done is None and (final or media.size - offset > CHUNK_SIZE):
            if offset >= media.size:  # all bytes held, yet no video: ask the session for its answer
                offset, done = self._received(session, media, auth)
                if done is None:
                    raise Retryable("YouTube holds the whole video but has not answered with it", sent=None)
                break
            end = min(offset + CHUNK_SIZE, media.size)
            response = self._http.call(
                "PUT",
                session,
                content=media.read(offset, end - offset),
                headers={
                    **auth,
                    "Content-Type": media.mime_type,
                    "Content-Range": f"bytes {offset}-{end - 1}/{media.size}",
                },
                classify=classify,
            )
            before, (offset, done) = offset, self._progress(response, media)
            progress["offset"] = offset
            if done is None and offset <= before:
                raise Retryable("YouTube took none of the chunk sent; the upload is resumed later", sent=False)
        return done

    def _received(self, session: str, media: MediaFile, auth: dict[str, str]) -> tuple[int, Any]:
        """What the session holds: (bytes received, the video if the upload is complete)."""
        response = self._http.call(
            "PUT",
            session,
            content=b"",
            headers={**auth, "Content-Range": f"bytes */{media.size}"},
            classify=classify,
        )
        return self._progress(response, media)

    @staticmethod
    def _progress(response: httpx.Response, media: MediaFile) -> tuple[int, Any]:
        if response.status_code == 308:
            held = response.headers.get("range")  # "bytes=0-<last>", absent when nothing arrived
            return (int(held.rsplit("-", 1)[1]) + 1 if held else 0), None
        return media.size, decoded(response)

    def _search(self, auth: dict[str, str], title: str, armed_at: datetime) -> dict[str, Any] | None:
        answer = self._http.json(
            "GET",
            f"{API}/youtube/v3/search?forMine=true&type=video&part=snippet&order=date&maxResults=25",
            headers=auth,
            classify=classify,
        )
        since = armed_at - CLOCK_SKEW
        for item in answer.get("items") or []:
            snippet = item.get("snippet") or {}
            published = _when(snippet.get("publishedAt"))
            if snippet.get("title") == title and published is not None and published >= since:
                return _video({"id": (item.get("id") or {}).get("videoId")})
        return None

    # ------------------------------------------------------------------ first comment

    def _comment(self, auth: dict[str, str], channel: str, video_id: str, text: str, steps: Steps) -> None:
        def send() -> dict[str, Any]:
            body = {"snippet": {"videoId": video_id, "topLevelComment": {"snippet": {"textOriginal": text}}}}
            answer = self._http.json(
                "POST", f"{API}/youtube/v3/commentThreads?part=snippet", json=body, headers=auth, classify=classify
            )
            return {"id": str(answer["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET",
                f"{API}/youtube/v3/commentThreads?part=snippet&videoId={video_id}&order=time&maxResults=50",
                headers=auth,
                classify=classify,
            )
            since = armed_at - CLOCK_SKEW
            for item in answer.get("items") or []:
                comment = ((item.get("snippet") or {}).get("topLevelComment") or {}).get("snippet") or {}
                published = _when(comment.get("publishedAt"))
                author = (comment.get("authorChannelId") or {}).get("value")
                if author == channel and comment.get("textOriginal") == text and published and published >= since:
                    return {"id": str(item["id"])}
            return None

        steps.visible("comment", send, find)


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
