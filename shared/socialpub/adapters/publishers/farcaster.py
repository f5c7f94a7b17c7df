"""Farcaster through Neynar (docs.neynar.com/reference/publish-cast): one cast,
``POST https://api.neynar.com/v2/farcaster/cast`` with the app's Neynar API key as ``x-api-key``
(``job.token``: the app's key, as Discord's bot token is) and the user's approved signer
(``signer_uuid``: the account's sealed token, which the publishing service hands over in the job's
account metadata; Neynar pairs it with the key that made it). The body is
``{signer_uuid, text, embeds: [{url}], channel_id, idem}``: the images by their public (presigned)
URL, then the post's link, at most 2 embeds.

``idem`` is Neynar's idempotency key: the target's key is sent, so a call repeated after a lost
answer makes no second cast. A lost answer is also looked up among the user's latest casts
(``GET /v2/farcaster/feed/user/casts?fid=``): the cast with the same text made since the attempt."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import httpx

from socialpub.adapters.publishers.http import NetworkHttp, made_since, retry_after
from socialpub.domain.publishing import (
    NeedsReconnect,
    PublishAccount,
    Published,
    PublishFailure,
    PublishJob,
    Rejected,
    Retryable,
    Steps,
)

API = "https://api.neynar.com/v2/farcaster"
MAX_EMBEDS = 2  # Neynar: embeds, maximum array length 2
LOOKUP_LIMIT = 25  # the user's latest casts read back after a lost answer


def idem(key: str) -> str:
    """Neynar's idempotency key for a target's run: 16 characters (its recommended length), the same for
    every call of that run."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def headers(key: str) -> dict[str, str]:
    return {"x-api-key": key}


def link(account: PublishAccount, post_id: str) -> str | None:
    """A cast's page on Warpcast: the author's username and the cast's hash."""
    return f"https://warpcast.com/{account.username}/{post_id}" if account.username else None


def classify(response: httpx.Response, body: Any, message: str) -> PublishFailure | None:
    """Neynar's ``{"code", "message"}`` bodies: a refused key or a revoked signer asks to reconnect; a
    400 is refused with Neynar's message; a 429 waits for Retry-After."""
    status = response.status_code
    said = f"Neynar answered {status}" + (f": {message}" if message else "")
    if status in (401, 403):
        return NeedsReconnect(said, code="TOKEN_REJECTED", network_message=message, status=status)
    if status == 429:
        return Retryable(
            said, code="RATE_LIMITED", network_message=message, status=status, retry_after=retry_after(response)
        )
    if status in (400, 422):
        return Rejected(said, code="VALIDATION_FAILED", network_message=message, status=status)
    return None


class Publisher:
    def __init__(self, http: NetworkHttp) -> None:
        self._http = http

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        signer = job.account.metadata.get("signer_uuid")
        if not signer:
            raise NeedsReconnect("The account has no Farcaster signer; connect it again", sent=False)
        embeds = [{"url": m.url} for m in job.images()]
        if job.link:
            embeds.append({"url": job.link})
        if len(embeds) > MAX_EMBEDS:
            raise Rejected(
                f"A cast carries at most {MAX_EMBEDS} embeds (images and the link); this post has {len(embeds)}",
                code="VALIDATION_FAILED",
                sent=False,
            )
        body: dict[str, Any] = {"signer_uuid": signer, "text": job.text, "idem": idem(job.key)}
        if embeds:
            body["embeds"] = embeds
        if job.settings.get("channel"):
            body["channel_id"] = job.settings["channel"]

        def answer_of(cast: dict[str, Any]) -> dict[str, Any]:
            cast_hash = str(cast["hash"])
            return {"id": cast_hash, "url": link(job.account, cast_hash)}

        def send() -> dict[str, Any]:
            answer = self._http.json("POST", f"{API}/cast", json=body, headers=headers(job.token), classify=classify)
            return answer_of(answer["cast"])

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answer = self._http.json(
                "GET",
                f"{API}/feed/user/casts",
                params={"fid": job.account.external_id, "limit": LOOKUP_LIMIT, "include_replies": "false"},
                headers=headers(job.token),
                classify=classify,
            )
            for cast in answer.get("casts", []) if isinstance(answer, dict) else []:
                if cast.get("text") == job.text and made_since(cast.get("timestamp"), armed_at):
                    return answer_of(cast)
            return None

        made = steps.visible("cast", send, find=find)
        return Published(post_id=made["id"], url=made.get("url"))
