"""Threads (graph.threads.net/v1.0; developers.facebook.com/documentation/threads/posts); ``external_id``
is the Threads user id. Threads pulls the media from the signed URLs.

For each post of the thread (the text with its media, each further part, then the first comment):
1. ``POST /{threads-user-id}/threads``: a container (kept, invisible). ``media_type`` TEXT (with
   ``link_attachment`` for the link), IMAGE (``image_url``, ``alt_text``), VIDEO (``video_url``), or
   CAROUSEL (``children``: one ``is_carousel_item`` container per file); ``reply_to_id`` the post
   before; ``reply_control`` (setting) on the first post, where the conversation hangs.
2. ``GET /{container-id}?fields=status,error_message``, polled until ``FINISHED`` (``ERROR``: refused).
3. ``POST /{threads-user-id}/threads_publish`` (``creation_id``): the visible step.
The first post's permalink comes from ``GET /{media-id}?fields=permalink``.

A lost answer is looked up among ``GET /{threads-user-id}/threads`` (the first post) or
``GET /{parent-id}/replies`` (the replies, by our username): same text, made since the call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialpub.adapters.publishers.facebook import graph_classifier
from socialpub.adapters.publishers.http import NetworkHttp, made_since
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import Finder, MediaFile, Published, PublishJob, Rejected, Retryable, Steps

API = "https://graph.threads.net/v1.0"
POLL_SECONDS = 5.0
MAX_POLLS = 60
CLASSIFY = graph_classifier("Threads")


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        user = job.account.external_id
        headers = {"Authorization": f"Bearer {job.token}"}
        texts = [*job.parts, *([job.first_comment] if job.first_comment else [])]
        root: str | None = None
        previous: str | None = None
        for index, text in enumerate(texts):
            params = self._first(job, steps, user, headers) if index == 0 else {"media_type": "TEXT", "text": text}
            if previous:
                params["reply_to_id"] = previous
            container = steps.once(
                f"container.{index}",
                lambda p=params: self._create(user, headers, p),  # type: ignore[misc]
            )
            steps.once(f"container.{index}.ready", lambda c=container: self._ready(headers, c, steps))  # type: ignore[misc]
            post = steps.visible(
                f"post.{index}",
                lambda c=container: self._publish(user, headers, c),  # type: ignore[misc]
                self._finder(job, user, headers, text, previous),
            )
            previous = post["id"]
            root = root or previous
        assert root is not None
        url = steps.once("permalink", lambda: self._get(f"{API}/{root}", headers, fields="permalink").get("permalink"))
        return Published(post_id=root, url=url)

    # ------------------------------------------------------------------ containers

    def _first(self, job: PublishJob, steps: Steps, user: str, headers: dict[str, str]) -> dict[str, str]:
        params: dict[str, str] = {"text": job.text}
        if job.settings.get("reply_control"):
            params["reply_control"] = str(job.settings["reply_control"])
        if len(job.media) > 1:
            children = [
                steps.once(f"item.{index}", lambda m=media: self._create(user, headers, self._media(m, True)))  # type: ignore[misc]
                for index, media in enumerate(job.media)
            ]
            for index, child in enumerate(children):
                steps.once(f"item.{index}.ready", lambda c=child: self._ready(headers, c, steps))  # type: ignore[misc]
            params.update(media_type="CAROUSEL", children=",".join(children))
        elif job.media:
            params.update(self._media(job.media[0], False))
        else:
            params["media_type"] = "TEXT"
            if job.link:
                params["link_attachment"] = job.link
        return params

    @staticmethod
    def _media(media: MediaFile, carousel_item: bool) -> dict[str, str]:
        if media.kind is MediaKind.VIDEO:
            params = {"media_type": "VIDEO", "video_url": media.url}
        else:
            params = {"media_type": "IMAGE", "image_url": media.url}
        if media.alt_text:
            params["alt_text"] = media.alt_text
        if carousel_item:
            params["is_carousel_item"] = "true"
        return params

    def _create(self, user: str, headers: dict[str, str], params: dict[str, str]) -> str:
        return str(self._post(f"{API}/{user}/threads", headers, params)["id"])

    def _ready(self, headers: dict[str, str], container: str, steps: Steps) -> bool:
        """Threads fetches and processes the media after answering; a container is published once FINISHED."""
        for _ in range(MAX_POLLS):
            answer = self._get(f"{API}/{container}", headers, fields="status,error_message")
            status = answer.get("status")
            if status in ("FINISHED", "PUBLISHED"):
                return True
            if status in ("ERROR", "EXPIRED"):
                said = str(answer.get("error_message") or status)
                raise Rejected(
                    f"Threads could not process the media: {said}", code="MEDIA_REJECTED", network_message=said
                )
            steps.wait(POLL_SECONDS)
        raise Retryable("Threads is still processing the media", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ publishing

    def _publish(self, user: str, headers: dict[str, str], container: str) -> dict[str, Any]:
        return {"id": str(self._post(f"{API}/{user}/threads_publish", headers, {"creation_id": container})["id"])}

    def _finder(self, job: PublishJob, user: str, headers: dict[str, str], text: str, parent: str | None) -> Finder:
        username = job.account.username

        def find(armed_at: datetime) -> dict[str, Any] | None:
            if parent is None:
                url, fields = f"{API}/{user}/threads", "id,text,timestamp"
            else:
                url, fields = f"{API}/{parent}/replies", "id,text,timestamp,username"
            for item in self._get(url, headers, fields=fields, limit=50).get("data", []):
                mine = parent is None or username is None or item.get("username") == username
                if (item.get("text") or "") == text and mine and made_since(item.get("timestamp"), armed_at):
                    return {"id": str(item["id"])}
            return None

        return find

    # ------------------------------------------------------------------ HTTP

    def _get(self, url: str, headers: dict[str, str], **params: Any) -> Any:
        return self._http.json("GET", url, params=params, headers=headers, classify=CLASSIFY)

    def _post(self, url: str, headers: dict[str, str], data: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = self._http.json("POST", url, data=data, headers=headers, classify=CLASSIFY)
        return answer
