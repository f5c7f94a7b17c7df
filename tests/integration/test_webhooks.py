"""Webhooks end to end in-process: admins register receivers (/admin/webhooks), lifecycle events are
relayed from the outbox to the webhook queue (moto SQS), and the real WebhookDispatcherFunction
handler fans them out and POSTs them, signed, to a receiver on loopback; deliveries happen when
the test says, and time moves with the test's clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks import WebhookVerificationError

from socialpub.adapters.webhook_sender import HttpWebhookSender
from socialpub.api.container import Container
from socialpub.config import EventRelaySettings, WebhookDispatcherSettings, load
from socialpub.domain.users import Role
from socialpub.local.stack import LOCAL_ONLY_SETTINGS
from socialpub.local.workers import LambdaContext, sqs_event
from socialpub.workers import event_relay, webhook_dispatcher
from tests.conftest import FrozenClock, Keys
from tests.integration.test_admin_auth import PASSWORD, add_user, bearer
from tests.integration.test_posts import new_workspace

ALL_POST_EVENTS = ["post.created", "post.scheduled", "post.published", "post.deleted"]


class Receiver:
    """An HTTP receiver on loopback: records every request, answers with the statuses queued."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [json.loads(r["body"])["type"] for r in self.requests]


class Dispatch:
    """The event relay and the dispatcher over the webhook queue, driven by the test."""

    def __init__(self, clock: FrozenClock) -> None:
        webhook_dispatcher.adapters.cache_clear()
        event_relay.adapters.cache_clear()
        self.deps, _, _ = webhook_dispatcher.adapters()
        self.deps.clock = clock
        self.clock = clock
        self.sqs = boto3.client("sqs")
        settings = load(WebhookDispatcherSettings)
        self.url, self.dlq = settings.webhook_queue_url, settings.webhook_dlq_url

    def run(self, rounds: int = 10) -> None:
        """Relay what was recorded, then deliver what is due now (failed ones stay put for later)."""
        event_relay.relay(until=self.clock() + timedelta(days=1))
        for _ in range(rounds):
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return
            result = webhook_dispatcher.handler(sqs_event(messages, "arn:aws:sqs:::WebhookQueue"), LambdaContext("D"))
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            for m in messages:
                if m["MessageId"] not in failed:
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
                else:
                    self.waiting.append(m)

    waiting: list[dict[str, Any]] = []

    def later(self, seconds: int) -> None:
        """Time passes: messages put back for later are due again."""
        self.clock.moment += timedelta(seconds=seconds)
        for m in self.waiting:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        self.waiting = []

    def dead_letters(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.sqs.receive_message(QueueUrl=self.dlq, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()


def configure_as_local_stack(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings only the local stack sets (the API's container and the dispatcher's environment)."""
    for name, value in LOCAL_ONLY_SETTINGS.items():
        monkeypatch.setenv(name, value)
    container.configure(**LOCAL_ONLY_SETTINGS)
    container.__dict__.pop("webhook_sender", None)  # built again from the settings


@pytest.fixture
def dispatch(container: Container, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dispatch]:
    configure_as_local_stack(container, monkeypatch)  # the receiver is on loopback
    d = Dispatch(clock)
    d.waiting = []
    yield d
    webhook_dispatcher.adapters.cache_clear()
    event_relay.adapters.cache_clear()


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/admin/login", json={"email": email, "password": PASSWORD}).json()["data"]["token"]
    return bearer(token)


@pytest.fixture
def admin(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "ada@example.com")
    return signed_in(client, "ada@example.com")


def register(client: TestClient, admin: dict[str, str], url: str, events: list[str], **body: Any) -> dict[str, Any]:
    answer = client.post("/admin/webhooks", json={"url": url, "events": events, **body}, headers=admin)
    assert answer.status_code == 201, answer.text
    webhook: dict[str, Any] = answer.json()["data"]["webhook"]
    return webhook


def verified(secret: str, request: dict[str, Any]) -> dict[str, Any]:
    """The payload, once the standardwebhooks package has verified its signature."""
    payload: dict[str, Any] = StandardWebhook(secret).verify(request["body"], request["headers"])
    return payload


# ---------------------------------------------------------------------- delivering


def test_webhook__a_post_created_and_deleted_reaches_the_receiver_signed(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    # Given a webhook for post events, with a generated secret shown once
    webhook = register(client, admin, receiver.url, ALL_POST_EVENTS)
    secret = webhook["secret"]
    assert secret.startswith("whsec_")

    # When a post is created and deleted, and the relay and dispatcher run
    headers = new_workspace(client, keys)
    post = client.post("/api/posts", json={"content": "Hello", "platforms": ["twitter"]}, headers=headers).json()
    post_id = post["data"]["post"]["id"]
    assert client.delete(f"/api/posts/{post_id}", headers=headers).status_code == 200
    dispatch.run()

    # Then the receiver got post.created then post.deleted, each verifying with standardwebhooks
    assert receiver.events() == ["post.created", "post.deleted"]
    created = verified(secret, receiver.requests[0])
    assert created["data"]["post_id"] == post_id
    assert created["workspace_id"] == headers["X-Workspace-ID"]
    assert created["id"].startswith("evt_")
    # And a signature made with another secret does not verify
    with pytest.raises(WebhookVerificationError):
        StandardWebhook("whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY").verify(
            receiver.requests[0]["body"], receiver.requests[0]["headers"]
        )
    # And the webhook counts two successful deliveries and says when it last fired
    shown = client.get(f"/admin/webhooks/{webhook['id']}", headers=admin).json()["data"]["webhook"]
    assert shown["stats"]["total_deliveries"] == 2
    assert shown["stats"]["successful_deliveries"] == 2
    assert shown["last_triggered_at"] is not None
    # And the secret is masked from now on
    assert shown["secret"] != secret
    assert shown["secret"].startswith("whse")
    assert shown["secret"].endswith("*")


def test_webhook__an_event_relayed_twice_is_delivered_once(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    register(client, admin, receiver.url, ["post.created"])
    headers = new_workspace(client, keys)
    client.post("/api/posts", json={"content": "Once", "platforms": ["twitter"]}, headers=headers)
    outbox, queue = event_relay.adapters()
    (event,) = outbox.unrelayed(dispatch.clock() + timedelta(days=1), 10)

    # When the relay hands the same event over twice (it died before clearing its mark)
    queue.fan_out([event])
    dispatch.run()

    # Then the receiver got it once
    assert receiver.events() == ["post.created"]


def test_webhook__receiver_down_then_up_gets_it_once_with_the_same_webhook_id(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    # Given a receiver that fails three times
    webhook = register(client, admin, receiver.url, ["post.created"])
    receiver.statuses = [503, 500, 502]
    headers = new_workspace(client, keys)
    client.post("/api/posts", json={"content": "Retry me", "platforms": ["twitter"]}, headers=headers)

    # When the dispatcher runs, and again after each backoff (30 s, 60 s, 120 s)
    dispatch.run()
    for wait in (30, 60, 120):
        dispatch.later(wait)
        dispatch.run()

    # Then four attempts were made, all with the same webhook-id, and the last succeeded
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(receiver.requests) == 4
    assert len(ids) == 1
    # And nothing more arrives afterwards
    dispatch.later(3600)
    dispatch.run()
    assert len(receiver.requests) == 4
    # And the log shows every attempt with its status code and latency
    log = client.get(f"/admin/webhooks/{webhook['id']}/deliveries", headers=admin).json()["data"]["deliveries"]
    (delivery,) = log
    assert delivery["id"] == ids.pop()
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [503, 500, 502, 200]
    assert all(a["latency_ms"] >= 0 for a in delivery["attempts"])
    stats = client.get(f"/admin/webhooks/{webhook['id']}", headers=admin).json()["data"]["webhook"]["stats"]
    assert stats == {
        "total_deliveries": 1,
        "successful_deliveries": 1,
        "failed_deliveries": 0,
        "total_attempts": 4,
        "failed_attempts": 3,
    }


def test_webhook__failing_for_a_day_goes_to_the_dlq_and_can_be_redelivered(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    # Given a receiver that keeps failing
    webhook = register(client, admin, receiver.url, ["post.created"])
    receiver.statuses = [500] * 100
    headers = new_workspace(client, keys)
    client.post("/api/posts", json={"content": "Never", "platforms": ["twitter"]}, headers=headers)

    # When the retries run for more than 24 hours (backoff doubling from 30 s up to an hour)
    dispatch.run()
    elapsed = 0
    while dispatch.waiting and elapsed < 30 * 3600:
        dispatch.later(3600)
        elapsed += 3600
        dispatch.run()

    # Then the delivery failed, counted, and its message is in the DLQ
    assert elapsed >= 24 * 3600
    admin = signed_in(client, "ada@example.com")  # a day later: the morning's token has expired
    (dead,) = dispatch.dead_letters()
    assert json.loads(dead["Body"])["kind"] == "delivery"
    shown = client.get(f"/admin/webhooks/{webhook['id']}", headers=admin).json()["data"]["webhook"]
    assert shown["stats"]["failed_deliveries"] == 1
    (delivery,) = client.get(f"/admin/webhooks/{webhook['id']}/deliveries", headers=admin).json()["data"]["deliveries"]
    assert delivery["status"] == "failed"

    # When the receiver is fixed and the delivery is redelivered from the log
    receiver.statuses = []
    again = client.post(f"/admin/webhooks/{webhook['id']}/deliveries/{delivery['id']}/redeliver", headers=admin)

    # Then it arrives, with the same webhook-id and body, and the delivery succeeded
    assert again.status_code == 200, again.text
    assert again.json()["data"]["attempt"]["status_code"] == 200
    assert again.json()["data"]["delivery"]["status"] == "succeeded"
    last = receiver.requests[-1]
    assert last["headers"]["webhook-id"] == delivery["id"]
    assert last["body"] == delivery["payload"]


def test_webhook__test_sends_a_signed_test_event_now(
    client: TestClient, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    webhook = register(client, admin, receiver.url, ["post.published"], secret="a-secret-of-my-own-choosing")

    answer = client.post(f"/admin/webhooks/{webhook['id']}/test", headers=admin)

    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["attempt"]["status_code"] == 200
    assert receiver.events() == ["webhook.test"]
    # A secret the client chose verifies as its bytes, base64-encoded behind whsec_
    import base64

    chosen = "whsec_" + base64.b64encode(b"a-secret-of-my-own-choosing").decode()
    assert verified(chosen, receiver.requests[0])["type"] == "webhook.test"


# ---------------------------------------------------------------------- safety


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.1", "127.0.0.1", "fd00::1"])
def test_webhook__urls_resolving_inside_are_refused_at_creation(
    client: TestClient, admin: dict[str, str], container: Container, address: str
) -> None:
    container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: [address])

    answer = client.post(
        "/admin/webhooks", json={"url": "https://hooks.example.com/x", "events": ["post.created"]}, headers=admin
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["details"]["field"] == "url"
    assert address in answer.json()["error"]["message"]
    assert client.get("/admin/webhooks", headers=admin).json()["data"]["webhooks"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",
        "https://169.254.169.254/latest/meta-data",
        "https://user:pw@hooks.example.com",
        "not a url",
        "ftp://x.example.com",
    ],
)
def test_webhook__non_https_and_literal_private_urls_are_refused(
    client: TestClient, admin: dict[str, str], container: Container, url: str
) -> None:
    container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: ["93.184.216.34"])
    answer = client.post("/admin/webhooks", json={"url": url, "events": ["post.created"]}, headers=admin)
    assert answer.status_code == 400, answer.text


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest",
        "http://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest",
        "https://[::ffff:169.254.169.254]/latest",
        "https://10.0.0.1/x",
        "http://10.0.0.1/x",
        "https://192.168.1.20/x",
        "https://[fd00::1]/x",
        "http://0.0.0.0:8080/x",
    ],
)
def test_webhook__the_local_stack_refuses_private_and_metadata_urls(
    client: TestClient, admin: dict[str, str], container: Container, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    # Given the API configured as the local stack configures it
    configure_as_local_stack(container, monkeypatch)
    # When an admin registers a webhook to a metadata or private address
    answer = client.post("/admin/webhooks", json={"url": url, "events": ["post.created"]}, headers=admin)
    # Then it is refused in the envelope, naming the field, and nothing is stored
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["success"] is False
    assert (body["error"]["code"], body["error"]["details"]["field"]) == ("VALIDATION_ERROR", "url")
    assert client.get("/admin/webhooks", headers=admin).json()["data"]["webhooks"] == []


def test_webhook__the_local_stack_delivers_to_a_loopback_receiver(
    client: TestClient, admin: dict[str, str], receiver: Receiver, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the API configured as the local stack configures it
    configure_as_local_stack(container, monkeypatch)
    # When an admin registers a receiver on loopback over http and sends it a test event
    webhook = register(client, admin, receiver.url, ["post.created"])
    answer = client.post(f"/admin/webhooks/{webhook['id']}/test", headers=admin)
    # Then it is accepted and the receiver gets it
    assert answer.status_code == 200, answer.text
    assert receiver.events() == ["webhook.test"]


def test_webhook__a_deployed_stack_refuses_a_loopback_receiver(
    client: TestClient, admin: dict[str, str], receiver: Receiver
) -> None:
    # Given the deployed settings (no ALLOW_LOOPBACK_TARGETS); When a receiver on loopback is registered
    answer = client.post("/admin/webhooks", json={"url": receiver.url, "events": ["post.created"]}, headers=admin)
    # Then it is refused
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["details"]["field"] == "url"


@pytest.mark.parametrize("allow_loopback", [False, True], ids=["deployed", "local"])
@pytest.mark.parametrize("inside", ["169.254.169.254", "fd00:ec2::254", "10.0.0.1"])
def test_webhook__a_name_that_moves_inside_after_creation_is_refused_at_send_time(
    client: TestClient,
    keys: Keys,
    admin: dict[str, str],
    container: Container,
    dispatch: Dispatch,
    allow_loopback: bool,
    inside: str,
) -> None:
    # Given a webhook whose host resolved to a public address when it was registered (deployed or local settings)
    answers = {"address": "93.184.216.34"}
    sender = HttpWebhookSender(allow_loopback=allow_loopback, resolver=lambda host, port: [answers["address"]])
    container.webhook_sender = sender
    webhook = register(client, admin, "https://hooks.example.com/x", ["post.created"])
    dispatch.deps.sender = sender

    # When its DNS now answers with a metadata or private address, and an event is delivered
    answers["address"] = inside
    headers = new_workspace(client, keys)
    client.post("/api/posts", json={"content": "Hello", "platforms": ["twitter"]}, headers=headers)
    dispatch.run()

    # Then nothing was sent: the attempt is logged as refused, to be retried later
    (delivery,) = client.get(f"/admin/webhooks/{webhook['id']}/deliveries", headers=admin).json()["data"]["deliveries"]
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] is None
    assert inside in attempt["error"]
    assert delivery["status"] == "pending"


def test_webhook__admin_routes_need_a_token_and_the_right_role(
    client: TestClient, admin: dict[str, str], container: Container
) -> None:
    assert client.get("/admin/webhooks").status_code == 401
    add_user(container, "vera@example.com", Role.VIEWER)
    token = client.post("/admin/login", json={"email": "vera@example.com", "password": PASSWORD}).json()["data"][
        "token"
    ]
    refused = client.post(
        "/admin/webhooks", json={"url": "https://hooks.example.com", "events": ["post.created"]}, headers=bearer(token)
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert client.get("/admin/webhooks/wh_nope", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://hooks.example.com", "events": []}, "events"),
        ({"url": "https://hooks.example.com", "events": ["post.exploded"]}, "events"),
        ({"url": "https://hooks.example.com", "events": ["post.created"], "secret": "short"}, "secret"),
        ({"events": ["post.created"]}, "url"),
    ],
)
def test_webhook__bad_input_is_refused(
    client: TestClient, admin: dict[str, str], container: Container, body: dict[str, Any], field: str
) -> None:
    container.webhook_sender = HttpWebhookSender(resolver=lambda host, port: ["93.184.216.34"])
    answer = client.post("/admin/webhooks", json=body, headers=admin)
    assert answer.status_code == 400, answer.text
    assert field in json.dumps(answer.json()["error"]["details"])


def test_webhook__events_arriving_through_the_table_stream_are_relayed_at_once(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    # Given a new event item, as the table's stream hands it to the relay (moto has no streams)
    register(client, admin, receiver.url, ["post.created"])
    headers = new_workspace(client, keys)
    client.post("/api/posts", json={"content": "Streamed", "platforms": ["twitter"]}, headers=headers)
    items = boto3.client("dynamodb").query(
        TableName=load(EventRelaySettings).workspaces_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": f"WS#{headers['X-Workspace-ID']}"}, ":e": {"S": "EVENT#"}},
    )["Items"]
    records = [{"eventName": "INSERT", "dynamodb": {"NewImage": item}} for item in items]

    # When the relay runs on that stream batch
    assert event_relay.handler({"Records": records}, LambdaContext("EventRelayFunction")) == {"relayed": 1}

    # Then the event is delivered, and the minute sweep finds nothing left to relay
    outbox, _ = event_relay.adapters()
    assert outbox.unrelayed(dispatch.clock() + timedelta(days=1), 10) == []
    dispatch.run()
    assert receiver.events() == ["post.created"]


def test_webhook__changes_apply_and_a_paused_webhook_receives_nothing(
    client: TestClient, keys: Keys, admin: dict[str, str], receiver: Receiver, dispatch: Dispatch
) -> None:
    # Given a webhook for post.created, then changed to post.deleted with a new secret
    webhook = register(client, admin, receiver.url, ["post.created"])
    new_secret = "a-brand-new-secret-value"
    changed = client.put(
        f"/admin/webhooks/{webhook['id']}",
        json={"events": ["post.deleted"], "secret": new_secret, "description": None},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    shown = changed.json()["data"]["webhook"]
    assert (shown["events"], shown["url"], shown["secret"]) == (["post.deleted"], receiver.url, "a-br" + "*" * 20)

    # When a post is created and deleted
    headers = new_workspace(client, keys)
    post_id = client.post("/api/posts", json={"content": "x", "platforms": ["twitter"]}, headers=headers).json()[
        "data"
    ]["post"]["id"]
    client.delete(f"/api/posts/{post_id}", headers=headers)
    dispatch.run()

    # Then only post.deleted arrived, signed with the new secret
    import base64

    assert receiver.events() == ["post.deleted"]
    verified("whsec_" + base64.b64encode(new_secret.encode()).decode(), receiver.requests[0])

    # And once paused, the webhook receives nothing
    client.put(f"/admin/webhooks/{webhook['id']}", json={"is_active": False}, headers=admin)
    other = client.post("/api/posts", json={"content": "y", "platforms": ["twitter"]}, headers=headers).json()
    client.delete(f"/api/posts/{other['data']['post']['id']}", headers=headers)
    dispatch.run()
    assert receiver.events() == ["post.deleted"]
