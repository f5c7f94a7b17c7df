"""Python values to DynamoDB attribute values and back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None and v != set() and v != frozenset()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset):
        return set(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return iso(value)
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Serialize a dict; None values and empty sets (which DynamoDB cannot store) are left out."""
    return {k: _serializer.serialize(v) for k, v in _plain(values).items()}


def value(v: Any) -> Any:
    return _serializer.serialize(_plain(v))


def _python(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _python(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_python(x) for x in v]
    if isinstance(v, set):
        return {_python(x) for x in v}
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _python(_deserializer.deserialize(v)) for k, v in item.items()}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def set_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """UpdateItem arguments that SET every field with a value and REMOVE every field that is None
    (``to_item`` leaves None out, so a PutItem-style dump cannot clear a field)."""
    present = {k: v for k, v in fields.items() if v is not None}
    absent = [k for k, v in fields.items() if v is None]
    expression = "SET " + ", ".join(f"#{k} = :{k}" for k in present)
    if absent:
        expression += " REMOVE " + ", ".join(f"#{k}" for k in absent)
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": {f"#{k}": k for k in fields},
        "ExpressionAttributeValues": {f":{k}": v for k, v in to_item(present).items()},
    }
