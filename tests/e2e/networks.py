"""Helpers of the end-to-end tests that work with the emulated networks: connect an account on every
catalog network through the API (hosted connect against the emulator), the per-network settings a
post needs to publish there, and waiting for a publish to finish."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from socialpub.local.emulator.networks.farcaster import signed_key_body
from socialpub.local.emulator.state import number_of
from tests.e2e.harness import POLL_BUDGET, TIMEOUT

# Networks connected with a key the user makes on the network (any well-formed key, for the emulator)
API_KEYS = {"devto": "e2eDevtoKey0123456789abc", "hashnode": "e2e-hashnode-token-0123456789"}
NOSTR_RELAYS = "wss://relay.damus.io wss://nos.lol"  # the emulator answers for any relay host


def platform_content() -> dict[str, Any]:
    """What a post needs per network to publish on the emulator: its boards and channels, a public TikTok."""
    return {
        "pinterest": {"settings": {"board_id": number_of("pinterest", "emulated-user", "board:Ideas")}},
        "reddit": {"settings": {"subreddit": "socialpub"}},
        "lemmy": {"settings": {"community": "socialpub"}},
        "discord": {"settings": {"channel_id": number_of("discord", "emulated-user", " #general")}},
        "tiktok": {"settings": {"privacy_level": "PUBLIC_TO_EVERYONE"}},  # a private post has no link
        "slack": {"settings": {"channel": "C" + number_of("slack", "emulated-user", "general")[:9]}},
    }


def post_with_media(api: str, headers: dict[str, str], account_ids: list[str], data: bytes, name: str) -> str:
    """A draft "Launch day" post to these accounts with one file attached (multipart); its id."""
    body = {
        "content": "Launch day at socialpub",
        "title": "Launch day",
        "platforms": account_ids,
        "platform_content": platform_content(),
    }
    created = requests.post(f"{api}/api/posts", json=body, headers=headers, timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    post_id: str = created.json()["data"]["post"]["id"]
    files = {"file": (name, data)}
    attached = requests.post(f"{api}/api/posts/{post_id}/media", files=files, headers=headers, timeout=TIMEOUT)
    assert attached.status_code == 201, attached.text
    return post_id


def wait_until_published(api: str, headers: dict[str, str], post_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Poll each post until it is no longer publishing (up to POLL_BUDGET); the posts as last shown."""
    deadline = time.monotonic() + POLL_BUDGET
    shown: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline and len(shown) < len(post_ids):
        for post_id in post_ids:
            post = requests.get(f"{api}/api/posts/{post_id}", headers=headers, timeout=TIMEOUT).json()["data"]["post"]
            if post["status"] != "publishing":
                shown[post_id] = post
        time.sleep(0.5)
    assert len(shown) == len(post_ids), f"publishing did not finish within {POLL_BUDGET:.0f} s"
    return shown


