"""Facebook Pages (developers.facebook.com/docs/pages-api/posts), with the page's access token.

- Text and link: ``POST /{page-id}/feed`` (``message``, ``link``).
- Images (up to 10): each ``POST /{page-id}/photos`` with ``url`` (Facebook pulls the signed URL),
  ``published=false`` and ``alt_text_custom`` (kept, invisible), then one ``POST /{page-id}/feed`` with
  ``attached_media[n]={"media_fbid": ...}``.
- One video: ``POST /{page-id}/videos`` (``file_url``, ``description``, ``title``), visible at once; its
  processing (``status.video_status``) is then polled for the permalink.
- First comment: ``POST /{post-id}/comments`` (as the page).
- A story (setting ``type=story``; developers.facebook.com/docs/page-stories-api): one photo,
  uploaded unpublished as above, then ``POST /{page-id}/photo_stories`` (``photo_id``); or one video:
  ``POST /{page-id}/video_stories`` (``upload_phase=start``) gives ``video_id`` and ``upload_url``,
  the file goes there by URL (``POST`` with headers ``Authorization: OAuth <token>`` and
  ``file_url``), then ``upload_phase=finish`` with ``video_id`` publishes it. Both answer
  ``{"success", "post_id"}``. Stories carry no text and take no comments.

A lost answer is looked up on the page: ``GET /{page-id}/feed`` (or ``/videos``) for a post with the
same message made since the call, ``GET /{post-id}/comments`` for the comment, ``GET /{page-id}/stories``
for a story of the same photo or video.

Also the Graph API's error reading, shared with the Instagram and Threads publishers: Graph answers
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``, mostly with HTTP 400, so
failures are told apart by code (``graph_classifier``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import Classifier, NetworkHttp, made_since, retry_after
from socialpub.domain.post_content import MediaKind
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

GRAPH = "https://graph.facebook.com/v21.0"
POLL_SECONDS = 10.0
MAX_POLLS = 60

# Graph error codes (developers.facebook.com/docs/graph-api/guides/error-handling, Instagram's error codes).
TOKEN_CODES = {102, 190}
THROTTLE_CODES = {4, 17, 32, 613}  # app, user, page, per-hour call limits; 80001-80099: business use case
QUOTA_SUBCODES = {2207042}  # Instagram/Threads: the content publishing limit of 24 h
NOT_READY_SUBCODES = {2207027}  # the container is still processing
MEDIA_CODES = {324, 352, 9004, 6000, 36000, 36001, 36003, 1366046}
MEDIA_SUBCODES = {2207004, 2207005, 2207009, 2207026, 2207052, 2207083, 1363130}
TRANSIENT_CODES = {1, 2, -1, -2}
PERMISSION_SUBCODES = {2207050, 2207051}  # account restricted, action suspected as spam
POSTING_TOO_FAST = 1390008


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _regain_seconds(response: httpx.Response) -> float | None:
    """Graph tells when a throttled app or page may call again in its usage headers (minutes)."""
    waits = []
    for header in ("x-business-use-case-usage", "x-app-usage", "x-page-usage"):
        try:
            usage = json.loads(response.headers.get(header) or "null")
        except ValueError:
            continue
        entries = (
            [e for v in usage.values() for e in (v if isinstance(v, list) else [v])] if isinstance(usage, dict) else []
        )
        waits += [_int(e.get("estimated_time_to_regain_access")) for e in entries if isinstance(e, dict)]
    return max(waits) * 60.0 if any(waits) else None


def graph_classifier(network: str) -> Classifier:
    """Reads Graph's error body: ``code`` and ``error_subcode`` say more than the HTTP status."""

    def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        if not isinstance(error, dict) or status >= 500:
            return None  # not Graph's answer (a proxy, an outage): the default reading holds
        code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
        said = str(error.get("message") or message or "")
        text = f"{network} refused the call (code {code}{f'/{subcode}' if subcode else ''}): {said}"
        if code in TOKEN_CODES:
            return NeedsReconnect(text, network_message=said, status=status)
        if code == 9 or subcode in QUOTA_SUBCODES:
            return Rejected(text, code="QUOTA_EXCEEDED", network_message=said, status=status)
        if subcode in PERMISSION_SUBCODES:
            return Rejected(text, code="PERMISSION_DENIED", network_message=said, status=status)
        if code in THROTTLE_CODES or 80000 < code < 80100 or subcode == POSTING_TOO_FAST or status == 429:
            wait = retry_after(response) or _regain_seconds(response)
            return Retryable(text, code="RATE_LIMITED", network_message=said, status=status, retry_after=wait)
        if code == 9007 or subcode in NOT_READY_SUBCODES:
            return Retryable(text, code="MEDIA_PROCESSING", network_message=said, status=status)
        if code == 506 or "duplicate" in said.lower():
            return Rejected(text, code="DUPLICATE_CONTENT", network_message=said, status=status)
        if code in MEDIA_CODES or subcode in MEDIA_SUBCODES:
            return Rejected(text, code="MEDIA_REJECTED", network_message=said, status=status)
        if code in TRANSIENT_CODES or error.get("is_transient") is True:
            # Meta's own trouble: whether the call took effect is unknown.
            return Retryable(text, network_message=said, status=status, sent=None)
        if code == 10 or 200 <= code < 300 or code == 368:
            return Rejected(text, code="PERMISSION_DENIED", network_message=said, status=status)
        return Rejected(text, code="VALIDATION_FAILED", network_message=said, status=status)

    return classify


