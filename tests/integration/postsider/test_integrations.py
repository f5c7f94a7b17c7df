"""/public/v1 channels (PostSider / Postiz): groups, disconnect, connect URLs, settings and tools,
and the next free slot; the same accounts as /api/accounts, and never another tenant's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from socialpub.api.container import Container
from socialpub.api.postsider.routers.channels import settings_schema
from socialpub.domain.accounts import AccountStatus
from socialpub.domain.permissions import Permission
from socialpub.domain.platforms import catalog
from socialpub.domain.posts import PostStatus
from tests.conftest import Emulator, Keys
from tests.integration.pipeline import INSTANCE, events
from tests.integration.postsider.test_foundation import PREFIXES, add_account, raw_key
from tests.integration.test_accounts import connect, consent
from tests.integration.test_posts import create, new_workspace, set_status
from tests.integration.test_scheduling import schedule, weekly_schedule

# ---------------------------------------------------------------------------- channel groups


def test_a_group_set_through_the_main_api_shows_as_the_channels_customer(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with two Bluesky accounts and an X account
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    first = add_account(container, ws, id="acc_one", external_id="1")
    second = add_account(container, ws, id="acc_two", external_id="2")
    add_account(container, ws, platform="twitter", external_id="3")
    # When two accounts are put in groups through PUT /api/accounts/{id} (the label is stripped)
    put = client.put(f"/api/accounts/{first.id}", json={"group": "  Acme Ltd "}, headers=headers)
    client.put(f"/api/accounts/{second.id}", json={"group": "Beta"}, headers=headers)
    # Then the main API shows the stored group
    assert put.status_code == 200, put.text
    assert put.json()["data"]["account"]["group"] == "Acme Ltd"
    assert client.get(f"/api/accounts/{first.id}", headers=headers).json()["data"]["account"]["group"] == "Acme Ltd"
    # And PostSider shows it as the channel's customer, and leaves customer out where there is none
    key = raw_key(headers)
    channels = {c["id"]: c for c in client.get("/public/v1/integrations", headers=key).json()}
    assert channels["acc_one"]["customer"] == {"id": "Acme Ltd", "name": "Acme Ltd"}
    assert channels["acc_two"]["customer"] == {"id": "Beta", "name": "Beta"}
    assert "customer" not in channels["acc_twitter_profile"]
    # And the groups are the workspace's distinct groups, and ?group= filters on one
    assert client.get("/public/v1/groups", headers=key).json() == [
        {"id": "Acme Ltd", "name": "Acme Ltd"},
        {"id": "Beta", "name": "Beta"},
    ]
    filtered = client.get("/public/v1/integrations", params={"group": "Acme Ltd"}, headers=key).json()
    assert [c["id"] for c in filtered] == ["acc_one"]
    assert client.get("/public/v1/integrations", params={"group": "Nobody"}, headers=key).json() == []


def test_a_group_is_cleared_with_null_and_a_long_one_is_refused_before_anything_is_stored(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given an account in a group
    headers = new_workspace(client, keys)
    account = add_account(container, headers["X-Workspace-ID"])
    client.put(f"/api/accounts/{account.id}", json={"group": "Acme"}, headers=headers)
    # When a client sends a group over 100 characters, or a number
    long = client.put(f"/api/accounts/{account.id}", json={"group": "x" * 101}, headers=headers)
    number = client.put(f"/api/accounts/{account.id}", json={"group": 7}, headers=headers)
    # Then each is refused in the main API's envelope, naming the field, and the group is unchanged
    for refused in (long, number):
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert [f["field"] for f in error["details"]["fields"]] == ["group"]
    assert long.json()["error"]["details"]["fields"][0]["message"] == "must be at most 100 characters"
    assert client.get(f"/api/accounts/{account.id}", headers=headers).json()["data"]["account"]["group"] == "Acme"
    # When it sends a name change only, the group stays
    client.put(f"/api/accounts/{account.id}", json={"name": "Renamed"}, headers=headers)
    assert client.get(f"/api/accounts/{account.id}", headers=headers).json()["data"]["account"]["group"] == "Acme"
    # When it sends null (or a blank label), the account leaves its group
    cleared = client.put(f"/api/accounts/{account.id}", json={"group": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["data"]["account"]["group"] is None
    key = raw_key(headers)
    assert client.get("/public/v1/groups", headers=key).json() == []
    assert "customer" not in client.get("/public/v1/integrations", headers=key).json()[0]
    client.put(f"/api/accounts/{account.id}", json={"group": "Acme"}, headers=headers)
    blank = client.put(f"/api/accounts/{account.id}", json={"group": "   "}, headers=headers)
    assert blank.json()["data"]["account"]["group"] is None


def test_another_tenants_groups_are_never_listed(client: TestClient, keys: Keys, container: Container) -> None:
    # Given another tenant's account in a group, and a workspace with none
    theirs = new_workspace(client, keys)
    account = add_account(container, theirs["X-Workspace-ID"])
    client.put(f"/api/accounts/{account.id}", json={"group": "Secret client"}, headers=theirs)
    mine = new_workspace(client, keys)
    # When the workspace lists groups and filters on the other tenant's group, or sets a group on its account
    groups = client.get("/public/v1/groups", headers=raw_key(mine))
    filtered = client.get("/public/v1/integrations", params={"group": "Secret client"}, headers=raw_key(mine))
    put = client.put(f"/api/accounts/{account.id}", json={"group": "Mine now"}, headers=mine)
    # Then it sees nothing of theirs, and cannot change their account
    assert (groups.status_code, groups.json()) == (200, [])
    assert (filtered.status_code, filtered.json()) == (200, [])
    assert put.status_code == 404
    assert container.surface_accounts.get(theirs["X-Workspace-ID"], account.id).group == "Secret client"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- disconnect


def test_disconnecting_a_channel_is_the_main_apis_disconnect(
    client: TestClient, keys: Keys, container: Container, emulator: Emulator
) -> None:
    # Given an X account connected through the product, and a scheduled post naming only it
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    account = connect(client, headers, user="ada-x")
    post = create(client, headers, platforms=[account["id"]])
    set_status(container, headers, post["id"], PostStatus.SCHEDULED)
    # When a PostSider client disconnects the channel (sending Content-Type and no body, as the CLI does)
    response = client.delete(
        f"/public/v1/integrations/{account['id']}", headers={**raw_key(headers), "Content-Type": "application/json"}
    )
    # Then it answers the channel's id, and nothing of its tokens
    assert (response.status_code, response.json()) == (200, {"id": account["id"]})
    # And the effect is DELETE /api/accounts/{id}'s: token revoked, the account gone with its event,
    # the post left with no target back to draft
    assert next(f for f in emulator.state.families if f.user == "ada-x").revoked
    assert client.get(f"/api/accounts/{account['id']}", headers=headers).status_code == 404
    assert client.get("/public/v1/integrations", headers=raw_key(headers)).json() == []
    assert [e["data"]["M"]["account_id"]["S"] for e in events(container, ws, "account.disconnected")] == [account["id"]]
    after = container.posts.get(ws, post["id"])
    assert after is not None
    assert (after.status, after.account_ids) == (PostStatus.DRAFT, [])
    # And disconnecting it again is a 404 in Postiz's words
    again = client.delete(f"/public/v1/integrations/{account['id']}", headers=raw_key(headers))
    assert (again.status_code, again.json()) == (404, {"msg": "Integration not found"})


def test_disconnect_needs_accounts_write_and_never_reaches_another_tenant(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given another tenant's channel, and a workspace whose second key may only read accounts
    theirs = new_workspace(client, keys)
    account = add_account(container, theirs["X-Workspace-ID"])
    mine = new_workspace(client, keys)
    reader = keys.issue(permissions=frozenset({Permission.ACCOUNTS_READ}), workspaces=(mine["X-Workspace-ID"],))
    # When the workspace disconnects the other tenant's channel, an unknown one, or (read-only) its own
    cross = client.delete(f"/public/v1/integrations/{account.id}", headers=raw_key(mine))
    unknown = client.delete("/public/v1/integrations/acc_nope", headers=raw_key(mine))
    too_long = client.delete(f"/public/v1/integrations/{'x' * 3000}", headers=raw_key(mine))
    denied = client.delete(f"/public/v1/integrations/{account.id}", headers={"Authorization": reader})
    # Then each is refused in Postiz's shape, and the other tenant's channel is still there
    for refused in (cross, unknown, too_long):
        assert (refused.status_code, refused.json()) == (404, {"msg": "Integration not found"})
    assert denied.status_code == 403
    assert set(denied.json()) == {"msg"}
    assert container.surface_accounts.get(theirs["X-Workspace-ID"], account.id) is not None


# ---------------------------------------------------------------------------- connect URLs


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_connect_url_is_finished_by_the_hosted_page_and_gives_a_channel(
    client: TestClient, keys: Keys, emulator: Emulator, prefix: str
) -> None:
    # Given a workspace with no channel
    headers = new_workspace(client, keys)
    key = raw_key(headers)
    # When a PostSider client asks to connect X (Postiz's id "x")
    response = client.get(f"{prefix}/social/x", headers=key)
    # Then it gets X's authorization URL, which sends the user back to the product's hosted page
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"url"}
    url = response.json()["url"]
    assert urlsplit(url).path.endswith("/x.com/i/oauth2/authorize")
    assert parse_qs(urlsplit(url).query)["redirect_uri"] == ["http://testserver/api/accounts/callback"]
    # When the user consents, the hosted page finishes the connect (no key needed)
    landed = client.get("/api/accounts/callback", params=consent(url, user="grace-x"))
    assert landed.status_code == 200, landed.text
    # Then the organisation has the channel
    (channel,) = client.get(f"{prefix}/integrations", headers=key).json()
    assert channel["identifier"] == "x"
    # When it asks to reconnect that channel (refresh) and the user consents again
    again = client.get(f"{prefix}/social/x", params={"refresh": channel["id"]}, headers=key)
    assert again.status_code == 200, again.text
    assert client.get("/api/accounts/callback", params=consent(again.json()["url"], user="grace-x")).status_code == 200
    # Then it is the same channel, reconnected, not a second one
    assert [c["id"] for c in client.get(f"{prefix}/integrations", headers=key).json()] == [channel["id"]]


def test_postiz_provider_ids_map_onto_the_products_networks(client: TestClient, keys: Keys, emulator: Emulator) -> None:
    # Given a workspace
    key = raw_key(new_workspace(client, keys))
    # When a client asks to connect each of Postiz's ids that the product publishes to by a redirect
    urls = {
        provider: client.get(f"/public/v1/social/{provider}", headers=key).json()["url"]
        for provider in ("gmb", "linkedin", "linkedin-page", "youtube", "reddit")
    }
    # Then each starts the product's connect of its network (LinkedIn pages: LinkedIn's one sign-in)
    hosts = {provider: urlsplit(url).path.split("/")[1] for provider, url in urls.items()}
    assert hosts == {
        "gmb": "accounts.google.com",
        "linkedin": "www.linkedin.com",
        "linkedin-page": "www.linkedin.com",
        "youtube": "accounts.google.com",
        "reddit": "www.reddit.com",
    }
    # And Mastodon needs its server, which the client may give as ?instance=
    mastodon = client.get("/public/v1/social/mastodon", params={"instance": INSTANCE}, headers=key)
    assert mastodon.status_code == 200, mastodon.text
    assert INSTANCE in mastodon.json()["url"]


def test_connect_refusals_in_postiz_words(client: TestClient, keys: Keys, container: Container) -> None:
    # Given a workspace with a Bluesky channel, another tenant's X channel, and a read-only key
    headers = new_workspace(client, keys)
    key = raw_key(headers)
    mine = add_account(container, headers["X-Workspace-ID"])
    other = add_account(container, new_workspace(client, keys)["X-Workspace-ID"], platform="twitter")
    reader = keys.issue(permissions=frozenset({Permission.ACCOUNTS_READ}), workspaces=(headers["X-Workspace-ID"],))

    def social(provider: str, auth: dict[str, str] = key, **params: str) -> tuple[int, object]:
        answer = client.get(f"/public/v1/social/{provider}", params=params, headers=auth)
        return answer.status_code, answer.json()

    not_allowed = (400, {"msg": "Integration not allowed"})
    # Then an unknown provider, the product's own ids that Postiz spells otherwise, and networks
    # that connect with credentials (no URL) are not allowed
    for provider in ("myspace", "twitter", "google_business", "bluesky", "telegram", "instagram-standalone"):
        assert social(provider) == not_allowed, provider
    # And Mastodon without a server says it needs one
    assert social("mastodon") == (
        400,
        {"msg": "This integration requires an external URL and is not supported via the public API"},
    )
    # And a refresh of another tenant's channel, an unknown one, or one of another network is not found
    not_found = (404, {"msg": "Integration not found"})
    assert social("x", refresh=other.id) == not_found
    assert social("x", refresh="acc_nope") == not_found
    assert social("x", refresh=mine.id) == not_found
    # And starting a connect needs accounts.write
    status, body = social("x", {"Authorization": reader})
    assert status == 403
    assert isinstance(body, dict)
    assert set(body) == {"msg"}


# ---------------------------------------------------------------------------- settings and tools


def test_a_channels_settings_are_its_networks_rules_from_the_catalog(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with a Bluesky channel and a Reddit channel
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    bluesky = add_account(container, ws)
    reddit = add_account(container, ws, platform="reddit")
    key = raw_key(headers)
    # When the CLI reads each channel's settings
    sky = client.get(f"/public/v1/integration-settings/{bluesky.id}", headers=key)
    red = client.get(f"/public/v1/integration-settings/{reddit.id}", headers=key)
    # Then each is the catalog's: its text limit, its rules in words, its typed settings as a JSON schema
    assert sky.status_code == 200, sky.text
    output = sky.json()["output"]
    assert set(output) == {"rules", "maxLength", "settings", "tools"}
    assert output["maxLength"] == catalog()["bluesky"].limits.max_characters == 300
    assert output["rules"].startswith("Bluesky: at most 300 characters (as graphemes) and 3000 bytes; up to 4 images")
    assert output["settings"] == {
        "type": "object",
        "properties": {"langs": {"type": "string", "description": "comma-separated BCP 47 language tags"}},
    }
    assert output["tools"] == []
    reddit_output = red.json()["output"]
    assert reddit_output["settings"]["required"] == ["subreddit"]
    assert reddit_output["settings"]["properties"]["nsfw"] == {"type": "boolean"}
    assert "a title is required (at most 300 characters)" in reddit_output["rules"]
    assert "settings required: subreddit" in reddit_output["rules"]
    # And a network without typed settings says so, as Postiz does
    plain = catalog()["bluesky"].model_copy(update={"settings": {}})
    assert settings_schema(plain) == "No additional settings required"


def test_settings_and_tools_of_unknown_and_other_tenants_channels_are_not_found(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with a channel, and another tenant's channel
    headers = new_workspace(client, keys)
    mine = add_account(container, headers["X-Workspace-ID"], platform="reddit")
    theirs = add_account(container, new_workspace(client, keys)["X-Workspace-ID"])
    key = raw_key(headers)
    body = {"methodName": "getFlairs", "data": {"subreddit": "python"}}
    not_found = {"msg": "Integration not found"}
    for channel_id in (theirs.id, "acc_nope"):
        # When it reads their settings or triggers a tool on them
        settings = client.get(f"/public/v1/integration-settings/{channel_id}", headers=key)
        trigger = client.post(f"/public/v1/integration-trigger/{channel_id}", json=body, headers=key)
        # Then both are not found
        assert (settings.status_code, settings.json()) == (404, not_found)
        assert (trigger.status_code, trigger.json()) == (404, not_found)
    # When it triggers a tool on its own channel (the product has none), or sends no methodName
    tool = client.post(f"/public/v1/integration-trigger/{mine.id}", json=body, headers=key)
    no_data = client.post(f"/public/v1/integration-trigger/{mine.id}", json={"methodName": "getLists"}, headers=key)
    nameless = client.post(f"/public/v1/integration-trigger/{mine.id}", json={"data": {}}, headers=key)
    # Then the tool is not found, and the nameless call is Nest's validation 400
    assert (tool.status_code, tool.json()) == (404, {"msg": "Tool not found"})
    assert (no_data.status_code, no_data.json()) == (404, {"msg": "Tool not found"})
    assert nameless.status_code == 400
    assert nameless.json() == {"statusCode": 400, "message": ["methodName Field required"], "error": "Bad Request"}


# ---------------------------------------------------------------------------- the next free slot


def find_slot(client: TestClient, key: dict[str, str], channel_id: str) -> tuple[int, object]:
    answer = client.get(f"/public/v1/find-slot/{channel_id}", headers=key)
    return answer.status_code, answer.json()


def test_without_a_schedule_for_it_a_channel_gets_postiz_default_times_no_post_uses(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given (at 10:00 UTC on 2 March) a workspace with a Bluesky and an X channel, and a schedule for X only
    headers = new_workspace(client, keys)
    ws = headers["X-Workspace-ID"]
    bluesky = add_account(container, ws)
    add_account(container, ws, platform="twitter", external_id="x-1")
    weekly_schedule(client, headers, slots=[{"day": "monday", "time": "13:00", "platforms": ["twitter"]}])
    key = raw_key(headers)
    # When a client asks for the Bluesky channel's next free slot
    # Then it is the next of Postiz's defaults (02:00, 06:40, 11:40 UTC): today 11:40, without zone or ms
    assert find_slot(client, key, bluesky.id) == (200, {"date": "2026-03-02T11:40:00"})
    # When a post of the workspace (to X) is due then
    post = create(client, headers, platforms=["twitter"])
    assert schedule(client, headers, post["id"], "2026-03-02T11:40:00Z").status_code == 200
    # Then the next default time nobody uses is given: tomorrow 02:00
    assert find_slot(client, key, bluesky.id) == (200, {"date": "2026-03-03T02:00:00"})


def test_a_channels_slot_is_the_queues_next_free_one_of_its_schedules(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given (Monday 2 March, 10:00 UTC) a Bluesky channel and a Monday and Wednesday 09:00 Paris schedule for Bluesky
    headers = new_workspace(client, keys)
    channel = add_account(container, headers["X-Workspace-ID"])
    weekly_schedule(
        client,
        headers,
        slots=[
            {"day": "monday", "time": "09:00", "platforms": ["bluesky"]},
            {"day": "wednesday", "time": "09:00", "platforms": ["bluesky"]},
        ],
    )
    key = raw_key(headers)
    # When a client asks for its next free slot
    # Then it is Wednesday 09:00 Paris (today's has passed), in UTC
    assert find_slot(client, key, channel.id) == (200, {"date": "2026-03-04T08:00:00"})
    # When a post takes that slot through the queue, the next one is given
    queued = create(client, headers, platforms=["bluesky"])
    taken = client.post(f"/api/posts/{queued['id']}/queue", headers=headers)
    assert taken.json()["data"]["post"]["scheduled_at"] == "2026-03-04T08:00:00Z"
    assert find_slot(client, key, channel.id) == (200, {"date": "2026-03-09T08:00:00"})
    # When a post to Bluesky is scheduled at that very time (as a client does with find-slot's answer)
    timed = create(client, headers, platforms=["bluesky"])
    assert schedule(client, headers, timed["id"], "2026-03-09T08:00:00Z").status_code == 200
    # Then that slot is taken too
    assert find_slot(client, key, channel.id) == (200, {"date": "2026-03-11T08:00:00"})


def test_find_slot_of_an_unknown_disabled_or_other_tenants_channel_is_not_found(
    client: TestClient, keys: Keys, container: Container
) -> None:
    # Given a workspace with an expired channel, and another tenant's active channel
    headers = new_workspace(client, keys)
    expired = add_account(container, headers["X-Workspace-ID"], status=AccountStatus.EXPIRED)
    theirs = add_account(container, new_workspace(client, keys)["X-Workspace-ID"])
    # When it asks for a slot of each, and of an id that does not exist
    # Then each is Postiz's 404 (where the real server never answers)
    for channel_id in (expired.id, theirs.id, "acc_nope"):
        assert find_slot(client, raw_key(headers), channel_id) == (404, {"msg": "Integration not found"})
