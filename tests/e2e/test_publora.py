"""Done-when of the Publora issue, on the local stack, with plain HTTP as a Publora user's code sends it:
list connections, create a post for three networks, upload a JPEG through the presigned URL (a PUT
with another Content-Type is refused by the signature), schedule it, let the scheduler fire, read
get-post until every platform is published with its postedId, then read LinkedIn's and Bluesky's
statistics and compare them with what the emulated networks hold."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import TIMEOUT, poll
from tests.e2e.networks import consent_without_browser
from tests.media_files import image

pytestmark = pytest.mark.slow

QUERY_TYPES = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT")
# What the statistics answer for each query type: the sum of these figures, in each network's own names
# on the emulator (docs/publora.md, "Statistics for every network"); LinkedIn's are Publora's own.
FIGURES_OF: dict[str, dict[str, tuple[str, ...]]] = {
    "linkedin": {q: (q,) for q in QUERY_TYPES},
    "bluesky": {"RESHARE": ("repostCount", "quoteCount"), "REACTION": ("likeCount",), "COMMENT": ("replyCount",)},
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.LocalStack]:
    running = harness.start(tmp_path_factory.mktemp("publora"))
    yield running
    running.kill()


def publora_user(stack: harness.LocalStack) -> tuple[dict[str, str], dict[str, str]]:
    """A workspace with LinkedIn, Bluesky and Mastodon accounts (connected through the main API, the
    product's dashboard) and a key scoped to it alone from the admin API, as a Publora user holds one:
    (the Publora headers, the main API's headers)."""
    api, root = stack.creds["api_url"], {"X-API-Key": stack.creds["api_key"]}
    made = requests.post(f"{api}/api/workspaces", json={"name": "publora"}, headers=root, timeout=TIMEOUT)
    assert made.status_code == 201, made.text
    workspace = made.json()["data"]["workspace"]["id"]
    login = {"email": stack.creds["admin_email"], "password": stack.creds["admin_password"]}
    token = requests.post(f"{api}/admin/login", json=login, timeout=TIMEOUT).json()["data"]["token"]
    issued = requests.post(
        f"{api}/admin/keys",
        json={"name": "publora user", "tier": "professional", "workspaces": [workspace]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert issued.status_code == 201, issued.text
    key = issued.json()["data"]["key"]["api_key"]
    main = {"X-API-Key": key, "X-Workspace-ID": workspace}
    bluesky = {
        "platform": "bluesky",
        "credentials": {"identifier": "e2e.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
    }
    connected = requests.post(f"{api}/api/accounts", json=bluesky, headers=main, timeout=TIMEOUT)
    assert connected.status_code == 201, connected.text
    for body in ({"platform": "linkedin"}, {"platform": "mastodon", "instance": "mastodon.social"}):
        started = requests.post(
            f"{api}/api/accounts",
            json={**body, "callback_url": "http://127.0.0.1:9/callback"},
            headers=main,
            timeout=TIMEOUT,
        )
        assert started.status_code in (200, 201), started.text
        query = consent_without_browser(started.json()["data"]["auth_url"])
        done = requests.post(f"{api}/api/accounts/callback", json=query, headers=main, timeout=TIMEOUT)
        assert done.json()["data"]["status"] == "connected", done.text
    return {"x-publora-key": key}, main


def test_publora__the_seeds_whole_flow_with_plain_http(stack: harness.LocalStack) -> None:
    api, emulator = stack.creds["api_url"], stack.creds["emulator_url"]
    headers, main = publora_user(stack)

    # Step 1 of the seed: the connections, each with its platformId
    listed = requests.get(f"{api}/api/v1/platform-connections", headers=headers, timeout=TIMEOUT)
    assert listed.status_code == 200, listed.text
    connections = listed.json()["connections"]
    platform_id = {c["platformId"].split("-", 1)[0]: c["platformId"] for c in connections}
    assert sorted(platform_id) == ["bluesky", "linkedin", "mastodon"]
    assert all(c["displayName"] for c in connections)

    # Step 2: a post for the three of them (a draft until its file is there)
    created = requests.post(
        f"{api}/api/v1/create-post",
        json={"content": "Launch day at socialpub", "platforms": sorted(platform_id.values())},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert created.status_code == 200, created.text
    group = created.json()["postGroupId"]

    # Upload: a presigned URL for a JPEG, the file PUT with the declared Content-Type
    ticket = requests.post(
        f"{api}/api/v1/get-upload-url",
        json={"fileName": "launch.jpg", "contentType": "image/jpeg", "type": "image", "postGroupId": group},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert ticket.status_code == 200, ticket.text
    upload = ticket.json()
    jpeg = image("JPEG")
    put = requests.put(upload["uploadUrl"], data=jpeg, headers={"Content-Type": "image/jpeg"}, timeout=TIMEOUT)
    assert put.status_code == 200, put.text
    # ...and the same URL with another Content-Type is refused by S3's signature check
    wrong = requests.put(upload["uploadUrl"], data=jpeg, headers={"Content-Type": "image/png"}, timeout=TIMEOUT)
    assert wrong.status_code == 403, wrong.text
    assert "SignatureDoesNotMatch" in wrong.text
    # The file is processed when it lands: the post shows it (the main API's view of the same post)
    poll(
        "the uploaded file attached to the post",
        lambda: requests.get(f"{api}/api/posts/{group}", headers=main, timeout=TIMEOUT).json()["data"]["post"],
        lambda post: [m["id"] for m in post["media"]] == [upload["mediaId"]],
    )
    assert requests.get(upload["fileUrl"], timeout=TIMEOUT).content == jpeg

    # Schedule it a few seconds ahead, and let the local scheduler fire it
    at = (datetime.now(UTC) + timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = requests.put(
        f"{api}/api/v1/update-post/{group}",
        json={"status": "scheduled", "scheduledTime": at},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["postGroup"]["status"] == "scheduled"

    post = poll(
        "every platform published with its postedId",
        lambda: requests.get(f"{api}/api/v1/get-post/{group}", headers=headers, timeout=TIMEOUT).json(),
        lambda shown: all(p["status"] == "published" and p.get("postedId") for p in shown["posts"]),
    )
    posted = {p["platform"]: p["postedId"] for p in post["posts"]}
    assert sorted(posted) == ["bluesky", "linkedin", "mastodon"]
    held = requests.get(f"{emulator}/_emulator/posts", timeout=TIMEOUT).json()["posts"]
    on_network = {p["network"]: p for p in held if p["id"] in posted.values()}
    assert {n: p["id"] for n, p in on_network.items()} == posted
    # ...each with the uploaded JPEG, as it was PUT
    sent = hashlib.sha256(jpeg).hexdigest()
    assert {n: [m["sha256"] for m in p["media"]] for n, p in on_network.items()} == {n: [sent] for n in posted}

    # Statistics: the figures each network holds for its post, one query type at a time
    for network in ("linkedin", "bluesky"):
        where = {"network": network, "id": posted[network]}
        names = sorted({name for names in FIGURES_OF[network].values() for name in names})
        figures = {name: 7 + 11 * i for i, name in enumerate(names)}
        frozen = requests.post(f"{emulator}/_emulator/metrics", json={**where, "figures": figures}, timeout=TIMEOUT)
        assert frozen.status_code == 200, frozen.text
        holds = requests.get(f"{emulator}/_emulator/metrics", params=where, timeout=TIMEOUT).json()["figures"]
        for query_type, summed in FIGURES_OF[network].items():
            answer = requests.post(
                f"{api}/api/v1/linkedin-post-statistics",
                json={"postedId": posted[network], "queryType": query_type, "platformId": platform_id[network]},
                headers=headers,
                timeout=TIMEOUT,
            )
            assert answer.status_code == 200, (network, query_type, answer.text)
            assert answer.json() == {"success": True, "count": sum(holds[f] for f in summed)}, (network, query_type)
