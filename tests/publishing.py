"""A harness for testing one network's publisher against the platform emulator, without the pipeline:
an account signed in at the emulator (its profile read as a connect would), media stored in the
stack's bucket (moto) with a signed URL, and checkpointed steps kept in memory."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx

from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.publishers import publisher_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.accounts import TokenSet
from socialpub.domain.platforms import catalog
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import CheckpointSteps, MediaFile, PublishAccount, Published, PublishJob, Target
from socialpub.local.emulator import EmulatedPost
from socialpub.local.emulator.state import TokenFamily
from tests.conftest import Emulator

TIMEOUT = httpx.Timeout(3.0, connect=2.0)


@dataclass
class Signed:
    account: PublishAccount
    token: str


class MemorySteps(CheckpointSteps):
    """CheckpointSteps whose target lives in memory; ``saves`` counts the writes a real run would make.
    ``crash_on``: the run dies right after that step's network call, before its result is stored."""

    def __init__(self, target: Target) -> None:
        super().__init__(target, self._save, clock=lambda: datetime.now(UTC), sleep=lambda _: None)
        self.saves = 0
        self.crash_on: str | None = None

    def _save(self, target: Target) -> None:
        if self.crash_on is not None and self.crash_on in target.steps:
            name, self.crash_on = self.crash_on, None
            target.steps.pop(name)
            target.armed[name] = datetime.now(UTC).isoformat()
            raise RuntimeError(f"crash after {name}")
        self.saves += 1


@dataclass
class PublishHarness:
    emulator: Emulator
    bucket: str
    http: NetworkHttp = field(init=False)

    def __post_init__(self) -> None:
        self.http = NetworkHttp(emulator=self.emulator.url, timeout=TIMEOUT)
        self._auth = HttpNetworkAuth(emulator=self.emulator.url, sleep=lambda _: None)
        self._s3 = boto3.client("s3", region_name="us-east-1")

    # ------------------------------------------------------------------ accounts

    def sign_in(
        self,
        network: str,
        *,
        user: str = "emulated-user",
        instance: str | None = None,
        params: dict[str, str] | None = None,
        pick: int = 0,
    ) -> Signed:
        """A token issued by the emulator for ``user`` and the identity its profile endpoint reports
        (``pick``: which one, where several are offered, e.g. Facebook pages)."""
        token = secrets.token_urlsafe(32)
        with self.emulator.state.lock:
            family = TokenFamily(network=network, client_id="socialpub-test", scope="", user=user)
            family.access_tokens.add(token)
            self.emulator.state.families.append(family)
        platform = catalog()[network]
        identities = self._auth.identities(
            platform, TokenSet(access_token=token), instance=instance, params=params or {}
        )
        identity = identities[pick]
        account = PublishAccount(
            id=f"acc_{identity.external_id}",
            external_id=identity.external_id,
            type=identity.type,
            username=identity.username,
            instance=instance,
            metadata=identity.metadata,
        )
        return Signed(account=account, token=identity.access_token or token)

    # ------------------------------------------------------------------ media

    def media(
        self,
        data: bytes,
        mime_type: str,
        *,
        kind: MediaKind | None = None,
        filename: str = "file",
        alt_text: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: float | None = None,
    ) -> MediaFile:
        """The file stored in the media bucket, handed over as the pipeline does (signed URL + reads)."""
        key = f"tests/{secrets.token_hex(6)}/{filename}"
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=mime_type)
        url = self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=600)
        return MediaFile(
            id=f"media_{secrets.token_hex(4)}",
            kind=kind or MediaKind(mime_type.split("/")[0]),
            mime_type=mime_type,
            filename=filename,
            size=len(data),
            url=url,
            read=lambda offset, length: data[offset : offset + length],
            width=width,
            height=height,
            duration=duration,
            alt_text=alt_text,
        )

    # ------------------------------------------------------------------ publishing

    def job(
        self,
        network: str,
        signed: Signed,
        *parts: str,
        media: list[MediaFile] | None = None,
        title: str | None = None,
        link: str | None = None,
        first_comment: str | None = None,
        settings: dict[str, Any] | None = None,
    ) -> PublishJob:
        return PublishJob(
            platform=catalog()[network],
            account=signed.account,
            token=signed.token,
            key=f"tgt_{secrets.token_hex(8)}",
            parts=list(parts) or ["Hello from socialpub"],
            title=title,
            link=link,
            first_comment=first_comment,
            settings=settings or {},
            media=media or [],
        )

    def steps(self, job: PublishJob) -> MemorySteps:
        target = Target(
            workspace_id="ws_test",
            post_id="post_test",
            account_id=job.account.id,
            platform=job.platform.id,
            queued_at=datetime.now(UTC),
        )
        return MemorySteps(target)

    def publish(self, job: PublishJob, steps: MemorySteps | None = None) -> Published:
        return publisher_for(job.platform.id, self.http).publish(job, steps or self.steps(job))

    def posts(self, network: str, account: str | None = None) -> list[EmulatedPost]:
        return self.emulator.state.posts_of(network, account)

    def fault(self, network: str, endpoint: str, status: int, **options: Any) -> None:
        """Arm a fault: ``count``, ``body``, ``headers``, ``delay`` (seconds), ``after`` (lost answer)."""
        httpx.post(
            f"{self.emulator.url}/_emulator/faults",
            json={"network": network, "endpoint": endpoint, "status": status, **options},
        ).raise_for_status()
