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

from socialpub.adapters.insights import insights_for
from socialpub.adapters.network_auth import HttpNetworkAuth
from socialpub.adapters.publishers import publisher_for
from socialpub.adapters.publishers.http import NetworkHttp
from socialpub.domain.accounts import TokenSet
from socialpub.domain.analytics import InsightsReader
from socialpub.domain.platforms import Platform, catalog
from socialpub.domain.post_content import MediaKind
from socialpub.domain.publishing import CheckpointSteps, MediaFile, PublishAccount, Published, PublishJob, Target
from socialpub.local.emulator import EmulatedPost
from socialpub.local.emulator.networks.discord import bot_token as discord_bot_token
from socialpub.local.emulator.networks.farcaster import signed_key_body, signer_approval
from socialpub.local.emulator.state import TokenFamily, number_of
from tests.conftest import Emulator
from tests.media_files import image, video

TIMEOUT = httpx.Timeout(3.0, connect=2.0)
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
VIDEO_BRANDS = {"video/mp4": b"isom", "video/quicktime": b"qt  "}


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
        scope: str | None = None,
    ) -> Signed:
        """A token issued by the emulator for ``user`` and the identity its profile endpoint reports
        (``pick``: which one, where several are offered, e.g. Facebook pages; ``scope``: what the user
        granted, where the network checks it; by default the catalog's scopes, as a connect asks for them)."""
        token = secrets.token_urlsafe(32)
        platform = catalog()[network]
        # Discord: the user's grant adds the app's bot to the user's guild (the bot scope). Each user
        # here grants an app of their own, so one user's bot token does not reach another's guild.
        bot_app = f"socialpub-test-{user}" if platform.auth.app_bot_token else None
        with self.emulator.state.lock:
            family = TokenFamily(
                network=network,
                client_id=bot_app or "socialpub-test",
                # what the catalog asks for at connect, joined as the authorize URL joins it
                scope=scope if scope is not None else platform.auth.scope_separator.join(platform.auth.scopes),
                user=user,
            )
            family.access_tokens.add(token)
            self.emulator.state.families.append(family)
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
        if bot_app:  # the app's bot posts, with the app's bot token (never the user's token)
            return Signed(account=account, token=discord_bot_token(bot_app))
        return Signed(account=account, token=identity.access_token or token)

    def farcaster_signer(self, *, user: str = "emulated-user", app_key: str | None = None) -> Signed:
        """Farcaster: a Neynar signer made with the app's key (a new app's, unless named) and approved by
        ``user`` in Warpcast (the emulator's approval URL), checked and read as a connect does; the app's
        key is what calls carry."""
        app_key = app_key or f"neynar-test-{secrets.token_hex(8)}"
        base = self.emulator.url
        made = httpx.post(f"{base}/api.neynar.com/v2/farcaster/signer", headers={"x-api-key": app_key}).json()
        made = httpx.post(  # the app's signed key request, signed with its custody key
            f"{base}/api.neynar.com/v2/farcaster/signer/signed_key",
            headers={"x-api-key": app_key},
            json=signed_key_body(made),
        ).json()
        httpx.get(base + signer_approval(made["signer_approval_url"], user)).raise_for_status()
        platform = catalog()["farcaster"]
        tokens = self._auth.sign_in(platform, {"signer_uuid": made["signer_uuid"], "app_api_key": app_key})
        params = {**tokens.extra, "app_api_key": app_key}
        identity = self._auth.identities(platform, tokens, instance=None, params=params)[0]
        account = PublishAccount(
            id=f"acc_{identity.external_id}",
            external_id=identity.external_id,
            type=identity.type,
            username=identity.username,
            instance=None,
            metadata={**identity.metadata, "signer_uuid": made["signer_uuid"]},
        )
        return Signed(account=account, token=app_key)

    def nostr_key(self, relays: str = "wss://relay.nostr.example") -> Signed:
        """Nostr: a new private key, checked and named as a connect does (the account is its public
        key, the relays its metadata); the key is what signs."""
        platform = catalog()["nostr"]
        tokens = self._auth.sign_in(platform, {"private_key": secrets.token_hex(32), "relays": relays})
        identity = self._auth.identities(platform, tokens, instance=None, params={})[0]
        account = PublishAccount(
            id=f"acc_{identity.external_id[:16]}",
            external_id=identity.external_id,
            type=identity.type,
            username=identity.username,
            instance=None,
            metadata={"relays": relays},
        )
        return Signed(account=account, token=tokens.access_token)

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

    # ------------------------------------------------------------------ insights

    def insights(self, network: str) -> InsightsReader:
        return insights_for(network, self.http)

    def set_figures(self, network: str, object_id: str, figures: dict[str, int]) -> None:
        """Freeze what the network's insights report on a post or account (the network's own names)."""
        httpx.post(
            f"{self.emulator.url}/_emulator/metrics", json={"network": network, "id": object_id, "figures": figures}
        ).raise_for_status()

    def figures(self, network: str, post_id: str) -> dict[str, int]:
        """What the network's insights report on one of its posts now."""
        answer = httpx.get(f"{self.emulator.url}/_emulator/metrics", params={"network": network, "id": post_id})
        answer.raise_for_status()
        figures: dict[str, int] = answer.json()["figures"]
        return figures

    def fault(self, network: str, endpoint: str, status: int, **options: Any) -> None:
        """Arm a fault: ``count``, ``body``, ``headers``, ``delay`` (seconds), ``after`` (lost answer)."""
        httpx.post(
            f"{self.emulator.url}/_emulator/faults",
            json={"network": network, "endpoint": endpoint, "status": status, **options},
        ).raise_for_status()


