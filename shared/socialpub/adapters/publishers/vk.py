"""VK (dev.vk.com/en/method/wall.post): a wall post with photos or videos, through ``https://api.vk.com/method/<name>``
(``v=5.199``, the user's token as a bearer). Photos: ``photos.getWallUploadServer``, a multipart upload
of ``photo`` to the ``upload_url`` it gives, then ``photos.saveWallPhoto``; each saved photo is an
attachment ``photo<owner>_<id>``, the post's link one more. Videos (dev.vk.com/en/api/upload/video-in-profile):
``video.save`` (``wallpost=0``: the wall post is ours) gives an ``upload_url`` and the video's id, a multipart
``video_file`` POSTed there uploads it, and ``video<owner>_<id>`` is the attachment; VK processes the video
after the post is made (the post shows it as processing meanwhile). The settings ``owner_id`` (a community's
wall, ``-<id>``) and ``from_group`` go to ``wall.post`` as VK names them.

VK refuses inside HTTP 200: ``{"error": {"error_code", "error_msg"}}``. ``wall.post`` takes a ``guid``
against sending the same entry twice; a call whose answer was lost is looked up in the wall's latest
posts (``wall.get``): the one with the same text and attachments, made no earlier than the call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, decoded, retry_after
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

API = "https://api.vk.com/method"
VERSION = "5.199"
LOOKUP_POSTS = 20
MAX_VIDEO_NAME = 128  # video.save's name: at most 128 characters
CLOCK_SKEW = timedelta(minutes=2)
RATE_LIMITS = {6, 9, 29}  # too many requests per second, flood control, rate limit reached
UNAVAILABLE = {1, 10}  # unknown error, internal server error
DENIED = {7, 15, 203, 214}  # no permission, access denied, group access, posting denied


def vk_failure(body: Any, response: httpx.Response) -> PublishFailure | None:
    """The failure VK's ``error`` says, or None when the answer has none."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or "error_code" not in error:
        return None
    code, message = int(error.get("error_code") or 0), str(error.get("error_msg") or "")
    said = f"api.vk.com refused ({code}): {message}"
    status = response.status_code
    if code == 5:
        return NeedsReconnect(said, network_message=message, status=status)
    if code in RATE_LIMITS:
        return Retryable(
            said, code="RATE_LIMITED", network_message=message, status=status, retry_after=retry_after(response)
        )
    if code in UNAVAILABLE:
        return Retryable(said, network_message=message, status=status, sent=None)
    if code in DENIED:
        return Rejected(said, code="PERMISSION_DENIED", network_message=message, status=status)
    return Rejected(said, network_message=message, status=status)


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    return vk_failure(body, response)


def call(http: NetworkHttp, token: str, method: str, params: dict[str, Any]) -> Any:
    """The ``response`` of a VK method, or the failure its ``error`` says."""
    response = http.call(
        "POST",
        f"{API}/{method}",
        data={**{k: str(v) for k, v in params.items()}, "v": VERSION},
        headers={"Authorization": f"Bearer {token}"},
        classify=classify,
    )
    body = decoded(response)
    failure = vk_failure(body, response)
    if failure is not None:
        raise failure
    if not isinstance(body, dict) or "response" not in body:
        raise Rejected("api.vk.com answered something that is not a VK answer", code="BAD_RESPONSE")
    return body["response"]


def link(account: PublishAccount, post_id: str) -> str:
    return f"https://vk.com/wall{post_id}"


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        owner = str(job.settings.get("owner_id") or job.account.external_id)
        group = owner.removeprefix("-") if owner.startswith("-") else None
        attachments = [
            steps.once(f"photo.{index}", lambda m=media: self._photo(job.token, m, group))  # type: ignore[misc]
            for index, media in enumerate(job.images())
        ]
        attachments += [
            steps.once(f"video.{index}", lambda m=media: self._video(job, m, group))  # type: ignore[misc]
            for index, media in enumerate(job.videos())
        ]
        if job.link:
            attachments.append(job.link)
        post: dict[str, Any] = {"message": job.text, "guid": job.key[:64]}
        if attachments:
            post["attachments"] = ",".join(attachments)
        if job.settings.get("owner_id"):
            post["owner_id"] = owner
        if job.settings.get("from_group"):
            post["from_group"] = 1

        def send() -> dict[str, Any]:
            made = call(self._http, job.token, "wall.post", post)
            return {"id": f"{owner}_{made['post_id']}"}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            wall = call(self._http, job.token, "wall.get", {"owner_id": owner, "count": LOOKUP_POSTS})
            items = wall.get("items") if isinstance(wall, dict) else None
            for item in items or []:
                if item.get("text") != job.text or int(item.get("date") or 0) < (armed_at - CLOCK_SKEW).timestamp():
                    continue
                return {"id": f"{owner}_{item['id']}"}
            return None

        made = steps.visible("post", send, find=find)
        return Published(post_id=made["id"], url=f"https://vk.com/wall{made['id']}")

    def _photo(self, token: str, media: MediaFile, group: str | None) -> str:
        """An uploaded, saved wall photo as a wall.post attachment (``photo<owner>_<id>``)."""
        where = {"group_id": group} if group else {}
        server = call(self._http, token, "photos.getWallUploadServer", where)
        upload = self._http.json(
            "POST",
            str(server["upload_url"]),
            files={"photo": (media.filename, media.content(), media.mime_type)},
            classify=classify,
        )
        if not upload.get("photo") or upload.get("photo") == "[]":
            message = str(upload.get("error") or "the upload server kept no photo")
            raise Rejected(f"VK refused the photo: {message}", code="MEDIA_REJECTED", network_message=message)
        saved = call(
            self._http,
            token,
            "photos.saveWallPhoto",
            {"server": upload["server"], "photo": upload["photo"], "hash": upload["hash"], **where},
        )
        return f"photo{saved[0]['owner_id']}_{saved[0]['id']}"

    def _video(self, job: PublishJob, media: MediaFile, group: str | None) -> str:
        """A video saved to the user's (or the community's) videos and uploaded, as a wall.post attachment
        (``video<owner>_<id>``)."""
        params: dict[str, Any] = {"name": (job.title or job.text or media.filename)[:MAX_VIDEO_NAME], "wallpost": 0}
        if group:
            params["group_id"] = group
        saved = call(self._http, job.token, "video.save", params)
        upload = self._http.json(
            "POST",
            str(saved["upload_url"]),
            files={"video_file": (media.filename, media.content(), media.mime_type)},
            classify=classify,
        )
        if "video_id" not in upload:
            message = str(upload.get("error") or "the upload server kept no video")
            raise Rejected(f"VK refused the video: {message}", code="MEDIA_REJECTED", network_message=message)
        return f"video{upload.get('owner_id', saved['owner_id'])}_{upload['video_id']}"
