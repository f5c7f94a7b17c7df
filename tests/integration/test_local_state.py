"""The local stack's state across restarts (socialpub/local/snapshot.py): one snapshot of moto and
the platform emulator at one moment, written atomically, loaded back by the next start."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from socialpub.adapters.admin_tokens import SecretsManagerJwtSigner
from socialpub.local.emulator import EmulatedPost, EmulatorState
from socialpub.local.resources import create_resources
from socialpub.local.snapshot import SNAPSHOT, Gate, Snapshots
from socialpub.local.template import LocalResolver, Template, physical_name
from tests.conftest import MOCK_ENDPOINT

TABLE = physical_name("WorkspacesTable", "AWS::DynamoDB::Table")
BUCKET = physical_name("MediaBucket", "AWS::S3::Bucket")
QUEUE = physical_name("PublishQueue", "AWS::SQS::Queue")
CLAIMS = {"sub": "user_1", "sid": "session_1", "iat": 1, "exp": 2}


class Run:
    """One run of the local stack's AWS (a fresh moto) with its emulator, over the same state folder."""

    def __init__(self, template: Template, folder: Path) -> None:
        self.session = boto3.session.Session(region_name="us-east-1")
        create_resources(template, LocalResolver(template, MOCK_ENDPOINT), self.session, usage_plans=False)
        self.networks = EmulatorState()
        self.snapshots = Snapshots(template, self.session, folder, Gate(), self.networks)

    def client(self, service: str) -> Any:
        return self.session.client(service)

    def queue_url(self) -> str:
        url: str = self.client("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]
        return url


@contextmanager
def started(template: Template, folder: Path) -> Iterator[Run]:
    """One start of the stack: a fresh moto, the same state folder."""
    with mock_aws():
        yield Run(template, folder)


def test_local_state__a_restart_brings_back_everything_of_the_last_snapshot(template: Template, tmp_path: Path) -> None:
    # Given a run with an item, a message in flight (a worker was running it), an object, a post on
    # an emulated network, and an admin token signed with the generated JWT key
    with started(template, tmp_path) as first:
        item = {"pk": {"S": "WS#ws_1"}, "sk": {"S": "POST#p_1"}, "content": {"S": "hello"}, "raw": {"B": b"\x00\xff"}}
        first.client("dynamodb").put_item(TableName=TABLE, Item=item)
        schedule = {
            "Name": "p_1",
            "GroupName": "PostSchedules",
            "ScheduleExpression": "at(2030-01-01T09:00:00)",
            "ScheduleExpressionTimezone": "Europe/Paris",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": "arn:aws:sqs:us-east-1:123456789012:PublishQueue",
                "RoleArn": "arn:aws:iam::123456789012:role/r",
                "Input": "{}",
            },
            "ActionAfterCompletion": "DELETE",
        }
        first.client("scheduler").create_schedule(**schedule)
        sqs = first.client("sqs")
        sqs.send_message(QueueUrl=first.queue_url(), MessageBody='{"post_id": "p_1"}')
        assert len(sqs.receive_message(QueueUrl=first.queue_url()).get("Messages", [])) == 1  # in flight now
        first.client("s3").put_object(Bucket=BUCKET, Key="ws_1/photo.jpg", Body=b"jpeg", ContentType="image/jpeg")
        first.networks.add_post(EmulatedPost(network="twitter", account="42", id="9", text="hi", url="u"))
        token = SecretsManagerJwtSigner(first.client("secretsmanager"), "AdminJwtSecret").sign(CLAIMS)
        # When it saves (as every few seconds, and on a clean stop) and the next start loads it
        first.snapshots.save()
    with started(template, tmp_path) as second:
        restored = second.snapshots.load()

        # Then everything is back as it was at that moment
        assert restored == 1
        got = second.client("dynamodb").get_item(TableName=TABLE, Key={"pk": item["pk"], "sk": item["sk"]})
        assert got["Item"] == item
        kept = second.client("scheduler").get_schedule(Name="p_1", GroupName="PostSchedules")
        assert {k: kept[k] for k in schedule if k != "Target"} == {k: v for k, v in schedule.items() if k != "Target"}
        assert kept["Target"]["Input"] == "{}"
        # the message that was in flight is delivered again
        (message,) = second.client("sqs").receive_message(QueueUrl=second.queue_url())["Messages"]
        assert message["Body"] == '{"post_id": "p_1"}'
        obj = second.client("s3").get_object(Bucket=BUCKET, Key="ws_1/photo.jpg")
        assert (obj["Body"].read(), obj["ContentType"]) == (b"jpeg", "image/jpeg")
        assert [p.id for p in second.networks.posts_of("twitter")] == ["9"]
        # and an admin token issued before the restart still verifies
        signer = SecretsManagerJwtSigner(second.client("secretsmanager"), "AdminJwtSecret")
        assert signer.verify(token)["sub"] == "user_1"
    # And the snapshot is one file, readable by its owner only (it holds keys and tokens)
    assert (tmp_path / SNAPSHOT).stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["objects", SNAPSHOT]