def absolute(url: str | None) -> str | None:
    """Graph gives some permalinks relative to facebook.com (videos)."""
    return f"https://www.facebook.com{url}" if url and url.startswith("/") else url


CLASSIFY = graph_classifier("Facebook")


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        page = job.account.external_id
        headers = {"Authorization": f"Bearer {job.token}"}
        if job.settings.get("type") == "story":
            return self._story(job, steps, page, headers)
        images, videos = job.images(), job.videos()
        if videos and (images or len(videos) > 1):
            raise Rejected("A Facebook post holds either one video or up to 10 images", code="VALIDATION_FAILED")
        if videos:
            post = self._video(job, steps, page, headers, videos[0])
        else:
            post = self._feed(job, steps, page, headers, images)
        if job.first_comment:
            self._comment(job, steps, page, headers, post["id"])
        return Published(post_id=post["id"], url=post.get("url"))

    def _get(self, url: str, headers: dict[str, str], **params: Any) -> Any:
        return self._http.json("GET", url, params=params, headers=headers, classify=CLASSIFY)

    def _post(self, url: str, headers: dict[str, str], data: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = self._http.json("POST", url, data=data, headers=headers, classify=CLASSIFY)
        return answer

    # ------------------------------------------------------------------ feed posts

    def _feed(
        self, job: PublishJob, steps: Steps, page: str, headers: dict[str, str], images: list[MediaFile]
    ) -> dict[str, Any]:
        photo_ids = [
            steps.once(f"photo.{index}", lambda m=image: self._photo(page, headers, m))  # type: ignore[misc]
            for index, image in enumerate(images)
        ]
        data = {"message": job.text}
        if job.link:
            data["link"] = job.link
        for index, photo_id in enumerate(photo_ids):
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})

        def send() -> dict[str, Any]:
            return {"id": str(self._post(f"{GRAPH}/{page}/feed", headers, data)["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._get(
                f"{GRAPH}/{page}/feed", headers, fields="id,message,created_time,permalink_url", limit=25
            )
            for item in answer.get("data", []):
                if (item.get("message") or "") == job.text and made_since(item.get("created_time"), armed_at):
                    return {"id": str(item["id"])}
            return None

        post = steps.visible("post", send, find)
        url = steps.once(
            "permalink",
            lambda: absolute(self._get(f"{GRAPH}/{post['id']}", headers, fields="permalink_url").get("permalink_url")),
        )
        return {**post, "url": url}

    def _photo(self, page: str, headers: dict[str, str], image: MediaFile) -> str:
        data = {"url": image.url, "published": "false"}
        if image.alt_text:
            data["alt_text_custom"] = image.alt_text
        return str(self._post(f"{GRAPH}/{page}/photos", headers, data)["id"])

    # ------------------------------------------------------------------ video

    def _video(
        self, job: PublishJob, steps: Steps, page: str, headers: dict[str, str], video: MediaFile
    ) -> dict[str, Any]:
        data = {"file_url": video.url, "description": job.text}
        if job.title:
            data["title"] = job.title

        def send() -> dict[str, Any]:
            return {"id": str(self._post(f"{GRAPH}/{page}/videos", headers, data)["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._get(
                f"{GRAPH}/{page}/videos", headers, fields="id,description,created_time,permalink_url", limit=25
            )
            for item in answer.get("data", []):
                if (item.get("description") or "") == job.text and made_since(item.get("created_time"), armed_at):
                    return {"id": str(item["id"])}
            return None

        posted = steps.visible("video", send, find)
        url = steps.once("video.ready", lambda: self._processed(headers, posted["id"], steps))
        return {**posted, "url": url}

    def _processed(self, headers: dict[str, str], video_id: str, steps: Steps) -> str | None:
        """The video is on the page at once, and playable once Facebook has processed it."""
        for _ in range(MAX_POLLS):
            answer = self._get(f"{GRAPH}/{video_id}", headers, fields="status,permalink_url")
            status = answer.get("status") or {}
            state = status.get("video_status")
            if state == "ready":
                return absolute(answer.get("permalink_url"))
            if state == "error":
                errors = (status.get("processing_phase") or {}).get("errors") or [{}]
                said = str(errors[0].get("message") or "the video could not be processed")
                raise Rejected(
                    f"Facebook could not process the video: {said}", code="MEDIA_REJECTED", network_message=said
                )
            steps.wait(POLL_SECONDS)
        raise Retryable("Facebook is still processing the video", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ story

    def _story(self, job: PublishJob, steps: Steps, page: str, headers: dict[str, str]) -> Published:
        if len(job.media) != 1 or job.media[0].kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
            raise Rejected("A Facebook story holds exactly one photo or one video", code="VALIDATION_FAILED")
        media = job.media[0]
        if media.kind is MediaKind.VIDEO:
            media_id = steps.once("story.video", lambda: self._story_video(page, headers, media, job.token))
            edge, data = "video_stories", {"upload_phase": "finish", "video_id": media_id}
        else:
            media_id = steps.once("photo.0", lambda: self._photo(page, headers, media))
            edge, data = "photo_stories", {"photo_id": media_id}

        def send() -> dict[str, Any]:
            return {"id": str(self._post(f"{GRAPH}/{page}/{edge}", headers, data)["post_id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            story = self._story_of(page, headers, media_id=media_id)
            return {"id": str(story["post_id"])} if story else None

        story = steps.visible("story", send, find)
        url = steps.once("permalink", lambda: (self._story_of(page, headers, post_id=story["id"]) or {}).get("url"))
        return Published(post_id=story["id"], url=url)

    def _story_video(self, page: str, headers: dict[str, str], video: MediaFile, token: str) -> str:
        """A video story's upload session, with the file handed over by URL; its ``video_id``."""
        started = self._post(f"{GRAPH}/{page}/video_stories", headers, {"upload_phase": "start"})
        video_id, upload_url = str(started["video_id"]), str(started["upload_url"])
        self._http.json(
            "POST", upload_url, headers={"Authorization": f"OAuth {token}", "file_url": video.url}, classify=CLASSIFY
        )
        return video_id

    def _story_of(
        self, page: str, headers: dict[str, str], *, media_id: str | None = None, post_id: str | None = None
    ) -> dict[str, Any] | None:
        """The page's story made of that photo or video, or with that id, from its stories edge."""
        answer = self._get(f"{GRAPH}/{page}/stories", headers, fields="post_id,media_id,creation_time,url")
        for item in answer.get("data", []):
            if (media_id and str(item.get("media_id")) == media_id) or (
                post_id and str(item.get("post_id")) == post_id
            ):
                return dict(item)
        return None

    # ------------------------------------------------------------------ first comment

    def _comment(self, job: PublishJob, steps: Steps, page: str, headers: dict[str, str], post_id: str) -> None:
        message = job.first_comment or ""

        def send() -> dict[str, Any]:
            return {"id": str(self._post(f"{GRAPH}/{post_id}/comments", headers, {"message": message})["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._get(f"{GRAPH}/{post_id}/comments", headers, fields="id,message,created_time,from", limit=50)
            for item in answer.get("data", []):
                author = str((item.get("from") or {}).get("id") or page)
                if item.get("message") == message and author == page and made_since(item.get("created_time"), armed_at):
                    return {"id": str(item["id"])}
            return None

        steps.visible("comment", send, find)
