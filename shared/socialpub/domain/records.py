"""Whole-item checks: what is written must be a valid item of its model.

``model_copy(update=...)`` does not validate, so a change built with it can carry ``None`` or a wrong
value into a required field; written, such an item breaks every later read of it. The changes a
client asks for are built with ``changed``, and the repositories pass every item they write through
``checked``, so an invalid item is refused (400, naming the fields) and nothing is stored.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from socialpub.domain.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def problems(exc: ValidationError) -> list[dict[str, str]]:
    """Each failing field's path, message and type, without the value (it may be a secret)."""
    return [
        {
            "field": ".".join(str(p) for p in e["loc"]) or "item",
            "message": e["msg"].removeprefix("Value error, "),
            "type": e["type"],
        }
        for e in exc.errors(include_url=False, include_input=False)
    ]


def validated(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from ``data``, or InvalidInput naming every field at fault."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = problems(exc)
        names = ", ".join(dict.fromkeys(f["field"] for f in fields))
        raise InvalidInput(f"Invalid value for {names}; see details.fields", details={"fields": fields}) from exc


def checked(item: M) -> M:
    """The item validated again as a whole (nested models too), as it is about to be written."""
    # warnings=False: a None in a str field is what this looks for, not something to warn about.
    return validated(type(item), item.model_dump(warnings=False))


def changed(item: M, update: dict[str, Any]) -> M:
    """The item with ``update`` applied, validated as a whole (unlike ``model_copy``)."""
    return validated(type(item), {**item.model_dump(warnings=False), **update})
