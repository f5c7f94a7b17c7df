"""Bluesky (docs.bsky.app; atproto XRPC at the account's PDS: ``https://<account.instance>/xrpc``, the host the
user named at connect, else ``https://bsky.social/xrpc``). Every call to it goes through the SSRF guard of
``NetworkHttp``, so a PDS host that has come to resolve inside is refused (HOST_NOT_ALLOWED), nothing sent.

- Images: ``com.atproto.repo.uploadBlob`` (the raw bytes, at most 1,000,000 each), embedded as
  ``app.bsky.embed.images`` with ``alt`` and ``aspectRatio``.
- Video, the recommended way (docs.bsky.app/docs/tutorials/video): ``app.bsky.video.getUploadLimits`` on
  ``video.bsky.app`` (a daily quota), ``com.atproto.server.getServiceAuth`` for a 30-minute service token with the
  account's PDS as audience (read from ``com.atproto.server.getSession``'s DID document), the bytes streamed to
  ``app.bsky.video.uploadVideo``, then ``app.bsky.video.getJobStatus`` polled until the job holds the processed
  blob, embedded as ``app.bsky.embed.video``.
- A link with no media becomes an ``app.bsky.embed.external`` card. Links and hashtags in the text get richtext
  facets (UTF-8 byte offsets). ``langs`` from the ``langs`` setting (at most 3).
- The post: ``com.atproto.repo.createRecord`` (collection ``app.bsky.feed.post``); thread parts and the first
  comment reply to the post before, with ``reply: {root, parent}`` strong refs (uri + cid).

Every PDS call carries the account's token: a session's accessJwt as a bearer (app passwords), or an atproto
OAuth access token bound to a DPoP key (``job.proof_key``) as ``Authorization: DPoP`` with a fresh proof per call
(``htm``, ``htu``, ``ath``; the PDS's nonce when it asks for one with 401 ``use_dpop_nonce``).

Each record's key (a TID) is chosen before it is first sent and kept, so a record is only ever written at that
key: a record whose answer was lost is looked up with ``com.atproto.repo.listRecords`` (the account's posts,
newest first) by that key -- or by the same text, reply parent and ``createdAt`` since the step was armed -- and a
resend of one that exists is refused by the PDS (the key is taken) instead of making a second post.

Errors are XRPC ``{"error", "message"}``: ``ExpiredToken`` (400) -> TokenExpired (the pipeline renews the
session with refreshSession once and tries again); ``InvalidToken``/``AuthRequired`` (400 or 401) ->
NeedsReconnect; ``RateLimitExceeded`` 429 -> Retryable RATE_LIMITED after Retry-After or ``ratelimit-reset``;
``BlobTooLarge``/413, a record refused for its embed (``Record/embed/...``) and a failed video job -> Rejected
MEDIA_REJECTED; ``canUpload: false`` -> Rejected
QUOTA_EXCEEDED; ``AccountTakedown``/``AccountDeactivated`` -> Rejected PERMISSION_DENIED; any other 400
(``InvalidRequest``: the record's validation) -> Rejected VALIDATION_FAILED with the PDS's message.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import regex

from socialpub.adapters.atproto_oauth import DpopKey, proof_headers
from socialpub.adapters.publishers.http import NetworkHttp, retry_after
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
    TokenExpired,
)
from socialpub.domain.text_length import urls

DEFAULT_PDS = "bsky.social"
XRPC = f"https://{DEFAULT_PDS}/xrpc"
VIDEO_XRPC = "https://video.bsky.app/xrpc"
VIDEO_SERVICE = "did:web:video.bsky.app"
COLLECTION = "app.bsky.feed.post"
SERVICE_TOKEN_SECONDS = 30 * 60  # what the docs recommend for a video upload
VIDEO_CHUNK = 1024 * 1024
POLL_SECONDS = 2.0
MAX_POLLS = 90
MAX_LANGS = 3
LOOKBACK = timedelta(seconds=60)
LIST_PAGES = 3
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
RECONNECT = {"ExpiredToken", "InvalidToken", "AuthRequired", "AuthenticationRequired", "AuthMissing"}
ACCOUNT_GONE = {"AccountTakedown", "AccountDeactivated", "AccountSuspended"}
# A hashtag as Bluesky's richtext reads it: after a start or a space, not only digits, at most 64 characters.
_TAG = regex.compile(
    r"(?:^|\s)([#\uff03]((?!\ufe0f)[^\s\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*[^\d\s\p{P}]+[^\s]*))"
)


class Pds:
    """Calls to the account's PDS with its token: a session's accessJwt as a bearer (app passwords), or an
    atproto OAuth token bound to a DPoP key (``job.proof_key``): then each call carries a fresh proof of its
    method and URL with the token's hash, and a PDS asking for a DPoP nonce (401 ``use_dpop_nonce``) gets the
    call once more with the nonce it gave, kept for the calls after."""

    def __init__(self, http: NetworkHttp, token: str, proof_key: str | None) -> None:
        self._http = http
        self._token = token
        self._key = DpopKey.from_pem(proof_key) if proof_key else None
        self._nonce: str | None = None

    def json(self, method: str, url: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        for attempt in range(2):
            sent = {**(headers or {}), **self._authorization(method, url)}
            try:
                return self._http.json(method, url, headers=sent, classify=self._classify, **kwargs)
            except NonceWanted:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _authorization(self, method: str, url: str) -> dict[str, str]:
        if self._key is None:
            return {"Authorization": f"Bearer {self._token}"}
        return proof_headers(self._key, method, url, self._token, self._nonce)

    def _classify(self, response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
        nonce = response.headers.get("dpop-nonce")
        if self._key is not None and nonce and response.status_code == 401:
            self._nonce = nonce
            if "use_dpop_nonce" in response.headers.get("www-authenticate", ""):
                return NonceWanted("Bluesky asked for a DPoP nonce", status=401, sent=False)
        return classify(response, body, message)


class NonceWanted(Retryable):
    """The PDS refused a DPoP proof without its current nonce: nothing was done; sent again with it."""


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        pds = Pds(self._http, job.token, job.proof_key)
        did = job.account.external_id
        xrpc = xrpc_of(job.account)
        embed = self._embed(job, xrpc, pds, steps)
        langs = [t.strip() for t in str(job.settings.get("langs") or "").split(",") if t.strip()][:MAX_LANGS]

        texts = [*job.parts, *([job.first_comment] if job.first_comment else [])]
        root: dict[str, str] | None = None
        parent: dict[str, str] | None = None
        for index, text in enumerate(texts):
            rkey: str = steps.once(f"post.{index}.rkey", new_tid)
            record: dict[str, Any] = {"$type": COLLECTION, "text": text}
            if facets := facets_of(text):
                record["facets"] = facets
            if langs:
                record["langs"] = langs
            if index == 0 and embed:
                record["embed"] = embed
            if root and parent:
                record["reply"] = {"root": root, "parent": parent}

            def send(record: dict[str, Any] = record, rkey: str = rkey) -> dict[str, Any]:
                body = {
                    "repo": did,
                    "collection": COLLECTION,
                    "rkey": rkey,
                    "record": {**record, "createdAt": _now()},
                }
                answer = pds.json("POST", f"{xrpc}/com.atproto.repo.createRecord", json=body)
                return {"uri": str(answer["uri"]), "cid": str(answer["cid"])}

            def find(
                armed_at: datetime, rkey: str = rkey, text: str = text, parent: dict[str, str] | None = parent
            ) -> dict[str, Any] | None:
                return self._find(xrpc, did, pds, armed_at, rkey, text, parent["uri"] if parent else None)

            post = steps.visible(f"post.{index}", send, find)
            parent = {"uri": post["uri"], "cid": post["cid"]}
            root = root or parent
        assert root is not None
        rkey = root["uri"].rsplit("/", 1)[-1]
        return Published(post_id=root["uri"], url=f"https://bsky.app/profile/{job.account.username or did}/post/{rkey}")

    # ------------------------------------------------------------------ embeds

    def _embed(self, job: PublishJob, xrpc: str, pds: Pds, steps: Steps) -> dict[str, Any] | None:
        videos, images = job.videos(), job.images()
        if videos:
            video = videos[0]
            upload: dict[str, Any] = steps.once("media.0", lambda: self._upload_video(job, xrpc, pds, video))
            blob: dict[str, Any] = steps.once("media.0.ready", lambda: self._processed(upload, steps))
            embed: dict[str, Any] = {"$type": "app.bsky.embed.video", "video": blob}
            if video.alt_text:
                embed["alt"] = video.alt_text
            if ratio := _aspect_ratio(video):
                embed["aspectRatio"] = ratio
            return embed
        if images:
            entries = []
            for index, image in enumerate(images):
                blob = steps.once(f"media.{index}", lambda m=image: self._upload_blob(xrpc, pds, m))  # type: ignore[misc]
                entry: dict[str, Any] = {"image": blob, "alt": image.alt_text or ""}
                if ratio := _aspect_ratio(image):
                    entry["aspectRatio"] = ratio
                entries.append(entry)
            return {"$type": "app.bsky.embed.images", "images": entries}
        if job.link:
            title = job.title or urlsplit(job.link).netloc or job.link
            return {
                "$type": "app.bsky.embed.external",
                "external": {"uri": job.link, "title": title, "description": ""},
            }
        return None

    def _upload_blob(self, xrpc: str, pds: Pds, media: MediaFile) -> dict[str, Any]:
        answer = pds.json(
            "POST",
            f"{xrpc}/com.atproto.repo.uploadBlob",
            content=media.content(),
            headers={"Content-Type": media.mime_type},
        )
        blob: dict[str, Any] = answer["blob"]
        return blob

    def _service_token(self, xrpc: str, pds: Pds, audience: str, method: str) -> str:
        answer = pds.json(
            "GET",
            f"{xrpc}/com.atproto.server.getServiceAuth",
            params={"aud": audience, "lxm": method, "exp": int(time.time()) + SERVICE_TOKEN_SECONDS},
        )
        return str(answer["token"])

    def _pds_audience(self, xrpc: str, pds: Pds) -> str:
        """The service token's audience is the account's own PDS (``did:web:<host>``), which the DID document
        names; bsky.social is only the entryway to it."""
        session = pds.json("GET", f"{xrpc}/com.atproto.server.getSession")
        for service in (session.get("didDoc") or {}).get("service") or []:
            if str(service.get("id", "")).endswith("#atproto_pds") and service.get("serviceEndpoint"):
                return "did:web:" + str(urlsplit(str(service["serviceEndpoint"])).netloc)
        return "did:web:" + str(urlsplit(xrpc).netloc)

    def _upload_video(self, job: PublishJob, xrpc: str, pds: Pds, video: MediaFile) -> dict[str, Any]:
        """The upload to the video service: its job (and the blob, when the service already had this video)."""
        limits_token = self._service_token(xrpc, pds, VIDEO_SERVICE, "app.bsky.video.getUploadLimits")
        limits = self._http.json(
            "GET",
            f"{VIDEO_XRPC}/app.bsky.video.getUploadLimits",
            headers={"Authorization": f"Bearer {limits_token}"},
            classify=classify,
        )
        if limits.get("canUpload") is False:
            message = str(limits.get("message") or limits.get("error") or "video upload limit reached")
            raise Rejected(
                f"Bluesky does not take more videos from this account now: {message}",
                code="QUOTA_EXCEEDED",
                network_message=message,
            )
        token = self._service_token(xrpc, pds, self._pds_audience(xrpc, pds), "com.atproto.repo.uploadBlob")

        def body() -> Iterator[bytes]:
            for _, chunk in video.chunks(VIDEO_CHUNK):
                yield chunk

        answer = self._http.json(
            "POST",
            f"{VIDEO_XRPC}/app.bsky.video.uploadVideo",
            params={"did": job.account.external_id, "name": video.filename or "video.mp4"},
            content=body(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": video.mime_type,
                "Content-Length": str(video.size),
            },
            classify=classify,
        )
        status = answer.get("jobStatus") or answer  # the service answers the JobStatus itself
        return {"jobId": str(status["jobId"]), "blob": status.get("blob")}

    def _processed(self, upload: dict[str, Any], steps: Steps) -> dict[str, Any]:
        """The processed video's blob: the job is polled until it holds one (it does at once when the service had
        already processed this video), or fails."""
        if upload.get("blob"):
            done: dict[str, Any] = upload["blob"]
            return done
        for _ in range(MAX_POLLS):
            answer = self._http.json(
                "GET", f"{VIDEO_XRPC}/app.bsky.video.getJobStatus", params={"jobId": upload["jobId"]}, classify=classify
            )
            status = answer.get("jobStatus") or {}
            if status.get("blob"):
                blob: dict[str, Any] = status["blob"]
                return blob
            if status.get("state") == "JOB_STATE_FAILED":
                message = str(status.get("message") or status.get("error") or "processing failed")
                raise Rejected(
                    f"Bluesky could not process the video: {message}", code="MEDIA_REJECTED", network_message=message
                )
            steps.wait(POLL_SECONDS)
        raise Retryable("Bluesky is still processing the video", code="MEDIA_PROCESSING")

    # ------------------------------------------------------------------ lookup

    def _find(
        self,
        xrpc: str,
        did: str,
        pds: Pds,
        armed_at: datetime,
        rkey: str,
        text: str,
        parent: str | None,
    ) -> dict[str, Any] | None:
        """The account's post at our record key, or with this text and parent made since the step was armed."""
        since = armed_at - LOOKBACK
        params: dict[str, Any] = {"repo": did, "collection": COLLECTION, "limit": 100}
        for _ in range(LIST_PAGES):
            answer = pds.json("GET", f"{xrpc}/com.atproto.repo.listRecords", params=params)
            for record in answer.get("records") or []:
                uri, value = str(record.get("uri") or ""), record.get("value") or {}
                found = {"uri": uri, "cid": str(record.get("cid") or "")}
                if uri.rsplit("/", 1)[-1] == rkey:
                    return found
                replied = ((value.get("reply") or {}).get("parent") or {}).get("uri")
                if value.get("text") == text and replied == parent and _created(value) >= since:
                    return found
            if not answer.get("cursor"):
                return None
            params["cursor"] = answer["cursor"]
        return None


