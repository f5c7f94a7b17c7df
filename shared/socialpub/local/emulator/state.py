"""What the emulator remembers: issued tokens (sign-in), and what was published (posts, uploads,
containers), plus armed faults and holds. One lock guards it all; handlers never hold it across an
await."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from socialpub.local.emulator.signin import SignIn


@dataclass
class Grant:
    network: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    challenge_method: str | None
    user: str
    expires_at: float
    device_id: str | None = None  # VK ID: given at the redirect, wanted again at the code exchange


@dataclass
class TokenFamily:
    network: str
    client_id: str
    scope: str
    user: str
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str | None = None
    revoked: bool = False
    device_id: str | None = None  # VK ID: each refresh must name the device the tokens were issued to


@dataclass
class Fault:
    """The next ``remaining`` calls of an endpoint answer ``status`` with ``body`` and ``headers``.

    ``delay``: seconds to wait first (longer than the client's timeout: a timeout). ``after``: the
    call takes effect, then the answer is the fault (a success whose answer was lost)."""

    status: int
    remaining: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    after: bool = False


@dataclass
class Hold:
    """One call of an endpoint (after ``skip`` others) is held ``before`` it takes effect or
    ``after`` it (the post is made, the answer not yet sent) until released: a test sees the
    call in that state (``held``) and can kill the caller there."""

    at: str  # "before" or "after"
    skip: int = 0
    held: bool = False
    released: bool = False


@dataclass
class EmulatedPost:
    """A post as a network holds it once published."""

    network: str
    account: str  # the network's id of the author (user, page, channel, chat)
    id: str
    text: str
    url: str
    media: list[dict[str, Any]] = field(default_factory=list)  # {sha256, size, mime_type, alt_text}
    reply_to: str | None = None
    title: str | None = None
    created_at: float = field(default_factory=time.time)
    extra: dict[str, Any] = field(default_factory=dict)


def digest(data: bytes, mime_type: str | None = None, alt_text: str | None = None) -> dict[str, Any]:
    """How a stored media file is described in emulated posts (tests compare the hash)."""
    found: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if mime_type:
        found["mime_type"] = mime_type
    if alt_text:
        found["alt_text"] = alt_text
    return found


class EmulatorState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.codes: dict[str, Grant] = {}
        self.families: list[TokenFamily] = []
        self.faults: dict[tuple[str, str], Fault] = {}
        self.holds: dict[tuple[str, str], Hold] = {}
        self.apps: dict[str, str] = {}  # Mastodon: client_id -> client_secret registered on an instance
        self.posts: list[EmulatedPost] = []
        self.objects: dict[str, dict[str, Any]] = {}  # uploads, containers, sessions: id -> state
        self.polls_to_finish = 2  # processing (video, containers) reports "in progress" this many times
        self.figures_set: dict[tuple[str, str], dict[str, int]] = {}  # (network, post or account id) -> figures
        self.post_figures: dict[str, tuple[str, ...]] = {}  # network -> the figures its insights report on a post
        self.account_figures: dict[str, tuple[str, ...]] = {}  # network -> ... on an account (by its id there)

    # ------------------------------------------------------------------ persistence

    def dump(self) -> dict[str, Any]:
        """What outlives a restart of the local stack: issued tokens, registered apps, posts."""
        with self.lock:
            families = [{**asdict(f), "access_tokens": sorted(f.access_tokens)} for f in self.families]
            return {"families": families, "apps": dict(self.apps), "posts": [asdict(p) for p in self.posts]}

    def restore(self, saved: dict[str, Any]) -> None:
        with self.lock:
            self.families = [
                TokenFamily(**{**f, "access_tokens": set(f["access_tokens"])}) for f in saved.get("families", [])
            ]
            self.apps = dict(saved.get("apps", {}))
            self.posts = [EmulatedPost(**p) for p in saved.get("posts", [])]

    # ------------------------------------------------------------------ tokens

    def family_of_refresh(self, token: str) -> TokenFamily | None:
        return next((f for f in self.families if f.refresh_token == token and not f.revoked), None)

    def family_of_access(self, token: str) -> TokenFamily | None:
        return next((f for f in self.families if token in f.access_tokens and not f.revoked), None)

    def bearer(self, request: Request, network: str) -> TokenFamily | None:
        """The live token family of the request's bearer token (or ``access_token`` query parameter),
        issued by the network's identity provider."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        token = token or request.query_params.get("access_token", "")
        with self.lock:
            family = self.family_of_access(token) if token else None
        if family is None or not same_provider(family.network, network):
            return None
        return family

    def personal_key(self, network: str, key: str, user: str) -> str | None:
        """The user of a key the user makes on the network's site (an API key, a personal token): a key
        the emulator has not seen is a new user's, ``user``; None when it was revoked or is another network's."""
        with self.lock:
            family = next((f for f in self.families if key in f.access_tokens), None)
            if family is None:
                family = TokenFamily(network=network, client_id="", scope="", user=user, access_tokens={key})
                self.families.append(family)
        return None if family.revoked or family.network != network else family.user

    def revoke_all(self, network: str) -> int:
        """Revoke every token of a network (the user removed the app on the network's side)."""
        with self.lock:
            hit = [f for f in self.families if f.network == network and not f.revoked]
            for family in hit:
                family.revoked = True
        return len(hit)

    # ------------------------------------------------------------------ faults

    def take_fault(self, network: str, endpoint: str, *, after: bool) -> Fault | None:
        with self.lock:
            fault = self.faults.get((network, endpoint))
            if fault is None or fault.remaining <= 0 or fault.after is not after:
                return None
            fault.remaining -= 1
            return fault

    async def before(self, network: str, endpoint: str) -> Response | None:
        """The armed fault of an endpoint, answered before the call takes effect (or None)."""
        await self._held(network, endpoint, "before")
        fault = self.take_fault(network, endpoint, after=False)
        return await _answer(fault) if fault else None

    async def after(self, network: str, endpoint: str, response: Response) -> Response:
        """The answer to a call that took effect: ``response``, unless an ``after`` fault replaces it."""
        await self._held(network, endpoint, "after")
        fault = self.take_fault(network, endpoint, after=True)
        return await _answer(fault) if fault else response

    def release_holds(self) -> None:
        with self.lock:
            for hold in self.holds.values():
                hold.released = True
            self.holds.clear()

    async def _held(self, network: str, endpoint: str, at: str) -> None:
        """Wait here while this call is the one a hold is for (never holding the lock meanwhile)."""
        with self.lock:
            hold = self.holds.get((network, endpoint))
            if hold is None or hold.at != at or hold.held or hold.released:
                return
            if hold.skip > 0:
                hold.skip -= 1
                return
            hold.held = True
        while not hold.released:
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ posts and objects

    def add_post(self, post: EmulatedPost) -> EmulatedPost:
        with self.lock:
            self.posts.append(post)
        return post

    def posts_of(self, network: str, account: str | None = None) -> list[EmulatedPost]:
        with self.lock:
            return [p for p in self.posts if p.network == network and (account is None or p.account == account)]

    def new_object(self, kind: str, **values: Any) -> str:
        object_id = new_number()
        with self.lock:
            self.objects[object_id] = {"kind": kind, "polls": 0, **values}
        return object_id

    # ------------------------------------------------------------------ figures (insights)

    def set_figures(self, network: str, object_id: str, figures: dict[str, int]) -> None:
        """Freeze what a post's or account's insights report (names as the network's module uses them)."""
        with self.lock:
            self.figures_set[(network, object_id)] = {str(k): int(v) for k, v in figures.items()}

    def figures(
        self, network: str, object_id: str, names: tuple[str, ...], since: float, now: float | None = None
    ) -> dict[str, int]:
        """A post's (or account's) figures: those a test set, else figures that grow with the time since
        ``since`` (publishing), each at its own rate drawn from the ids, so two reads a while apart differ
        and any reader can compute them again."""
        with self.lock:
            frozen = self.figures_set.get((network, object_id))
        if frozen is not None:
            return {name: frozen.get(name, 0) for name in names}
        minutes = max(0.0, ((now if now is not None else time.time()) - since) / 60)
        grown = {}
        for name in names:
            rate = 1 + int(hashlib.sha256(f"{network}/{object_id}/{name}".encode()).hexdigest()[:4], 16) % 40
            grown[name] = int(rate * (1 + minutes) ** 0.5)
        return grown

    def post_figures_of(self, network: str, post_id: str) -> dict[str, int] | None:
        """What the network's insights report on one of its posts now (None: no such post)."""
        post = next((p for p in self.posts_of(network) if p.id == post_id), None)
        if post is None:
            return None
        return self.figures(network, post_id, self.post_figures.get(network, ()), post.created_at)

    def poll(self, object_id: str) -> dict[str, Any] | None:
        """An object's state, counting this read; ``done`` once it has been polled enough times."""
        with self.lock:
            found = self.objects.get(object_id)
            if found is None:
                return None
            found["polls"] += 1
            return {**found, "done": found["polls"] > self.polls_to_finish}


async def _answer(fault: Fault) -> Response:
    if fault.delay:
        await asyncio.sleep(fault.delay)
    return JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)