def connect_every_network(creds: dict[str, str], name: str) -> tuple[dict[str, str], list[str]]:
    """A workspace with one account on every catalog network (X through Chromium); (headers, platforms)."""
    api = creds["api_url"]
    key = {"X-API-Key": creds["api_key"]}
    ws = requests.post(f"{api}/api/workspaces", json={"name": name}, headers=key, timeout=TIMEOUT).json()
    headers = {**key, "X-Workspace-ID": ws["data"]["workspace"]["id"]}
    platforms = [
        p["id"] for p in requests.get(f"{api}/api/platforms", headers=key, timeout=TIMEOUT).json()["data"]["platforms"]
    ]
    assert len(platforms) >= 14

    # X in Chromium: the hosted flow, from the consent page's Allow button back to the app's return_url
    landing = f"{creds['emulator_url']}/_landed"
    started = requests.post(
        f"{api}/api/accounts", json={"platform": "twitter", "return_url": landing}, headers=headers, timeout=TIMEOUT
    ).json()["data"]
    final_url = browse_and_allow(started["auth_url"], until=landing)
    assert "status=connected" in final_url

    for platform in platforms:
        if platform == "twitter":
            continue
        if platform == "wordpress_selfhosted":  # the site's host, a username and an application password
            credentials = {"identifier": "e2e", "app_password": "abcd EFGH 1234 ijkl MNOP 5678"}
            body = {"platform": platform, "instance": "blog.example.com", "credentials": credentials}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        if platform == "lemmy":  # a username and password on the instance, for its JWT
            credentials = {"username": "e2e", "password": "e2e-password-123"}
            body = {"platform": platform, "instance": "lemmy.world", "credentials": credentials}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        if platform == "farcaster":  # a Neynar signer of the deployment's app, approved by the user in Warpcast
            emulated = creds["emulator_url"]
            app_key = {"x-api-key": "socialpub-local-farcaster"}  # the local stack's default app (its apiKey)
            made = requests.post(f"{emulated}/api.neynar.com/v2/farcaster/signer", headers=app_key, timeout=TIMEOUT)
            made = requests.post(  # the app's signed key request, signed with its (emulated) custody key
                f"{emulated}/api.neynar.com/v2/farcaster/signer/signed_key",
                headers=app_key,
                json=signed_key_body(made.json()),
                timeout=TIMEOUT,
            )
            approval = made.json()["signer_approval_url"].split("://", 1)[1]
            requests.get(f"{emulated}/{approval}", timeout=TIMEOUT).raise_for_status()
            body = {"platform": platform, "credentials": {"signer_uuid": made.json()["signer_uuid"]}}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        if platform == "nostr":  # the user's own key (nsec or hex) and their relays; no server is asked
            private_key = hashlib.sha256(f"e2e nostr {name}".encode()).hexdigest()
            body = {"platform": platform, "credentials": {"private_key": private_key, "relays": NOSTR_RELAYS}}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        if platform in API_KEYS:
            body = {"platform": platform, "credentials": {"api_key": API_KEYS[platform]}}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        if platform in ("bluesky", "telegram"):
            credentials = (
                {"identifier": "e2e.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}
                if platform == "bluesky"
                else {"bot_token": "123456789:AAH" + "x" * 32, "chat_id": "@e2e"}
            )
            body = {"platform": platform, "credentials": credentials}
            response = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT)
            assert response.status_code == 201, (platform, response.text)
            continue
        body = {"platform": platform, "callback_url": "http://127.0.0.1:9/callback"}
        if platform == "mastodon":
            body["instance"] = "mastodon.social"
        started = requests.post(f"{api}/api/accounts", json=body, headers=headers, timeout=TIMEOUT).json()["data"]
        query = consent_without_browser(started["auth_url"])
        done = requests.post(f"{api}/api/accounts/callback", json=query, headers=headers, timeout=TIMEOUT).json()[
            "data"
        ]
        if done["status"] == "selection_required":  # Facebook: choose a page
            choice = {"state": query["state"], "selection": [done["choices"][0]["id"]]}
            done = requests.post(f"{api}/api/accounts/callback", json=choice, headers=headers, timeout=TIMEOUT).json()[
                "data"
            ]
        assert done["status"] == "connected", (platform, done)

    return headers, platforms


def consent_without_browser(auth_url: str) -> dict[str, str]:
    """Open the consent page, press Allow (its form), and read code and state from the redirect."""
    page = requests.get(auth_url, timeout=TIMEOUT)
    assert page.status_code == 200, (auth_url, page.text)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(auth_url))
    answer = requests.post(
        origin + action.group(1), data={**fields, "decision": "allow"}, allow_redirects=False, timeout=TIMEOUT
    )
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    device = {"device_id": query["device_id"][0]} if "device_id" in query else {}  # VK ID: needed for its tokens
    return {"state": query["state"][0], "code": query["code"][0], **device}


def browse_and_allow(url: str, until: str) -> str:
    """A real headless Chromium (Debian's, driven by Playwright) clicks Allow on the consent page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url, timeout=TIMEOUT * 1000)
            assert "authorize" in page.title()
            page.click("#allow", timeout=TIMEOUT * 1000)
            page.wait_for_url(f"{until}**", timeout=TIMEOUT * 1000)
            return page.url
        finally:
            browser.close()


CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
