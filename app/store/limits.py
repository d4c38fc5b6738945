"""What fits a column on every back end, checked before anything is written.

SQLite keeps whatever it is given; PostgreSQL refuses text longer than its column, the
NUL character (in text and in jsonb) and whole numbers beyond 32 bits. The store
checks these itself, on both back ends, so a value is refused with the record and the
field named, the same way on a laptop and on the team's server, and an engagement
that fits one store fits the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, Column, Integer, String, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.store.errors import InvalidInput

INT_LIMIT = 2**31 - 1
_NUL = "\x00"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def value_problem(column: Column[Any], value: Any) -> str | None:
    """Why `value` cannot go into `column` on every back end, or None when it fits."""
    kind = column.type
    if isinstance(value, str) and isinstance(kind, String):  # Text is a String too
        if kind.length is not None and len(value) > kind.length:
            return f"is {len(value)} characters long; at most {kind.length} fit"
        if _NUL in value:
            return "contains a NUL character (code 0), which PostgreSQL cannot store"
    elif isinstance(kind, JSON) and _has_nul(value):
        return "contains a NUL character (code 0), which PostgreSQL cannot store"
    elif _is_whole_number(kind, value) and not -INT_LIMIT <= value <= INT_LIMIT:
        return f"is {value}, beyond the largest whole number the store keeps ({INT_LIMIT})"
    return None


def _is_whole_number(kind: Any, value: Any) -> bool:
    return isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool)


def _checked_columns(model: type[Any]) -> list[Column[Any]]:
    return [
        column
        for column in inspect(model).columns
        if not column.primary_key and not column.foreign_keys
    ]


def check_values(model: type[Any], values: Mapping[str, Any], what: str) -> None:
    """Raise `InvalidInput` naming `what` and the field when a value would not fit."""
    for column in _checked_columns(model):
        if column.key in values:
            problem = value_problem(column, values[column.key])
            if problem is not None:
                raise InvalidInput(
                    f"Cannot save {what}: its field '{column.key}' {problem}. Nothing was saved."
                )


def check_before_flush(session: Session, context: UOWTransaction, instances: Any) -> None:
    """Session hook: new rows and changed fields of ORM objects must fit (see module)."""
    new = set(session.new)
    for obj in (*new, *session.dirty):
        state = inspect(obj)
        label = f"the {type(obj).__name__} record"
        changed: dict[str, Any] = {}
        for column in _checked_columns(type(obj)):
            if column.key not in state.dict:
                continue
            if obj in new or state.attrs[column.key].history.added:
                changed[column.key] = state.dict[column.key]
        check_values(type(obj), changed, label)
