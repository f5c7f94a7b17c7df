"""Nostr (NIP-01, github.com/nostr-protocol/nips/blob/master/01.md): one kind-1 text note, signed with
the account's private key (``job.token``: the key sealed at connect, hex) and sent as
``["EVENT", event]`` to each of the account's relays (``metadata["relays"]``) at once.

- The content is the text, then each image's URL and the post's link on lines of their own (clients
  show image URLs inline); each image also gets a NIP-92 ``imeta`` tag (``url``, ``m``, ``x`` the
  file's sha256, ``dim``, ``alt``). Images are their public (presigned) URLs, as for Farcaster.
- At most once: the signed event is built once and checkpointed (step ``event``); its id is the sha256
  of its content, so a rerun sends the very same event and relays keep it once. A lost answer is
  looked up on the relays (``["REQ", sub, {"ids": [id]}]``) before sending again.
- The note is published when at least one relay answers ``["OK", id, true, ...]``. Every relay
  refusing (``OK false``) is the relays' refusal with the first relay's message (NIP-01's prefixes:
  ``rate-limited:`` is retried later, ``error:`` is retried, ``invalid:``/``pow:`` refuse the post,
  ``blocked:``/``restricted:``/``auth-required:`` refuse this key); no relay reachable is retried;
  a relay that took the event and never answered leaves the outcome unknown, looked up next run.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime
from typing import Any

from socialpub.adapters.nostr import RelayAnswer, Relays, note_link, prefix, public_key, signed_event
from socialpub.adapters.publishers.http import NetworkHttp
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

TEXT_NOTE = 1  # NIP-01: kind 1, a short text note
# NIP-01's "rate-limited:" says no delay: the target is tried again after this many seconds.
RATE_LIMIT_WAIT = 120.0
REFUSING_THE_KEY = {"blocked", "restricted", "auth-required"}


def relays_of(account: PublishAccount) -> list[str]:
    return account.metadata.get("relays", "").split()


def link(account: PublishAccount, post_id: str) -> str:
    """A note's public page, from its id alone (njump.me shows any note by its NIP-19 ``note1`` id)."""
    return note_link(post_id)


def content_and_tags(job: PublishJob) -> tuple[str, list[list[str]]]:
    """The note's content (text, image URLs, link) and its NIP-92 ``imeta`` tags."""
    lines = [job.text] if job.text else []
    tags: list[list[str]] = []
    for image in job.images():
        lines.append(image.url)
        sha256 = hashlib.sha256(image.content()).hexdigest()
        imeta = ["imeta", f"url {image.url}", f"m {image.mime_type}", f"x {sha256}"]
        if image.width and image.height:
            imeta.append(f"dim {image.width}x{image.height}")
        if image.alt_text:
            imeta.append(f"alt {image.alt_text}")
        tags.append(imeta)
    if job.link:
        lines.append(job.link)
    return "\n".join(lines), tags


def failure_of(answers: list[RelayAnswer]) -> PublishFailure:
    """What no relay accepting means: refused by all, unknown if one went silent, else retried."""
    silent = [a for a in answers if a.outcome == "silent"]
    refused = [a for a in answers if a.outcome == "refused"]
    unreachable = [a for a in answers if a.outcome in ("unreachable", "forbidden")]
    said = "; ".join(f"{a.relay}: {a.message}" for a in answers)
    if silent:
        return Retryable(f"No relay confirmed the note ({said})", code="NETWORK_TIMEOUT", sent=None)
    if refused and not unreachable:
        first = refused[0].message
        kinds = {prefix(a.message) for a in refused}
        if "rate-limited" in kinds:
            message = next(a.message for a in refused if prefix(a.message) == "rate-limited")
            return Retryable(
                f"The relays refused the note for now ({said})",
                code="RATE_LIMITED",
                network_message=message,
                retry_after=RATE_LIMIT_WAIT,
                sent=False,
            )
        if "error" in kinds:
            return Retryable(f"The relays failed ({said})", network_message=first, sent=False)
        code = "PERMISSION_DENIED" if kinds <= REFUSING_THE_KEY else "VALIDATION_FAILED"
        return Rejected(f"The relays refused the note ({said})", code=code, network_message=first, sent=False)
    if all(a.outcome == "forbidden" for a in answers):
        return Rejected(f"{said}; nothing was sent", code="HOST_NOT_ALLOWED", sent=False)
    return Retryable(f"No relay could take the note ({said})", code="NETWORK_UNAVAILABLE", sent=False)


class Publisher:
    def __init__(self, http: NetworkHttp, relays: Relays | None = None) -> None:
        self._relays = relays or Relays(http.url)

    def publish(self, job: PublishJob, steps: Steps) -> Published:
        relays = relays_of(job.account)
        if not relays:
            raise NeedsReconnect("The account names no Nostr relay; connect it again with its relays", sent=False)
        try:
            key_of_account = public_key(job.token) == job.account.external_id
        except ValueError:
            key_of_account = False
        if not key_of_account:
            raise NeedsReconnect(
                "The account's private key does not sign for its public key; connect it again",
                code="TOKEN_REJECTED",
                sent=False,
            )
        content, tags = content_and_tags(job)
        event: dict[str, Any] = steps.once(
            "event", lambda: signed_event(job.token, TEXT_NOTE, content, tags, int(time.time()))
        )
        answer = {"id": event["id"], "url": note_link(event["id"])}

        def send() -> dict[str, Any]:
            answers = self._relays.publish(relays, event)
            if any(a.outcome == "accepted" for a in answers):
                return answer
            raise failure_of(answers)

        def find(armed_at: datetime) -> dict[str, Any] | None:
            answers = self._relays.query(relays, [{"ids": [event["id"]]}])
            if any(e.get("id") == event["id"] for a in answers for e in a.events):
                return answer
            if not any(a.outcome == "accepted" for a in answers):  # no relay could be asked
                raise Retryable("No relay could be asked whether it holds the note", sent=None)
            return None  # sending again is safe: it is the same event, which relays keep once

        made = steps.visible("note", send, find=find)
        return Published(post_id=made["id"], url=made.get("url"))
