"""LinkedIn (learn.microsoft.com/linkedin/marketing/community-management/shares): the versioned REST API at
``https://api.linkedin.com/rest``, every call with the catalog's ``LinkedIn-Version`` and
``X-Restli-Protocol-Version: 2.0.0`` headers. The author is ``urn:li:person:<id>`` (a member) or
``urn:li:organization:<id>`` (a page).

- images: ``POST /images?action=initializeUpload`` then PUT the bytes to ``uploadUrl`` -> ``urn:li:image``;
- a video: ``POST /videos?action=initializeUpload`` (its size), PUT each part (byte ranges, 4 MB) to its
  ``uploadUrl`` keeping the ETags, ``POST /videos?action=finalizeUpload``, then ``GET /videos/{urn}`` until
  ``AVAILABLE``;
- a document (PDF, PPT, DOC): ``POST /documents?action=initializeUpload``, PUT, ``GET /documents/{urn}``
  until ``AVAILABLE``;
- ``POST /posts``: ``commentary`` in little text format (reserved characters escaped), ``visibility``,
  ``distribution``, and ``content`` (``media`` for one image, a video or a document, ``multiImage`` for
  2-20 images, ``article`` for a link without media). The post's URN comes in ``x-restli-id`` (201, no body);
- the first comment: ``POST /socialActions/{post urn}/comments``. LinkedIn has no threads: parts after
  the first are not sent.

A lost answer: the post is looked up in ``GET /posts?q=author`` (commentary, the uploaded media's URNs or the
link, and ``createdAt``). That read needs r_member_social (members: "restricted", a private permission LinkedIn
grants to few partners) or r_organization_social (pages); where it is refused, a post with text is sent again
and LinkedIn's duplicate check (422 "Content is a duplicate of urn:li:share:...") names the post the lost call
made. A post without text (media or a link alone) has nothing for that check to compare: it fails with
OUTCOME_UNKNOWN rather than risk a second post. The first comment is looked up in ``GET /socialActions/{urn}/comments``;
where that read is refused the outcome stays unknown (a second comment would be visible).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, decoded, retry_after
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import (
    MediaFile,
    OutcomeUnknown,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

POLL_SECONDS = 5.0
MAX_POLLS = 60
CLOCK_SKEW = timedelta(seconds=60)
LOOKUP_COUNT = 20
# Little text format: these characters start templates (mentions, hashtags...); unescaped, LinkedIn
# truncates the commentary at them without an error.
RESERVED = frozenset("\\|{}@[]()<>*_~")
DUPLICATE = re.compile(r"urn:li:(?:share|ugcPost):\d+")
ORGANIZATION_TYPES = frozenset({"organization", "page", "company"})


def little_text(text: str) -> str:
    return "".join("\\" + c if c in RESERVED else c for c in text)


def permalink(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def link(account: PublishAccount, post_id: str) -> str | None:
    """The post's link from its URN (a post id recorded by hand, services/releases.py)."""
    return permalink(post_id) if DUPLICATE.fullmatch(post_id) else None


def author_of(job: PublishJob) -> str:
    kind = "organization" if job.account.type in ORGANIZATION_TYPES else "person"
    return f"urn:li:{kind}:{job.account.external_id}"


def same_content(shown: Any, sent: dict[str, Any] | None) -> bool:
    """Whether a post read back carries what was sent: the same uploaded media (their URNs, unique to
    our uploads: what tells two posts without text apart) or the same link."""

    def key(content: Any) -> tuple[str, ...]:
        if not isinstance(content, dict):
            return ()
        media = content.get("media") or {}
        if media.get("id"):
            return (str(media["id"]),)
        images = (content.get("multiImage") or {}).get("images") or []
        if images:
            return tuple(str(image.get("id")) for image in images)
        return (str((content.get("article") or {}).get("source") or ""),) if content.get("article") else ()

    return key(shown) == key(sent)


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """LinkedIn's errors: ``{"status", "serviceErrorCode", "code", "message"}``, input errors under
    ``errorDetails.inputErrors``."""
    status = response.status_code
    said = f"LinkedIn answered {status}" + (f": {message}" if message else "")
    details = body.get("errorDetails") if isinstance(body, dict) else None
    inputs = details.get("inputErrors") if isinstance(details, dict) else None
    codes = {str(e.get("code")) for e in inputs or [] if isinstance(e, dict)}
    if status == 422 and ("DUPLICATE_POST" in codes or "duplicate" in message.lower()):
        return Rejected(said, code="DUPLICATE_CONTENT", network_message=message, status=status)
    if status == 429:
        if "quota" in message.lower():
            return Rejected(said, code="QUOTA_EXCEEDED", network_message=message, status=status)
        wait = retry_after(response)
        if wait is None and "DAY" in message:
            # Daily throttles ("... DAY limit ... is reached") reset at midnight UTC.
            now = datetime.now(UTC)
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            wait = (midnight - now).total_seconds()
        return Retryable(said, code="RATE_LIMITED", network_message=message, status=status, retry_after=wait)
    return None


