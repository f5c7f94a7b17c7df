"""Mastodon (docs.joinmastodon.org): media through ``POST /api/v2/media`` (polled until processed),
then ``POST /api/v1/statuses``; thread parts and the first comment are replies to the status before.

Mastodon honours ``Idempotency-Key`` on statuses: a status resent with its key returns the one
already made, so a call whose answer was lost is simply sent again (that is the lookup)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.publishing import MediaFile, Published, PublishJob, Retryable, Steps

POLL_SECONDS = 2.0
MAX_POLLS = 60


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        base = f"https://{job.account.instance}"
        headers = {"Authorization": f"Bearer {job.token}"}
        media_ids = []
        for index, media in enumerate(job.media):
            media_id = steps.once(f"media.{index}", lambda m=media: self._upload(base, headers, m))  # type: ignore[misc]
            steps.once(f"media.{index}.ready", lambda i=media_id: self._processed(base, headers, i, steps))  # type: ignore[misc]
            media_ids.append(media_id)
        settings = job.settings
        texts = [*job.parts, *([job.first_comment] if job.first_comment else [])]
        first: dict[str, Any] | None = None
        previous: str | None = None
        for index, text in enumerate(texts):
            body: dict[str, Any] = {"status": text, "visibility": settings.get("visibility", "public")}
            if index == 0:
                body["media_ids"] = media_ids
                if settings.get("spoiler_text"):
                    body["spoiler_text"] = settings["spoiler_text"]
                if settings.get("sensitive") is not None:
                    body["sensitive"] = bool(settings["sensitive"])
            if previous:
                body["in_reply_to_id"] = previous
            key = f"{job.key}:{index}"

            def send(body: dict[str, Any] = body, key: str = key) -> dict[str, Any]:
                answer = self._http.json(
                    "POST",
                    f"{base}/api/v1/statuses",
                    json=body,
                    headers={**headers, "Idempotency-Key": key},
                )
                return {"id": str(answer["id"]), "url": answer.get("url")}

            def resend(_armed_at: datetime, send: Callable[[], dict[str, Any]] = send) -> dict[str, Any]:
                return send()  # the same Idempotency-Key: the status already made, if it was

            status = steps.visible(f"status.{index}", send, find=resend)
            previous = status["id"]
            first = first or status
        assert first is not None
        return Published(post_id=first["id"], url=first.get("url"))

    def _upload(self, base: str, headers: dict[str, str], media: MediaFile) -> str:
        data: dict[str, str] = {"description": media.alt_text} if media.alt_text else {}
        answer = self._http.json(
            "POST",
            f"{base}/api/v2/media",
            headers=headers,
            files={"file": (media.filename, media.content(), media.mime_type)},
            data=data,
        )
        return str(answer["id"])

    def _processed(self, base: str, headers: dict[str, str], media_id: str, steps: Steps) -> bool:
        """Videos are processed after upload: GET answers 206 with ``url: null`` until done."""
        for _ in range(MAX_POLLS):
            answer = self._http.json("GET", f"{base}/api/v1/media/{media_id}", headers=headers)
            if answer.get("url"):
                return True
            steps.wait(POLL_SECONDS)
        raise Retryable("Mastodon is still processing the media", code="MEDIA_PROCESSING")
