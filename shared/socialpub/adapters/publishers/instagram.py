"""Instagram through Facebook Login (graph.facebook.com; developers.facebook.com/docs/instagram-platform/
content-publishing), with the token of the page linked to the business account (``external_id`` is
the Instagram user id). Instagram pulls the media from the signed URLs.

1. ``POST /{ig-user-id}/media``: a container (kept, invisible). Image posts: ``image_url``, ``caption``,
   ``alt_text``; reels: ``media_type=REELS``, ``video_url``, ``share_to_feed``; stories:
   ``media_type=STORIES`` (no caption); carousels: one item container per file (``is_carousel_item``;
   videos as ``media_type=VIDEO``), then ``media_type=CAROUSEL`` with ``children`` and ``caption``.
2. ``GET /{container-id}?fields=status_code,status``, polled until ``FINISHED`` (``ERROR``: refused).
3. ``POST /{ig-user-id}/media_publish`` (``creation_id``): the visible step; then the permalink from
   ``GET /{media-id}?fields=permalink``.
4. First comment: ``POST /{ig-media-id}/comments`` (``message``).

Settings: ``type`` (post, reel, story, carousel; from the media when left out), ``share_to_feed``.
A lost answer is looked up in ``GET /{ig-user-id}/media`` (``/stories`` for stories, which have no
caption: matched on time alone) for media with the same caption made since the call, and in
``GET /{media-id}/comments`` for the comment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from socialpub.adapters.publishers.facebook import GRAPH, graph_classifier
from socialpub.adapters.publishers.http import NetworkHttp, made_since
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import MediaFile, Published, PublishJob, Rejected, Retryable, Steps

POLL_SECONDS = 5.0
MAX_POLLS = 60
CLASSIFY = graph_classifier("Instagram")


class Publisher:
    # The Graph host and version the calls go to: Instagram with Instagram Login (``instagram_standalone``)
    # speaks the same container flow at graph.instagram.com.
    graph = GRAPH

    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        ig_user = job.account.external_id
        headers = {"Authorization": f"Bearer {job.token}"}
        kind = self._kind(job)
        if kind == "carousel":
            children = [
                steps.once(f"container.{index}", lambda m=media: self._create(ig_user, headers, self._item(m)))  # type: ignore[misc]
                for index, media in enumerate(job.media)
            ]
            for index, child in enumerate(children):
                steps.once(f"container.{index}.ready", lambda c=child: self._ready(headers, c, steps))  # type: ignore[misc]
            params = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": job.text}
        else:
            params = self._single(job, kind)
        container = steps.once("container", lambda: self._create(ig_user, headers, params))
        steps.once("container.ready", lambda: self._ready(headers, container, steps))

        def send() -> dict[str, Any]:
            answer = self._post(f"{self.graph}/{ig_user}/media_publish", headers, {"creation_id": container})
            return {"id": str(answer["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            edge = "stories" if kind == "story" else "media"
            answer = self._get(f"{self.graph}/{ig_user}/{edge}", headers, fields="id,caption,timestamp", limit=25)
            for item in answer.get("data", []):
                same = kind == "story" or (item.get("caption") or "") == job.text
                if same and made_since(item.get("timestamp"), armed_at):
                    return {"id": str(item["id"])}
            return None

        media = steps.visible("publish", send, find)
        url = steps.once(
            "permalink", lambda: self._get(f"{self.graph}/{media['id']}", headers, fields="permalink").get("permalink")
        )
        if job.first_comment and kind != "story":  # stories take no comments from their author
            self._comment(job, steps, headers, media["id"])
        return Published(post_id=media["id"], url=url)

    # ------------------------------------------------------------------ containers

    @staticmethod
    def _kind(job: PublishJob) -> str:
        kind = str(job.settings.get("type") or "")
        if not job.media:
            raise Rejected("Instagram posts need an image or a video", code="VALIDATION_FAILED")
        if not kind:
            if len(job.media) > 1:
                return "carousel"
            return "reel" if job.media[0].kind is MediaKind.VIDEO else "post"
        if kind == "post" and len(job.media) > 1:
            return "carousel"
        if kind in ("reel", "story") and len(job.media) > 1:
            raise Rejected(f"An Instagram {kind} holds one media file", code="VALIDATION_FAILED")
        return kind

    def _single(self, job: PublishJob, kind: str) -> dict[str, str]:
        media = job.media[0]
        video = media.kind is MediaKind.VIDEO
        if kind == "story":
            return {"media_type": "STORIES", ("video_url" if video else "image_url"): media.url}
        if kind == "reel" or video:
            # Instagram publishes feed videos as reels only (the VIDEO type is gone); a video "post" is a
            # reel shown in the feed.
            share = job.settings.get("share_to_feed")
            return {
                "media_type": "REELS",
                "video_url": media.url,
                "caption": job.text,
                "share_to_feed": "true" if share is None or share else "false",
            }
        params = {"image_url": media.url, "caption": job.text}
        if media.alt_text:
            params["alt_text"] = media.alt_text
        return params

    @staticmethod
    def _item(media: MediaFile) -> dict[str, str]:
        if media.kind is MediaKind.VIDEO:
            return {"media_type": "VIDEO", "video_url": media.url, "is_carousel_item": "true"}
        params = {"image_url": media.url, "is_carousel_item": "true"}
        if media.alt_text:
            params["alt_text"] = media.alt_text
        return params

    def _create(self, ig_user: str, headers: dict[str, str], params: dict[str, str]) -> str:
        return str(self._post(f"{self.graph}/{ig_user}/media", headers, params)["id"])

    def _ready(self, headers: dict[str, str], container: str, steps: Steps) -> bool:
        """Instagram fetches and processes the media after answering; a container is published once FINISHED."""
        for _ in range(MAX_POLLS):
            answer = self._get(f"{self.graph}/{container}", headers, fields="status_code,status")
            status = answer.get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return True
            if status in ("ERROR", "EXPIRED"):
                said = str(answer.get("status") or status)
                raise Rejected(
                    f"Instagram could not process the media: {said}", code="MEDIA_REJECTED", network_message=said
                )
            steps.wait(POLL_SECONDS)
        raise Retryable("Instagram is still processing the media", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ first comment

    def _comment(self, job: PublishJob, steps: Steps, headers: dict[str, str], media_id: str) -> None:
        message = job.first_comment or ""
        username = job.account.username

        def send() -> dict[str, Any]:
            return {"id": str(self._post(f"{self.graph}/{media_id}/comments", headers, {"message": message})["id"])}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._get(
                f"{self.graph}/{media_id}/comments", headers, fields="id,text,timestamp,username", limit=50
            )
            for item in answer.get("data", []):
                mine = username is None or item.get("username") in (None, username)
                if item.get("text") == message and mine and made_since(item.get("timestamp"), armed_at):
                    return {"id": str(item["id"])}
            return None

        steps.visible("comment", send, find)

    # ------------------------------------------------------------------ HTTP

    def _get(self, url: str, headers: dict[str, str], **params: Any) -> Any:
        return self._http.json("GET", url, params=params, headers=headers, classify=CLASSIFY)

    def _post(self, url: str, headers: dict[str, str], data: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = self._http.json("POST", url, data=data, headers=headers, classify=CLASSIFY)
        return answer
