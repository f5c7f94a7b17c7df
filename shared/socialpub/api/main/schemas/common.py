"""Bases of the request bodies of the main API (/api) and the admin plane (/admin).

A field a body does not define is refused (422, naming it) rather than ignored: a misspelt or
misplaced field (``status`` on a post, ``board_id`` beside ``settings``) would otherwise be a change
the client believes was made. Pizzly's routes follow Pizzly's server and stay lenient
(api/pizzly/schemas.py).
"""

from __future__ import annotations

from types import UnionType
from typing import Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_scalar_types(cls, value: Any, info: ValidationInfo) -> Any:
        """JSON has booleans and numbers of their own, so ``0`` is not ``false``, ``false`` is not
        ``0`` and ``"5"`` is not ``5``: pydantic's lax mode would convert them silently, storing what
        the client did not mean. Strings, dates and enums keep pydantic's own rules."""
        if value is None or info.field_name is None:
            return value
        kinds = _scalar_kinds(cls.model_fields[info.field_name].annotation)
        if kinds == {bool} and not isinstance(value, bool):
            raise PydanticCustomError("bool_type", "Input should be a JSON boolean (true or false)")
        if kinds and kinds <= {int, float} and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise PydanticCustomError("number_type", "Input should be a JSON number")
        return value


def _scalar_kinds(annotation: Any) -> set[type]:
    """The scalar types a field takes (``int | None`` -> {int}); empty unless it takes only
    booleans and numbers."""
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    kinds = {a for a in args if a is not type(None)}
    return kinds if kinds and kinds <= {bool, int, float} else set()


def _not_nullable_in_schema(schema: dict[str, Any], cls: type[Any]) -> None:
    """The schema says what is accepted: ``null`` only for the fields that may be cleared."""
    nullable: frozenset[str] = getattr(cls, "NULLABLE", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable:
            continue
        variants = prop.get("anyOf")
        if variants and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            del prop["anyOf"]
            prop.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
        if prop.get("default", ...) is None:
            del prop["default"]


class PartialUpdate(RequestBody):
    """A partial update (PUT): a field left out stays as it is. ``null`` clears a field only where the
    item may lack it (``NULLABLE``); anywhere else it is refused, naming the field, instead of being
    stored into a field that must have a value."""

    model_config = ConfigDict(json_schema_extra=_not_nullable_in_schema)

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise PydanticCustomError("null_not_allowed", "must not be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields sent, as plain values."""
        return self.model_dump(exclude_unset=True)