def test_local_state__a_write_cut_short_by_a_kill_leaves_the_last_snapshot_whole(
    template: Template, tmp_path: Path
) -> None:
    # Given a saved snapshot, and the temporary file of a later save that a kill -9 interrupted
    with started(template, tmp_path) as first:
        item = {"pk": {"S": "WS#ws_1"}, "sk": {"S": "META"}}
        first.client("dynamodb").put_item(TableName=TABLE, Item=item)
        first.snapshots.save()
    (tmp_path / f"{SNAPSHOT}.999.tmp").write_text('{"tables": {"trunc')

    # When the next start loads
    with started(template, tmp_path) as second:
        # Then it finds the last whole snapshot, and the torn file is gone
        assert second.snapshots.load() == 1
    assert not list(tmp_path.glob("*.tmp"))


def test_local_state__the_earlier_layout_is_loaded_then_replaced(template: Template, tmp_path: Path) -> None:
    # Given a state folder saved by an earlier version (one file per service, objects as files)
    item = {"pk": {"S": "WS#ws_1"}, "sk": {"S": "META"}}
    (tmp_path / "dynamodb.json").write_text(json.dumps({TABLE: [item]}))
    (tmp_path / "emulator.json").write_text(json.dumps({"families": [], "apps": {"a": "b"}, "posts": []}))
    (tmp_path / "s3" / BUCKET / "ws_1").mkdir(parents=True)
    (tmp_path / "s3" / BUCKET / "ws_1" / "clip.mp4").write_bytes(b"mp4")

    # When the stack starts and then saves
    with started(template, tmp_path) as r:
        assert r.snapshots.load() == 1
        # Then its data is there
        assert r.client("dynamodb").get_item(TableName=TABLE, Key=item)["Item"] == item
        assert r.client("s3").get_object(Bucket=BUCKET, Key="ws_1/clip.mp4")["Body"].read() == b"mp4"
        assert r.networks.apps == {"a": "b"}
        r.snapshots.save()
    # And it is kept in the new layout only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["objects", SNAPSHOT]


def test_gate__a_snapshot_waits_for_requests_under_way_and_new_ones_wait_for_it() -> None:
    gate = Gate()
    seen: list[str] = []
    first_in, request_may_end = threading.Event(), threading.Event()
    snapshot_began, snapshot_may_end = threading.Event(), threading.Event()

    def request(name: str, hold: threading.Event | None = None) -> None:
        with gate.passage():
            seen.append(f"{name} in")
            first_in.set()
            if hold is not None:
                hold.wait(60)
            seen.append(f"{name} out")

    def snapshot() -> None:
        with gate.closed():
            snapshot_began.set()
            seen.append("snapshot")
            snapshot_may_end.wait(60)

    # Given a request under way
    first = threading.Thread(target=request, args=("first", request_may_end))
    first.start()
    assert first_in.wait(60)
    # When a snapshot is asked for, it waits for that request to end
    taker = threading.Thread(target=snapshot)
    taker.start()
    taker.join(0.2)  # (time for it to pass, were it not waiting)
    assert "snapshot" not in seen
    request_may_end.set()
    assert snapshot_began.wait(60)
    # And a request that comes while the snapshot is taken waits for it
    second = threading.Thread(target=request, args=("second",))
    second.start()
    second.join(0.2)
    assert "second in" not in seen
    snapshot_may_end.set()
    for thread in (first, taker, second):
        thread.join(60)
    assert seen == ["first in", "first out", "snapshot", "second in", "second out"]
