"""Rows to JSON and back for engagement files, driven by the models' own columns.

Every mapped column travels except database-local ones (ids, foreign keys, the scan
runner) and attachment content (a separate file in the archive). Reading checks
each value against its column (type, nullability, and what fits every back end:
length, no NUL, 32-bit numbers) so an odd file fails with the record and field named,
before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import JSON, Boolean, Column, Date, Integer, String, inspect

from app.store.errors import TransferError
from app.store.limits import value_problem
from app.store.models import Base, UtcDateTime
from app.store.models.base import ScanStateColumn
from app.store.scan_state import ScanState

LOCAL_COLUMNS = frozenset({"id", "engagement_id", "scan_id", "runner", "content"})

ModelT = TypeVar("ModelT", bound=Base)


@cache
def _columns(model: type[Base]) -> tuple[Column[Any], ...]:
    return tuple(c for c in inspect(model).columns if c.key not in LOCAL_COLUMNS)


def _value_to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def dump_row(row: Base) -> dict[str, Any]:
    """The row's portable fields as JSON-safe values (datetimes in ISO, UTC)."""
    return {c.key: _value_to_json(getattr(row, c.key)) for c in _columns(type(row))}


def dump_mapping(model: type[Base], values: Mapping[Any, Any]) -> dict[str, Any]:
    """Like `dump_row` for a Core result row's mapping (no ORM objects: much faster)."""
    return {c.key: _value_to_json(values[c.key]) for c in _columns(model)}


def _bad(where: str, key: str, problem: str) -> TransferError:
    return TransferError(f"The engagement file is not valid: {where}, field '{key}' {problem}.")


def _json_kind(model: type[Base], key: str) -> type:
    # Annotations are strings here (postponed evaluation): 'Mapped[list[Any]]'.
    annotation = str(model.__annotations__.get(key, ""))
    return list if "list[" in annotation else dict


def _parse_datetime(raw: Any, where: str, key: str) -> datetime:
    if not isinstance(raw, str):
        raise _bad(where, key, "should be a date and time")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(where, key, f"is not a date and time ('{raw[:40]}')") from None
    if moment.tzinfo is None:
        raise _bad(where, key, "has no time zone")
    return moment.astimezone(UTC)


def _parse_value(model: type[Base], column: Column[Any], raw: Any, where: str) -> Any:
    value = _typed_value(model, column, raw, where)
    # What SQLite would take but PostgreSQL would not (too long, NUL, > 32 bits) is
    # refused here too, so a file imports the same into either store.
    problem = value_problem(column, value)
    if problem is not None:
        raise _bad(where, column.key, problem)
    return value


def _typed_value(model: type[Base], column: Column[Any], raw: Any, where: str) -> Any:
    key = column.key
    if raw is None:
        if not column.nullable:
            raise _bad(where, key, "is empty")
        return None
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return _parse_datetime(raw, where, key)
    if isinstance(kind, Date):
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise _bad(where, key, "is not a date (YYYY-MM-DD)")
    if isinstance(kind, ScanStateColumn):
        try:
            return ScanState(raw)
        except ValueError:
            raise _bad(where, key, f"is the unknown state '{str(raw)[:40]}'") from None
    if isinstance(kind, JSON):
        expected = _json_kind(model, key)
        if not isinstance(raw, expected):
            raise _bad(where, key, f"should be a JSON {expected.__name__}")
        return raw
    if isinstance(kind, Boolean):
        if not isinstance(raw, bool):
            raise _bad(where, key, "should be true or false")
        return raw
    if isinstance(kind, Integer):
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise _bad(where, key, "should be a whole number")
        return raw
    if isinstance(kind, String):  # Text is a String too
        if not isinstance(raw, str):
            raise _bad(where, key, "should be text")
        return raw
    raise _bad(where, key, "has a type this version cannot read")


def load_values(model: type[Base], data: Any, where: str) -> dict[str, Any]:
    """`data`'s portable fields for `model`, checked field by field."""
    if not isinstance(data, Mapping):
        raise TransferError(f"The engagement file is not valid: {where} should be an object.")
    values: dict[str, Any] = {}
    for column in _columns(model):
        if column.key not in data:
            raise _bad(where, column.key, "is missing")
        values[column.key] = _parse_value(model, column, data[column.key], where)
    return values


def load_row(model: type[ModelT], data: Any, where: str, **local: Any) -> ModelT:
    """A new (transient) `model` from `data`; `local` adds database-local columns."""
    return model(**(load_values(model, data, where) | local))
