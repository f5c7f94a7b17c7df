"""Keeps the local stack's data across restarts, as it stood at one moment.

moto and the platform emulator hold everything in memory. Every few seconds (5, or
``SOCIALPUB_SNAPSHOT_SECONDS``) and on every clean stop (Ctrl-C, SIGTERM) the stack takes one
snapshot of all of it: every table, bucket, KMS key, secret (the admin tokens' signing key among
them), post schedule and queued message (visible or in flight), and what the emulated networks hold.

It is taken while moto serves no other request (the ``Gate``: requests under way finish, new ones
wait; only receives pass, as they change nothing a snapshot keeps), reading moto in-process so that
the pause is short; the emulator is read at one instant (under its lock) within that pause. Every
change the product makes goes through moto or the emulator, and moto does not change during the
pause, so the snapshot is the state of that instant: a post on a network never comes back without
the target that armed it, nor a target marked published without its post.

On disk: ``state/snapshot.json`` (everything but object bodies; written to a temporary file, synced,
then renamed over the last one) and ``state/objects/<etag>-<size>`` (object bodies, named by their
content, written before the snapshot that names them and removed once none does). So a kill -9
loses at most what changed since the last snapshot, and a start always finds one whole moment.
Messages that were in flight come back visible, so their work runs again (at least once, as SQS
promises); a target that a dead run held is taken over once its lease has run out.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialpub.local.moto_fidelity import kms_key_state, queued_messages, restore_kms_key, schedules, table_items
from socialpub.local.template import Template, physical_name

if TYPE_CHECKING:  # the cold-start benchmark loads snapshots without importing the product first
    from socialpub.local.emulator import EmulatorState

SNAPSHOT = "snapshot.json"
OBJECTS = "objects"
# The files of the earlier layout (one file per service, saved at different moments): read once, then removed.
LEGACY_FILES = ("dynamodb.json", "kms.json", "schedules.json", "emulator.json")
LEGACY_OBJECTS = "s3"
BYPASS_HEADER = "X-Socialpub-Snapshot"
RECEIVE = "AmazonSQS.ReceiveMessage"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Gate:
    """Every moto request passes through it; a snapshot closes it: the requests under way finish,
    new ones wait until it opens again. The snapshot's own requests carry ``token`` and go through."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(16)
        self._changed = threading.Condition()
        self._active = 0
        self._closed = False

    @contextmanager
    def passage(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    @contextmanager
    def closed(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._closed = True
            self._changed.wait_for(lambda: self._active == 0)
        try:
            yield
        finally:
            with self._changed:
                self._closed = False
                self._changed.notify_all()

    def wsgi(self, app: WsgiApp) -> WsgiApp:
        bypass = "HTTP_" + BYPASS_HEADER.upper().replace("-", "_")

        def gated(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            # A receive only moves a message in flight, and a snapshot keeps messages in flight too:
            # so receives pass, and a worker's long poll (a second) never holds a snapshot up.
            if environ.get(bypass) == self.token or environ.get("HTTP_X_AMZ_TARGET") == RECEIVE:
                return app(environ, start_response)
            with self.passage():
                # The whole answer is made inside the passage, so no request straddles a snapshot.
                result = app(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        return gated


class MotoServer:
    """moto's server, as moto.server.ThreadedMotoServer runs it, with every request through ``gate``;
    given ``credentials`` (access key id -> secret key), presigned requests are checked as S3 checks
    them (socialpub/local/presigned.py), which moto does not do."""

    def __init__(self, gate: Gate, host: str, port: int, credentials: Mapping[str, str] | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from socialpub.local.presigned import verifying

        moto: WsgiApp = DomainDispatcherApplication(create_backend_app)
        app = gate.wsgi(verifying(moto, credentials) if credentials is not None else moto)
        self._server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="moto")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


class Snapshots:
    """Saves and loads the local state in ``folder`` (see the module's docstring)."""

    def __init__(
        self, template: Template, session: Any, folder: Path, gate: Gate, networks: EmulatorState | None = None
    ) -> None:
        self._template = template
        self._folder = folder
        self._gate = gate
        self._networks = networks
        self._saving = threading.Lock()
        # Object entries of the last snapshot, by (bucket, key): an unchanged object is not read again.
        self._objects: dict[tuple[str, str], dict[str, str]] = {}

        def bypassing(request: Any, **_: Any) -> None:
            request.headers[BYPASS_HEADER] = gate.token

        self._clients: dict[str, Any] = {}
        for service in ("dynamodb", "s3", "kms", "secretsmanager", "scheduler", "sqs"):
            client = session.client(service)
            client.meta.events.register("before-send", bypassing)
            self._clients[service] = client

    # ------------------------------------------------------------------ saving

    def save(self) -> float:
        """Take a snapshot and write it; returns the moment it shows (time.time())."""
        with self._saving:
            state = self._static()
            with self._gate.closed():
                bodies = self._read(state)
                # Serialised before anything moves again: what was read may be moto's own objects.
                payload = json.dumps(state, default=_encode).encode()
            self._write(payload, state["objects"], bodies)
            return float(state["saved_at"])

    def _static(self) -> dict[str, Any]:
        """What the product never changes while it runs (KMS keys, secrets): read before the pause."""
        template, c = self._template, self._clients
        keys = {}
        for logical_id, _ in template.of_type("AWS::KMS::Key"):
            alias = physical_name(logical_id, "AWS::KMS::Key")
            key_id, material = kms_key_state(c["kms"].describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])
            keys[alias] = {"key_id": key_id, "material": base64.b64encode(material).decode()}
        # Generated secrets (the admin tokens' signing key) would be drawn anew on every start.
        secrets_ = {
            logical_id: c["secretsmanager"].get_secret_value(SecretId=logical_id)["SecretString"]
            for logical_id, _ in template.of_type("AWS::SecretsManager::Secret")
        }
        return {"version": 1, "kms": keys, "secrets": secrets_}

    def _read(self, state: dict[str, Any]) -> dict[str, bytes]:
        """Everything else into ``state``, while moto is paused; returns the new objects' bodies."""
        template, c = self._template, self._clients
        state["saved_at"] = time.time()
        state["tables"] = {
            name: table_items(name)
            for name in (physical_name(t, "AWS::DynamoDB::Table") for t, _ in template.of_type("AWS::DynamoDB::Table"))
        }
        state["schedules"] = schedules(_SCHEDULE_FIELDS)
        state["queues"] = {
            name: queued_messages(name)
            for name in (physical_name(q, "AWS::SQS::Queue") for q, _ in template.of_type("AWS::SQS::Queue"))
        }
        objects: dict[str, dict[str, dict[str, str]]] = {}
        bodies: dict[str, bytes] = {}
        for logical_id, _ in template.of_type("AWS::S3::Bucket"):
            bucket = physical_name(logical_id, "AWS::S3::Bucket")
            objects[bucket] = {}
            for page in c["s3"].get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    blob = f"{obj['ETag'].strip(chr(34))}-{obj['Size']}"
                    entry = self._objects.get((bucket, obj["Key"]))
                    if entry is None or entry["blob"] != blob:
                        got = c["s3"].get_object(Bucket=bucket, Key=obj["Key"])
                        bodies[blob] = got["Body"].read()
                        entry = {"blob": blob, "content_type": got.get("ContentType") or "binary/octet-stream"}
                    objects[bucket][obj["Key"]] = entry
        state["objects"] = objects
        if self._networks is not None:
            state["networks"] = self._networks.dump()  # under the emulator's lock, moto still paused
        return bodies

    def _write(self, payload: bytes, objects: dict[str, dict[str, dict[str, str]]], bodies: dict[str, bytes]) -> None:
        store = self._folder / OBJECTS
        store.mkdir(parents=True, exist_ok=True)
        for blob, body in bodies.items():
            if not (store / blob).exists():
                _atomic_write(store / blob, body)
        # Holds KMS key material, secrets and the networks' tokens: readable by its owner only.
        _atomic_write(self._folder / SNAPSHOT, payload, private=True)
        self._objects = {(b, k): e for b, entries in objects.items() for k, e in entries.items()}
        named = {e["blob"] for e in self._objects.values()}
        for path in store.iterdir():
            if path.name not in named:
                path.unlink(missing_ok=True)
        for name in LEGACY_FILES:
            (self._folder / name).unlink(missing_ok=True)
        shutil.rmtree(self._folder / LEGACY_OBJECTS, ignore_errors=True)

    # ------------------------------------------------------------------ loading

    def load(self) -> int:
        """Put the last snapshot back into moto and the emulator; returns how many items it held."""
        for leftover in [*self._folder.glob("*.tmp"), *self._folder.glob(f"{OBJECTS}/*.tmp")]:
            leftover.unlink(missing_ok=True)  # a write that a kill interrupted
        path = self._folder / SNAPSHOT
        state = json.loads(path.read_text(), object_hook=_decode) if path.exists() else self._legacy()
        c = self._clients
        count = 0
        for table, items in state.get("tables", {}).items():
            for start in range(0, len(items), 25):
                request = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
                while request:
                    request = c["dynamodb"].batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            count += len(items)
        for alias, saved in state.get("kms", {}).items():
            current = c["kms"].describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
            if current != saved["key_id"]:
                restore_kms_key(current, saved["key_id"], base64.b64decode(saved["material"]))
                c["kms"].update_alias(AliasName=alias, TargetKeyId=saved["key_id"])
        for secret_id, value in state.get("secrets", {}).items():
            with suppress(c["secretsmanager"].exceptions.ResourceNotFoundException):
                c["secretsmanager"].put_secret_value(SecretId=secret_id, SecretString=value)
        for schedule in state.get("schedules", []):
            with suppress(c["scheduler"].exceptions.ConflictException):
                c["scheduler"].create_schedule(**schedule)
        for bucket, key, body, content_type in self._saved_objects(state):
            c["s3"].put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        for name, bodies in state.get("queues", {}).items():
            url = c["sqs"].get_queue_url(QueueName=name)["QueueUrl"]
            for start in range(0, len(bodies), 10):
                entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
                c["sqs"].send_message_batch(QueueUrl=url, Entries=entries)
        if "networks" in state and self._networks is not None:
            self._networks.restore(state["networks"])
        self._objects = {
            (b, k): e for b, entries in state.get("objects", {}).items() for k, e in entries.items() if "blob" in e
        }
        return count

    def _saved_objects(self, state: dict[str, Any]) -> Iterator[tuple[str, str, bytes, str]]:
        for bucket, entries in state.get("objects", {}).items():
            for key, entry in entries.items():
                source = self._folder / OBJECTS / entry["blob"] if "blob" in entry else Path(entry["path"])
                if source.exists():
                    yield bucket, key, source.read_bytes(), entry.get("content_type") or "binary/octet-stream"

    def _legacy(self) -> dict[str, Any]:
        """The earlier layout, if that is what the folder holds (each file as it was last saved)."""
        folder = self._folder
        state: dict[str, Any] = {}
        for name, field in (("dynamodb.json", "tables"), ("kms.json", "kms"), ("schedules.json", "schedules")):
            if (folder / name).exists():
                state[field] = json.loads((folder / name).read_text())
        if (folder / "emulator.json").exists():
            state["networks"] = json.loads((folder / "emulator.json").read_text())
        root = folder / LEGACY_OBJECTS
        if root.exists():
            state["objects"] = {
                bucket.name: {
                    str(path.relative_to(bucket)): {"path": str(path)} for path in bucket.rglob("*") if path.is_file()
                }
                for bucket in root.iterdir()
                if bucket.is_dir()
            }
        return state


_SCHEDULE_FIELDS = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "Target",
    "State",
    "ActionAfterCompletion",
    "Description",
)


def _encode(value: Any) -> Any:
    """Binary attributes (DynamoDB ``B``) in JSON."""
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _decode(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["$bytes"]) if value.keys() == {"$bytes"} else value


def _atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """All of ``data`` at ``path`` or the file as it was: a synced temporary file, then a rename."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644), "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
