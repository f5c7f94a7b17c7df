"""Pinterest (developers.pinterest.com/docs/api/v5): a Pin on the board of the setting ``board_id``.

- One image: ``POST /v5/pins`` with ``media_source`` ``{"source_type": "image_url", "url"}``; Pinterest
  pulls the image from the signed URL. Several (2-5): ``multiple_image_urls`` with ``items`` (a
  carousel Pin). ``title`` is the post's title, ``description`` its text, ``link`` the setting
  ``link`` or the post's link, ``alt_text`` the (first) image's alt text.
- A video: ``POST /v5/media`` ``{"media_type": "video"}`` answers ``media_id``, ``upload_url`` and
  ``upload_parameters``; the file goes to ``upload_url`` as a multipart POST of those fields then
  ``file`` (S3, no bearer); ``GET /v5/media/{media_id}`` is polled until ``succeeded``; then the Pin is
  made with ``{"source_type": "video_id", "media_id", "cover_image_key_frame_time"}`` (a frame of the
  video itself is the cover, as no cover image comes with the post).

A Pin whose answer was lost is looked up on its board (``GET /v5/boards/{board_id}/pins``, newest
first) by title, description and ``created_at``. Errors are ``{"code": <int>, "message"}``: 401 asks
for a reconnect, 429 is a rate limit, an image Pinterest cannot fetch is MEDIA_REJECTED.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, made_since
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

BASE = "https://api.pinterest.com/v5"
MAX_IMAGES = 5
TITLE_LENGTH = 100
POLL_SECONDS = 5.0
MAX_POLLS = 60


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """An image Pinterest could not pull is the media's fault; the rest follows the HTTP status."""
    status = response.status_code
    said = f"Pinterest answered {status}" + (f": {message}" if message else "")
    if status == 400 and "fetch" in message.lower() and "image" in message.lower():
        return Rejected(said, code="MEDIA_REJECTED", network_message=message, status=status)
    return None


def link(account: PublishAccount, post_id: str) -> str | None:
    """The pin's link from its id (a post id recorded by hand, services/releases.py)."""
    return f"https://www.pinterest.com/pin/{post_id}/" if post_id.isdigit() else None


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        board_id = str(job.settings.get("board_id") or "")
        if not board_id:
            raise Rejected("A Pin needs a board: set board_id", code="VALIDATION_FAILED")
        videos, images = job.videos(), job.images()
        if not videos and not images:
            raise Rejected("A Pin needs an image or a video", code="VALIDATION_FAILED")
        if videos and (images or len(videos) > 1):
            raise Rejected("A Pin carries images or one video, not both", code="VALIDATION_FAILED")
        if len(images) > MAX_IMAGES:
            raise Rejected(f"A carousel Pin takes at most {MAX_IMAGES} images", code="VALIDATION_FAILED")
        headers = {"Authorization": f"Bearer {job.token}"}

        if videos:
            media_source = self._video_source(headers, videos[0], steps)
        elif len(images) == 1:
            media_source = {"source_type": "image_url", "url": images[0].url}
        else:
            media_source = {"source_type": "multiple_image_urls", "items": [{"url": image.url} for image in images]}
        body: dict[str, Any] = {"board_id": board_id, "description": job.text, "media_source": media_source}
        if job.title:
            body["title"] = job.title[:TITLE_LENGTH]
        link = job.settings.get("link") or job.link
        if link:
            body["link"] = link
        alt_text = next((m.alt_text for m in job.media if m.alt_text), None)
        if alt_text:
            body["alt_text"] = alt_text

        def send() -> dict[str, Any]:
            pin = self._http.json("POST", f"{BASE}/pins", headers=headers, json=body, classify=classify)
            return {"id": str(pin["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            return self._find(headers, board_id, body, armed_at)

        pin = steps.visible("pin", send, find)
        return Published(post_id=pin["id"], url=f"https://www.pinterest.com/pin/{pin['id']}/")

    def _find(
        self, headers: dict[str, str], board_id: str, body: dict[str, Any], armed_at: datetime
    ) -> dict[str, Any] | None:
        answer = self._http.json(
            "GET", f"{BASE}/boards/{board_id}/pins", headers=headers, params={"page_size": 25}, classify=classify
        )
        for pin in answer.get("items") or []:
            if not made_since(pin.get("created_at"), armed_at):  # UTC without an offset
                continue
            if (pin.get("title") or None) == body.get("title") and (pin.get("description") or "") == body[
                "description"
            ]:
                return {"id": str(pin["id"])}
        return None

    # ------------------------------------------------------------------ video

    def _video_source(self, headers: dict[str, str], video: MediaFile, steps: Steps) -> dict[str, Any]:
        media: dict[str, Any] = steps.once("media", lambda: self._register(headers))
        steps.once("media.uploaded", lambda: self._upload(media, video))
        steps.once("media.ready", lambda: self._processed(headers, media["media_id"], steps))
        # Seconds into the video; the first frame is often black.
        frame = 1 if video.duration is None or video.duration > 1 else 0
        return {"source_type": "video_id", "media_id": media["media_id"], "cover_image_key_frame_time": frame}

    def _register(self, headers: dict[str, str]) -> dict[str, Any]:
        answer = self._http.json(
            "POST", f"{BASE}/media", headers=headers, json={"media_type": "video"}, classify=classify
        )
        return {
            "media_id": str(answer["media_id"]),
            "upload_url": str(answer["upload_url"]),
            "upload_parameters": {str(k): str(v) for k, v in (answer.get("upload_parameters") or {}).items()},
        }

    def _upload(self, media: dict[str, Any], video: MediaFile) -> bool:
        """A browser-style S3 POST: the signed fields first, the file last (S3 ignores fields after it)."""
        self._http.call(
            "POST",
            media["upload_url"],
            data=media["upload_parameters"],
            files={"file": (video.filename, video.content(), video.mime_type)},
        )
        return True

    def _processed(self, headers: dict[str, str], media_id: str, steps: Steps) -> bool:
        for _ in range(MAX_POLLS):
            answer = self._http.json("GET", f"{BASE}/media/{media_id}", headers=headers, classify=classify)
            status = answer.get("status")
            if status == "succeeded":
                return True
            if status == "failed":
                raise Rejected("Pinterest could not process the video", code="MEDIA_REJECTED", network_message="failed")
            steps.wait(POLL_SECONDS)
        raise Retryable("Pinterest is still processing the video", code="MEDIA_PROCESSING")
