"""What fits a column on every back end, checked before anything is written.

SQLite keeps whatever it is given; PostgreSQL refuses text longer than its column, the
NUL character (in text and in jsonb) and whole numbers beyond 32 bits. The store
checks these itself, on both back ends, so a value is refused with the record and the
field named, the same way on a laptop and on the team's server, and an engagement
that fits one store fits the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
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


NUL_PROBLEM = "contains a NUL character (code 0), which PostgreSQL cannot store"
Check = Callable[[Any], str | None]


def _text_check(length: int | None) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        if length is not None and len(value) > length:
            return f"is {len(value)} characters long; at most {length} fit"
        return NUL_PROBLEM if _NUL in value else None

    return check


def _json_check(value: Any) -> str | None:
    return NUL_PROBLEM if _has_nul(value) else None


def _number_check(value: Any) -> str | None:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if whole and not -INT_LIMIT <= value <= INT_LIMIT:
        return f"is {value}, beyond the largest whole number the store keeps ({INT_LIMIT})"
    return None


def _check_for(column: Column[Any]) -> Check | None:
    kind = column.type
    if isinstance(kind, String):  # Text is a String too
        return _text_check(kind.length)
    if isinstance(kind, JSON):
        return _json_check
    if isinstance(kind, Integer):
        return _number_check
    return None


def value_problem(column: Column[Any], value: Any) -> str | None:
    """Why `value` cannot go into `column` on every back end, or None when it fits."""
    check = _check_for(column)
    return None if check is None or value is None else check(value)


@cache
def _checks(model: type) -> tuple[tuple[str, Check], ...]:
    """The checks of the model's own columns (keys are local: not checked)."""
    found: list[tuple[str, Check]] = []
    column: Column[Any]
    for column in inspect(model).columns:
        check = _check_for(column)
        if check is not None and not column.primary_key and not column.foreign_keys:
            found.append((column.key, check))
    return tuple(found)


def check_values(model: type, values: Mapping[str, Any], what: str) -> None:
    """Raise `InvalidInput` naming `what` and the field when a value would not fit."""
    for key, check in _checks(model):
        value = values.get(key)
        problem = None if value is None else check(value)
        if problem is not None:
            raise InvalidInput(
                f"Cannot save {what}: its field '{key}' {problem}. Nothing was saved."
            )


def check_before_flush(session: Session, context: UOWTransaction, instances: Any) -> None:
    """Session hook: new rows and changed fields of ORM objects must fit (see module)."""
    new = set(session.new)
    for obj in (*new, *session.dirty):
        state = inspect(obj)
        model: type = type(obj)
        label = f"the {model.__name__} record"
        changed: dict[str, Any] = {}
        for key, _check in _checks(model):
            if key in state.dict and (obj in new or state.attrs[key].history.added):
                changed[key] = state.dict[key]
        check_values(model, changed, label)
