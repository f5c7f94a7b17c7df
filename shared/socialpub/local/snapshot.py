"""Keeps local data across restarts: moto holds state in memory, so the stack saves every table,
bucket, KMS key and post schedule to .socialpub/state/ (periodically and on exit) and loads it back
on start. (Queued messages are not kept: the schedule sweeper re-queues targets left pending.)"""

from __future__ import annotations

import base64
import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from socialpub.local.moto_fidelity import kms_key_state, restore_kms_key
from socialpub.local.template import Template, physical_name


def save(template: Template, session: Any, folder: Path) -> None:
    ddb, s3 = session.client("dynamodb"), session.client("s3")
    tables: dict[str, list[dict[str, Any]]] = {}
    for logical_id, _ in template.of_type("AWS::DynamoDB::Table"):
        name = physical_name(logical_id, "AWS::DynamoDB::Table")
        items: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(TableName=name):
            items.extend(page.get("Items", []))
        tables[name] = items
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / "dynamodb.json", json.dumps(tables).encode())
    keys = {}
    for logical_id, _ in template.of_type("AWS::KMS::Key"):
        alias = physical_name(logical_id, "AWS::KMS::Key")
        key_id, material = kms_key_state(session.client("kms").describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])
        keys[alias] = {"key_id": key_id, "material": base64.b64encode(material).decode()}
    _atomic_write(folder / "kms.json", json.dumps(keys).encode())
    os.chmod(folder / "kms.json", 0o600)
    _atomic_write(folder / "schedules.json", json.dumps(_schedules(session.client("scheduler"))).encode())
    for logical_id, _ in template.of_type("AWS::S3::Bucket"):
        bucket = physical_name(logical_id, "AWS::S3::Bucket")
        root = folder / "s3" / bucket
        keep: set[Path] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                target = root / obj["Key"]
                keep.add(target)
                if target.exists() and target.stat().st_size == obj["Size"]:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(target, s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
        if root.exists():
            for path in root.rglob("*"):
                if path.is_file() and path not in keep:
                    path.unlink()


def load(template: Template, session: Any, folder: Path) -> int:
    """Restore saved items and objects; returns how many items were loaded."""
    ddb, s3 = session.client("dynamodb"), session.client("s3")
    count = 0
    dump = folder / "dynamodb.json"
    if dump.exists():
        for table, items in json.loads(dump.read_text()).items():
            for start in range(0, len(items), 25):
                request = {table: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]}
                while request:
                    request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            count += len(items)
    saved_keys = folder / "kms.json"
    if saved_keys.exists():
        kms = session.client("kms")
        for alias, saved in json.loads(saved_keys.read_text()).items():
            current = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
            if current != saved["key_id"]:
                restore_kms_key(current, saved["key_id"], base64.b64decode(saved["material"]))
                kms.update_alias(AliasName=alias, TargetKeyId=saved["key_id"])
    saved_schedules = folder / "schedules.json"
    if saved_schedules.exists():
        scheduler = session.client("scheduler")
        for schedule in json.loads(saved_schedules.read_text()):
            with suppress(scheduler.exceptions.ConflictException):
                scheduler.create_schedule(**schedule)
    for logical_id, _ in template.of_type("AWS::S3::Bucket"):
        bucket = physical_name(logical_id, "AWS::S3::Bucket")
        root = folder / "s3" / bucket
        if root.exists():
            for path in root.rglob("*"):
                if path.is_file():
                    s3.put_object(Bucket=bucket, Key=str(path.relative_to(root)), Body=path.read_bytes())
    return count


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


def _schedules(scheduler: Any) -> list[dict[str, Any]]:
    found = []
    for page in scheduler.get_paginator("list_schedules").paginate():
        for summary in page.get("Schedules", []):
            detail = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
            found.append({k: detail[k] for k in _SCHEDULE_FIELDS if k in detail})
    return found


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
