"""The hosted sign-in page of a credential network on the local stack, spoken to with plain HTTP as a
browser would: the connect's auth_url, the form, a wrong app password shown, the right one connecting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e import harness
from tests.e2e.harness import TIMEOUT

pytestmark = pytest.mark.slow

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
RETURN = "https://app.example/accounts"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[harness.LocalStack]:
    running = harness.start(tmp_path)
    yield running
    running.kill()


def test_local_stack__bluesky_connects_through_the_hosted_sign_in_page(stack: harness.LocalStack) -> None:
    api, key = stack.creds["api_url"], {"X-API-Key": stack.creds["api_key"]}
    ws = requests.post(f"{api}/api/workspaces", json={"name": "sign-in"}, headers=key, timeout=TIMEOUT).json()
    headers = {**key, "X-Workspace-ID": ws["data"]["workspace"]["id"]}
    # Given a Bluesky connect started without credentials
    started = requests.post(
        f"{api}/api/accounts", json={"platform": "bluesky", "return_url": RETURN}, headers=headers, timeout=TIMEOUT
    )
    assert started.status_code == 200, started.text
    page_url = started.json()["data"]["auth_url"]

    # When the browser opens it (no API key): a form with the handle, the app password and the server,
    # naming the workspace the account will join
    page = requests.get(page_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    assert '<p id="workspace">To the workspace <strong>sign-in</strong></p>' in page.text
    assert set(re.findall(r'<input name="([^"]+)"', page.text)) == {"instance", "identifier", "app_password"}
    state = re.findall(r'name="state" value="([^"]+)"', page.text)[0]
    form_url = page_url.split("?")[0]

    # And submits a wrong app password: the network's refusal on the page, nothing stored
    wrong = requests.post(
        form_url, data={"state": state, "identifier": "ada.bsky.social", "app_password": "wrong"}, timeout=TIMEOUT
    )
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.text
    listed = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
    assert listed == []

    # Then the right one connects it and sends the browser on to the return_url
    done = requests.post(
        form_url,
        data={"state": state, "identifier": "ada.bsky.social", "app_password": APP_PASSWORD},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert done.status_code == 303, done.text
    back = parse_qs(urlsplit(done.headers["location"]).query)
    listed = requests.get(f"{api}/api/accounts", headers=headers, timeout=TIMEOUT).json()["data"]["accounts"]
    assert [(a["id"], a["platform"]) for a in listed] == [(back["account_id"][0], "bluesky")]
    assert APP_PASSWORD not in done.text + wrong.text + str(listed)
