"""/public/v1/generate-video and /video/function, which postiz-agent exposes: socialpub generates no
videos, and says so plainly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Keys
from tests.integration.postsider.test_foundation import PREFIXES, raw_key
from tests.integration.test_posts import new_workspace

CALLS = (
    ("/generate-video", {"type": "image-text-slides", "output": "vertical", "customParams": {}}),
    ("/video/function", {"functionName": "loadVoices", "identifier": "image-text-slides"}),
)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_video_generation_is_a_clear_400_not_a_missing_route(client: TestClient, keys: Keys, prefix: str) -> None:
    # Given a workspace key
    headers = raw_key(new_workspace(client, keys))
    for path, body in CALLS:
        # When postiz-agent asks for a video, or for the video tools' voices
        answer = client.post(f"{prefix}{path}", json=body, headers=headers)
        # Then it is a 400 {"msg"} saying socialpub has no video generation (not Nest's "Cannot POST")
        assert (answer.status_code, answer.json()) == (400, {"msg": "Video generation is not available in socialpub"})
        # And without a key it is the usual 401, as for every route of the surface
        assert client.post(f"{prefix}{path}", json=body).json() == {"msg": "No API Key found"}