class _Api:
    """Calls to /rest with the account's token and LinkedIn's version headers."""

    def __init__(self, http: NetworkHttp, job: PublishJob) -> None:
        self.http = http
        self.base = job.platform.auth.request.base_url.rstrip("/")
        self.headers = {
            **job.platform.auth.request.headers,
            "Authorization": f"Bearer {job.token}",
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.call(method, f"{self.base}{path}", headers=self.headers, classify=classify, **kwargs)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.http.json(method, f"{self.base}{path}", headers=self.headers, classify=classify, **kwargs)

    def put(self, url: str, data: bytes, content_type: str) -> httpx.Response:
        """An upload to the URL LinkedIn handed out (on www.linkedin.com, not /rest)."""
        headers = {"Authorization": self.headers["Authorization"], "Content-Type": content_type}
        return self.http.call("PUT", url, content=data, headers=headers, classify=classify)


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        api = _Api(self._http, job)
        author = author_of(job)
        commentary = little_text(job.text)
        body: dict[str, Any] = {
            "author": author,
            "commentary": commentary,
            "visibility": job.settings.get("visibility") or "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        content = self._content(api, job, author, steps)
        if content:
            body["content"] = content
        # Set when a lookup was refused: a resend then counts LinkedIn's duplicate answer as the lost post.
        lookup_refused = False

        def send() -> dict[str, Any]:
            try:
                response = api.call("POST", "/posts", json=body)
            except Rejected as refused:
                found = DUPLICATE.search(refused.network_message or "")
                if refused.code == "DUPLICATE_CONTENT" and lookup_refused and found:
                    return {"id": found.group(0), "url": permalink(found.group(0))}
                raise
            urn = response.headers.get("x-restli-id")
            if not urn:
                raise Rejected("LinkedIn made the post but did not say its id", code="BAD_RESPONSE", sent=None)
            return {"id": urn, "url": permalink(urn)}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            nonlocal lookup_refused
            try:
                answer = api.json("GET", f"/posts?author={quote(author, safe='')}&q=author&count={LOOKUP_COUNT}")
            except Rejected as refused:
                if refused.status != 403:
                    raise
                if not commentary.strip():
                    # LinkedIn's duplicate check compares the commentary: with none, a resend would make
                    # a second post. Refuse to send blind.
                    raise OutcomeUnknown(
                        "LinkedIn may or may not have made this post, which has no text: LinkedIn lets this app "
                        "read back neither the account's posts (r_member_social is granted to few partners; "
                        "pages need r_organization_social) nor, without text, catch a resend as a duplicate. "
                        "Look at the account before publishing again",
                        network_message=refused.network_message,
                        status=refused.status,
                        sent=None,
                    ) from None
                lookup_refused = True
                return None
            since = (armed_at - CLOCK_SKEW).timestamp() * 1000
            for element in answer.get("elements") or []:
                if (
                    element.get("commentary") == commentary
                    and same_content(element.get("content"), content)
                    and int(element.get("createdAt") or 0) >= since
                ):
                    return {"id": element["id"], "url": permalink(element["id"])}
            return None

        post = steps.visible("post", send, find)
        if job.first_comment:
            self._comment(api, author, post["id"], job.first_comment, steps)
        return Published(post_id=post["id"], url=post["url"])

    # ------------------------------------------------------------------ content

    def _content(self, api: _Api, job: PublishJob, author: str, steps: Steps) -> dict[str, Any] | None:
        videos = job.videos()
        documents = [m for m in job.media if m.kind is MediaKind.DOCUMENT]
        images = job.images()
        if videos:
            urn = steps.once("media.0", lambda: self._upload_video(api, videos[0], author))
            steps.once("media.0.ready", lambda: self._available(api, "videos", urn, steps))
            return {"media": {"id": urn, **({"title": job.title} if job.title else {})}}
        if documents:
            document = documents[0]
            urn = steps.once("media.0", lambda: self._upload(api, "documents", document, author))
            steps.once("media.0.ready", lambda: self._available(api, "documents", urn, steps))
            return {"media": {"id": urn, "title": job.title or document.filename}}
        if images:
            entries = []
            for index, image in enumerate(images):
                urn = steps.once(f"media.{index}", lambda m=image: self._upload(api, "images", m, author))  # type: ignore[misc]
                entries.append({"id": urn, **({"altText": image.alt_text} if image.alt_text else {})})
            return {"media": entries[0]} if len(entries) == 1 else {"multiImage": {"images": entries}}
        if job.link:
            return {"article": {"source": job.link, "title": job.title or job.link}}
        return None

    def _upload(self, api: _Api, kind: str, media: MediaFile, owner: str) -> str:
        """An image or a document: one PUT of the whole file."""
        answer = api.json(
            "POST", f"/{kind}?action=initializeUpload", json={"initializeUploadRequest": {"owner": owner}}
        )
        value = answer["value"]
        api.put(value["uploadUrl"], media.content(), media.mime_type)
        return str(value["image" if kind == "images" else "document"])

    def _upload_video(self, api: _Api, media: MediaFile, owner: str) -> str:
        request = {"owner": owner, "fileSizeBytes": media.size, "uploadCaptions": False, "uploadThumbnail": False}
        value = api.json("POST", "/videos?action=initializeUpload", json={"initializeUploadRequest": request})["value"]
        etags = []
        for part in value["uploadInstructions"]:
            first, last = int(part["firstByte"]), int(part["lastByte"])
            response = api.put(part["uploadUrl"], media.read(first, last - first + 1), "application/octet-stream")
            etag = response.headers.get("etag")
            if not etag:
                raise Rejected("LinkedIn took a video part without naming it (no ETag)", code="BAD_RESPONSE")
            etags.append(etag)
        finalize = {"video": value["video"], "uploadToken": value.get("uploadToken") or "", "uploadedPartIds": etags}
        api.call("POST", "/videos?action=finalizeUpload", json={"finalizeUploadRequest": finalize})
        return str(value["video"])

    def _available(self, api: _Api, kind: str, urn: str, steps: Steps) -> bool:
        """Videos and documents are processed after the upload: PROCESSING, then AVAILABLE."""
        for _ in range(MAX_POLLS):
            answer = api.json("GET", f"/{kind}/{quote(urn, safe='')}")
            status = answer.get("status")
            if status == "AVAILABLE":
                return True
            if status == "PROCESSING_FAILED":
                reason = answer.get("processingFailureReason")
                raise Rejected(
                    f"LinkedIn could not process the {kind[:-1]}", code="MEDIA_REJECTED", network_message=reason
                )
            steps.wait(POLL_SECONDS)
        raise Retryable(f"LinkedIn is still processing the {kind[:-1]}", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ first comment

    def _comment(self, api: _Api, author: str, post: str, text: str, steps: Steps) -> None:
        path = f"/socialActions/{quote(post, safe='')}/comments"

        def send() -> dict[str, Any]:
            body = {"actor": author, "object": post, "message": {"text": text}}
            response = api.call("POST", path, json=body)
            answer = decoded(response) or {}
            return {"id": response.headers.get("x-restli-id") or answer.get("commentUrn") or answer.get("id")}

        def find(armed_at: datetime) -> dict[str, Any] | None:
            try:
                answer = api.json("GET", path)
            except Rejected as refused:
                if refused.status != 403:
                    raise
                raise OutcomeUnknown(
                    "LinkedIn may or may not have made the first comment, and it does not let this app read "
                    "comments back; look at the post before publishing again",
                    network_message=refused.network_message,
                    status=refused.status,
                    sent=None,
                ) from None
            since = (armed_at - CLOCK_SKEW).timestamp() * 1000
            for element in answer.get("elements") or []:
                created = element.get("created") or {}
                if (
                    element.get("actor") == author
                    and (element.get("message") or {}).get("text") == text
                    and int(created.get("time") or 0) >= since
                ):
                    return {"id": element.get("commentUrn") or element.get("id")}
            return None

        steps.visible("comment", send, find)
