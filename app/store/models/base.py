"""The declarative base every model derives from: its naming convention, the column
types that differ between SQLite and PostgreSQL, and the clock the rows are stamped with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from app.store.scan_state import ScanState

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ScanStateColumn(TypeDecorator[ScanState]):
    """`scans.state`: the column keeps the words; the model gives a `ScanState`."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: ScanState | None, dialect: Dialect) -> str | None:
        return None if value is None else ScanState(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> ScanState | None:
        return None if value is None else ScanState(value)


# JSON documents: jsonb on PostgreSQL (validated, comparable), JSON text in SQLite.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utc_now() -> datetime:
    """Now, in UTC: every timestamp column's default."""
    return datetime.now(UTC)


def next_version(previous: datetime | None) -> datetime:
    """The new `updated_at` of a versioned row: now, and always later than before."""
    now = utc_now()
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
    }