# ---------------------------------------------------------------------- records


def xrpc_of(account: PublishAccount) -> str:
    """The XRPC base of the account's PDS: the host named at connect (kept as the account's instance)."""
    return f"https://{account.instance or DEFAULT_PDS}/xrpc"


def new_tid() -> str:
    """A record key as atproto makes them: microseconds since the epoch and a random clock id, base32-sortable."""
    value = (time.time_ns() // 1000) << 10 | secrets.randbelow(1024)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def facets_of(text: str) -> list[dict[str, Any]]:
    """Richtext facets for the links and hashtags of ``text``, at UTF-8 byte offsets."""

    def at(start: int, end: int) -> dict[str, int]:
        return {"byteStart": len(text[:start].encode()), "byteEnd": len(text[:end].encode())}

    facets = []
    for start, end in urls(text):
        uri = text[start:end]
        uri = uri if "://" in uri else f"https://{uri}"
        facets.append({"index": at(start, end), "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]})
    for match in _TAG.finditer(text):
        tag = match.group(2).rstrip(".,;:!?'\")]}")
        if not tag or len(tag) > 64:
            continue
        start = match.start(1)
        facets.append(
            {
                "index": at(start, start + 1 + len(tag)),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def _aspect_ratio(media: MediaFile) -> dict[str, int] | None:
    return {"width": media.width, "height": media.height} if media.width and media.height else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _created(value: dict[str, Any]) -> datetime:
    try:
        created = datetime.fromisoformat(str(value.get("createdAt")).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return created if created.tzinfo else created.replace(tzinfo=UTC)


# ---------------------------------------------------------------------- errors


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    status = response.status_code
    error = str(body.get("error") or "") if isinstance(body, dict) else ""
    detail = message or error
    said = f"Bluesky answered {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return Retryable(
            said,
            code="RATE_LIMITED",
            network_message=detail,
            status=status,
            retry_after=retry_after(response, "ratelimit-reset"),
        )
    if error == "ExpiredToken":  # the accessJwt's life is over: the session is renewed, then tried again
        return TokenExpired(said, network_message=detail, status=status)
    if error in RECONNECT or status == 401:
        return NeedsReconnect(said, network_message=detail, status=status)
    if error in ACCOUNT_GONE:
        return Rejected(said, code="PERMISSION_DENIED", network_message=detail, status=status)
    if error == "BlobTooLarge" or status == 413 or (status == 400 and "Record/embed" in detail):
        return Rejected(said, code="MEDIA_REJECTED", network_message=detail, status=status)
    return None