# ---------------------------------------------------------------------- each network's world


def signed_in(harness: PublishHarness, platform: Platform) -> tuple[Signed, dict[str, object]]:
    """An account of the network, and the settings a post there cannot do without (a subreddit, a
    board, a channel), as a user would pick them."""
    network = platform.id
    if network == "mastodon":
        return harness.sign_in(network, instance="mastodon.example"), {}
    if network == "bluesky":
        return harness.sign_in(network, user="alice.bsky.social"), {}
    if network in ("facebook", "instagram"):
        return harness.sign_in(network, pick=0), {}
    if network == "telegram":
        bot_token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        signed = harness.sign_in(network, params={"bot_token": bot_token, "chat_id": "@launches"})
        return Signed(account=signed.account, token=bot_token), {}
    if network == "discord":
        signed = harness.sign_in(network)
        channel = number_of(network, "emulated-user", " #general")
        guild = number_of(network, "emulated-user", " Guild")
        account = PublishAccount(
            id=f"acc_{channel}",
            external_id=channel,
            type="channel",
            username="general",
            instance=None,
            metadata={"channel_id": channel, "guild_id": guild},
        )
        return Signed(account=account, token=signed.token), {"channel_id": channel}
    if network == "pinterest":
        signed = harness.sign_in(network)
        boards = httpx.get(
            f"{harness.emulator.url}/api.pinterest.com/v5/boards", headers={"Authorization": f"Bearer {signed.token}"}
        ).json()["items"]
        return signed, {"board_id": str(boards[0]["id"])}
    if network == "reddit":
        return harness.sign_in(network), {"subreddit": "socialpub"}
    if network == "linkedin_page":  # LinkedIn checks the page scopes the member granted
        return harness.sign_in(network, scope=" ".join(platform.auth.scopes)), {}
    if network == "slack":  # the workspace is the account; the post names a channel the bot is in
        signed = harness.sign_in(network)
        channels = httpx.get(
            f"{harness.emulator.url}/slack.com/api/conversations.list",
            headers={"Authorization": f"Bearer {signed.token}"},
            timeout=60,
        ).json()["channels"]
        return signed, {"channel": next(c["id"] for c in channels if c["is_member"])}
    if network == "farcaster":  # an approved Neynar signer; calls carry the app's key
        return harness.farcaster_signer(), {}
    if network == "nostr":  # a key of the user's own, publishing to one relay
        return harness.nostr_key(), {}
    if network == "lemmy":
        return harness.sign_in(network, instance="lemmy.example"), {"community": "socialpub"}
    if network == "wordpress_selfhosted":
        return harness.sign_in(network, instance="blog.example"), {}
    if network == "tiktok":
        return harness.sign_in(network), {"privacy_level": "PUBLIC_TO_EVERYONE"}
    return harness.sign_in(network), {}


# ---------------------------------------------------------------------- media of the allowed kinds


def image_of(harness: PublishHarness, platform: Platform, alt_text: str | None = None, shade: int = 0) -> MediaFile:
    mime = next(t for t in platform.limits.image_types or ["image/jpeg"] if t in IMAGE_FORMATS)
    data = image(IMAGE_FORMATS[mime], (1080 + shade, 1350))
    return harness.media(data, mime, filename=f"picture{shade}.{mime.split('/')[1]}", alt_text=alt_text)


def video_of(harness: PublishHarness, platform: Platform, *, vertical: bool = False) -> MediaFile:
    mime = next(t for t in platform.limits.video_types or ["video/mp4"] if t in VIDEO_BRANDS)
    seconds = max(float(platform.limits.min_video_duration or 0), 12.5)
    size = (720, 1280) if vertical else (1280, 720)
    data = video(seconds, size, brand=VIDEO_BRANDS[mime])
    return harness.media(data, mime, filename="clip.mp4", duration=seconds, width=size[0], height=size[1])


def any_media(harness: PublishHarness, platform: Platform) -> list[MediaFile]:
    """What a network that needs media gets when the capability under test brings none."""
    if not platform.limits.requires_media:
        return []
    return [image_of(harness, platform) if platform.capabilities.supports_images else video_of(harness, platform)]