def number_of(*parts: str) -> str:
    """A stable numeric id derived from names (the id a profile endpoint reports for a user)."""
    return str(int(hashlib.sha256("/".join(parts).encode()).hexdigest()[:12], 16))


def new_number() -> str:
    """A numeric id as most networks issue them."""
    return str(int.from_bytes(secrets.token_bytes(7), "big"))


async def fetch(url: str) -> bytes | None:
    """Pull a media file from the URL a publisher handed over (the networks that pull do this).

    With ``requests``, so that in tests moto answers for S3 in-process, as its server does locally."""

    def get() -> bytes | None:
        try:
            response = requests.get(url, timeout=10)
        except requests.RequestException:
            return None
        return response.content if response.status_code == 200 else None

    return await asyncio.to_thread(get)


def sign_in_of(network: str) -> SignIn:
    # Imported here: the network modules import this one.
    from socialpub.local.emulator.networks import sign_ins

    return sign_ins()[network]


def same_provider(network: str, other: str | SignIn) -> bool:
    """Whether a token issued for ``network`` is good for ``other`` (the same identity provider)."""
    theirs = other if isinstance(other, SignIn) else sign_in_of(other)
    return sign_in_of(network).provider == theirs.provider


def unauthorized(sign_in: SignIn) -> JSONResponse:
    """The network's answer to a missing, expired or revoked token (its ``SIGN_IN.unauthorized``)."""
    return JSONResponse(sign_in.unauthorized, status_code=401)
