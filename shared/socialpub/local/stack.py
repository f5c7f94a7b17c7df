"""`make dev`: the whole stack on loopback, in one process.

moto (server mode) plays AWS with the resources of template.yaml; every router is served by one
uvicorn server; the queue workers call the real Lambda handlers; an admin user and an enterprise API
key are bootstrapped and written to .socialpub/local.json. The data is kept in .socialpub/state/
(socialpub/local/snapshot.py): a consistent snapshot every few seconds and on every clean stop.
Ctrl-C (or SIGTERM) finishes the work under way, saves the data and stops.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import boto3

from socialpub.local.template import REGION, ROOT, LocalResolver, Template

HOME = Path(os.environ.get("SOCIALPUB_HOME", ROOT / ".socialpub"))
ADMIN_EMAIL = "admin@socialpub.local"
# What only the local stack sets: webhook receivers may be on this machine's loopback, over http
# too; every other private address and the cloud metadata addresses stay refused (docs/webhooks.md).
LOCAL_ONLY_SETTINGS = {
    "ALLOW_LOOPBACK_TARGETS": "true",
    # A post published locally shows figures within seconds, and moves within minutes (deployed:
    # an hour, six hours, a day... after publishing; accounts daily).
    "ANALYTICS_CADENCE_SECONDS": "60,300,900,3600,21600",
    "ANALYTICS_ACCOUNT_SECONDS": "300",
}
ANALYTICS_PERIOD_SECONDS = 10  # the collector runs this often locally (deployed: every ten minutes)


def local_environment(template: Template, resolver: LocalResolver) -> dict[str, str]:
    """The union of every function's environment, resolved to local names (the local server runs
    all routers, so it needs all of it)."""
    env: dict[str, str] = {}
    for logical_id, _ in template.of_type("AWS::Serverless::Function"):
        env.update(resolver.environment(logical_id))
    return env


def _bootstrap(home: Path, api_url: str) -> dict[str, str]:
    """Reuse the credentials of local.json while they still work; otherwise create new ones."""
    from socialpub import config
    from socialpub.adapters.aws import client
    from socialpub.adapters.dynamodb.api_keys import DynamoApiKeyRepository
    from socialpub.adapters.dynamodb.users import DynamoAdminUserRepository
    from socialpub.domain.errors import DamagedItem, Unauthenticated
    from socialpub.domain.services.auth import authenticate
    from socialpub.domain.services.keys import create_api_key
    from socialpub.domain.services.users import create_admin_user
    from socialpub.domain.tiers import Tier
    from socialpub.domain.users import Role, verify_password

    def now() -> datetime:
        return datetime.now(UTC)

    keys = DynamoApiKeyRepository(client("dynamodb"), config.load(config.AuthSettings).api_keys_table)
    users = DynamoAdminUserRepository(client("dynamodb"), config.load(config.AdminSettings).users_table)
    path = home / "local.json"
    previous: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    api_key = previous.get("api_key", "")
    try:
        authenticate(api_key, keys, now())
    except Unauthenticated:
        _, api_key = create_api_key(name="local enterprise key", tier=Tier.ENTERPRISE, repo=keys, clock=now)

    email, password = previous.get("admin_email", ADMIN_EMAIL), previous.get("admin_password", "")
    try:
        admin = users.get_by_email(email)
        taken, usable = admin is not None, admin is not None and verify_password(password, admin.password_hash)
    except DamagedItem:  # logged where it was read; the stack starts with a new admin beside it
        taken, usable = True, False
    if not usable:
        email = f"admin+{secrets.token_hex(3)}@socialpub.local" if taken else ADMIN_EMAIL
        password = secrets.token_urlsafe(18)
        create_admin_user(email=email, name="Local Admin", password=password, role=Role.ADMIN, repo=users, clock=now)
    return {"api_url": api_url, "admin_email": email, "admin_password": password, "api_key": api_key}


# Function settings a developer may set in the environment of `make dev` to override the template's
# (crash tests shorten the lease; the defaults stay production's).
TUNABLE_SETTINGS = (
    "PUBLISH_LEASE_SECONDS",
    "STALLED_AFTER_SECONDS",
    "SWEEP_GRACE_SECONDS",
    "PUBLISH_WAIT_SECONDS",
    "PUBLISH_WAIT_FIRST_SECONDS",
    "PUBLISH_WAIT_READS",
    "ANALYTICS_CADENCE_SECONDS",
    "ANALYTICS_ACCOUNT_SECONDS",
)
# Work under way (a publish) may take this long to finish on a clean stop before the data is saved.
STOP_BUDGET_SECONDS = 30.0


def main() -> None:
    try:
        run()
    except KeyboardInterrupt:
        # Ctrl-C before the stack was up: nothing had changed yet, so nothing is saved (no traceback).
        print("socialpub local stack interrupted while starting; nothing saved.", flush=True)
        sys.exit(130)


def run() -> None:
    port = int(os.environ.get("PORT", "8000"))
    moto_port = int(os.environ.get("MOTO_PORT", "4566"))
    emulator_port = int(os.environ.get("EMULATOR_PORT", "4567"))
    snapshot_seconds = float(os.environ.get("SOCIALPUB_SNAPSHOT_SECONDS", "5"))
    sweep_seconds = os.environ.get("SOCIALPUB_SWEEP_SECONDS")
    endpoint = f"http://127.0.0.1:{moto_port}"
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    tuned = {name: os.environ[name] for name in TUNABLE_SETTINGS if name in os.environ}
    os.environ.update(
        # Every network is reached through the platform emulator (socialpub/local/emulator/).
        PLATFORM_EMULATOR_URL=emulator_url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=endpoint,
        POWERTOOLS_METRICS_NAMESPACE="socialpub",
        POWERTOOLS_DEV="false",
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log

    from socialpub.local.moto_fidelity import make_dynamodb_writes_atomic
    from socialpub.local.snapshot import Gate, MotoServer, Snapshots

    make_dynamodb_writes_atomic()
    gate = Gate()  # paused while a snapshot is taken, so that it shows one moment
    # Presigned URLs are refused as S3 refuses them (a wrong signature, an expired URL): moto does not.
    moto = MotoServer(
        gate, "127.0.0.1", moto_port, {os.environ["AWS_ACCESS_KEY_ID"]: os.environ["AWS_SECRET_ACCESS_KEY"]}
    )
    moto.start()

    import uvicorn

    from socialpub.local.app import create_local_app
    from socialpub.local.emulator import EmulatorState, create_emulator
    from socialpub.local.resources import create_resources, fill_integration_defaults
    from socialpub.local.scheduler import LocalScheduler
    from socialpub.local.workers import queue_bindings, run_every, run_schedules, run_workers, scheduled_functions
    from socialpub.observability import logger
    from socialpub.workers.event_relay import relay as relay_events

    template = Template.load()
    resolver = LocalResolver(template, endpoint)
    session = boto3.session.Session()
    create_resources(template, resolver, session)
    # The networks' tokens outlive a restart too, or every stored refresh token would be refused.
    networks = EmulatorState()
    snapshots = Snapshots(template, session, HOME / "state", gate, networks)
    restored = snapshots.load()
    fill_integration_defaults(resolver, session)
    os.environ.update(local_environment(template, resolver))
    os.environ.update(LOCAL_ONLY_SETTINGS)
    os.environ.update(tuned)

    api_url = f"http://127.0.0.1:{port}"
    credentials = _bootstrap(HOME, api_url)
    HOME.mkdir(parents=True, exist_ok=True)
    # aws_endpoint_url lets the `socialpub` CLI reach the same moto server.
    (HOME / "local.json").write_text(
        json.dumps({**credentials, "aws_endpoint_url": endpoint, "emulator_url": emulator_url}, indent=2) + "\n"
    )
    os.chmod(HOME / "local.json", 0o600)

    stop = threading.Event()
    scheduled = scheduled_functions(template)
    periods = {
        "AnalyticsCollectorFunction": int(os.environ.get("SOCIALPUB_ANALYTICS_SECONDS", ANALYTICS_PERIOD_SECONDS))
    }
    if sweep_seconds:
        periods["ScheduleSweeperFunction"] = int(sweep_seconds)
    scheduled = [replace(f, period_seconds=periods[f.function]) if f.function in periods else f for f in scheduled]
    threads = [
        *run_workers(queue_bindings(template, resolver), session.client("sqs"), stop),
        *run_schedules(scheduled, stop),
        LocalScheduler(session.client("scheduler"), session.client("sqs")).run(stop),
        run_every(relay_events, 1.0, stop, "EventRelay"),  # deployed: every minute; locally, at once
        run_every(snapshots.save, snapshot_seconds, stop, "Snapshot"),
    ]

    emulator = uvicorn.Server(
        uvicorn.Config(create_emulator(networks), host="127.0.0.1", port=emulator_port, log_level="warning")
    )
    server = uvicorn.Server(uvicorn.Config(create_local_app(), host="127.0.0.1", port=port, log_level="warning"))
    # Both servers run in threads (uvicorn then leaves the signals alone): Ctrl-C and SIGTERM only
    # ask the main thread to stop, which stops everything in order and saves.
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    servers = [
        threading.Thread(target=emulator.run, daemon=True, name="emulator"),
        threading.Thread(target=server.run, daemon=True, name="api"),
    ]
    for thread in servers:
        thread.start()

    print(
        f"socialpub local stack: {api_url}  (AWS on {endpoint}; networks on {emulator_url}; {restored} items restored)"
    )
    print(json.dumps(credentials, indent=2))
    print(f"Credentials saved to {HOME / 'local.json'}. Ctrl-C stops.", flush=True)

    while not stopping.wait(0.5):
        if not all(t.is_alive() for t in servers):  # a server could not start (its port is taken)
            print("socialpub local stack: a server stopped; stopping.", flush=True)
            break

    # No new requests; the work under way finishes (the networks still answer it); then one last
    # snapshot, and the networks and AWS go last.
    server.should_exit = True
    servers[1].join(STOP_BUDGET_SECONDS)
    stop.set()
    deadline = time.monotonic() + STOP_BUDGET_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    try:
        snapshots.save()
        outcome = "data saved"
    except Exception:
        logger.exception("The local state could not be saved")
        outcome = "the data could NOT be saved (see the error above)"
    emulator.should_exit = True
    servers[0].join(STOP_BUDGET_SECONDS)
    moto.stop()
    print(f"socialpub local stack stopped; {outcome}.", flush=True)
    if outcome != "data saved":
        sys.exit(1)


if __name__ == "__main__":
    main()
