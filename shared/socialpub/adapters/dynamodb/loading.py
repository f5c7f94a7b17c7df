"""Stored items into domain models, without letting one damaged item take down the reads around it.

An item that no longer matches its model (written by an older version, or edited by hand) is logged
as a warning with its key and the fields at fault (never their values: they may be secrets). Read
alone it is ``DamagedItem`` (409, naming it); in a list it is left out, so the others keep serving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from socialpub.domain.errors import DamagedItem
from socialpub.observability import logger

M = TypeVar("M", bound=BaseModel)
Build = Callable[[dict[str, Any]], M]


def load(build: type[M] | Build[M], record: dict[str, Any], kind: str) -> M:
    """``build`` (a model, or a function making one) of a stored record, or DamagedItem."""
    try:
        return cast("type[M]", build).model_validate(record) if isinstance(build, type) else build(record)
    except ValidationError as exc:
        fields = list(dict.fromkeys(".".join(str(p) for p in e["loc"]) for e in exc.errors(include_input=False)))
        raise _damaged(kind, record, fields) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A builder that reads fields one by one finds a missing or mistyped field this way.
        fields = [str(exc.args[0])] if isinstance(exc, KeyError) and exc.args else []
        raise _damaged(kind, record, fields) from exc


def load_all(build: type[M] | Build[M], records: Iterable[dict[str, Any]], kind: str) -> list[M]:
    """The records that are readable, in order; the damaged ones are logged and left out."""
    found: list[M] = []
    for record in records:
        try:
            found.append(load(build, record, kind))
        except DamagedItem:
            continue
    return found


def _damaged(kind: str, record: dict[str, Any], fields: list[str]) -> DamagedItem:
    key = {name: str(record[name]) for name in ("pk", "sk") if name in record}
    item_id = record.get("id")
    logger.warning(
        "Damaged item left unread",
        extra={"kind": kind, "key": key, "item_id": str(item_id) if item_id else None, "fields": fields},
    )
    return DamagedItem(kind, str(item_id) if isinstance(item_id, str) else None, fields)
