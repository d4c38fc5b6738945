"""SQLAlchemy 2 models: engagements, scans, results, evidence, exceptions, sign-offs,
Statement of Applicability decisions.

The same models serve an SQLite file and a PostgreSQL server. Types that differ:
- timestamps: `timestamp with time zone` on PostgreSQL; naive UTC in SQLite (it has
  no time zones). `UtcDateTime` adds and strips the zone, so Python code only ever
  sees aware UTC datetimes;
- JSON: `jsonb` on PostgreSQL, JSON text in SQLite;
- attachments: `bytea` / BLOB (`LargeBinary`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

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


# JSON documents: jsonb on PostgreSQL (validated, comparable), JSON text in SQLite.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def _now() -> datetime:
    return datetime.now(UTC)


def next_version(previous: datetime | None) -> datetime:
    """The new `updated_at` of a versioned row: now, and always later than before."""
    now = _now()
    if previous is not None and now <= previous:
        return previous + timedelta(microseconds=1)
    return now


def _security_only() -> list[Any]:
    return ["security"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
    }


class Engagement(Base):
    """One audit preparation for one client: frameworks, period and scope."""

    __tablename__ = "engagements"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    client: Mapped[str] = mapped_column(String(200), default="")
    # Framework keys: "iso27001", "soc2".
    frameworks: Mapped[list[Any]] = mapped_column(default=list)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # Regions in scope; empty means every enabled region.
    regions: Mapped[list[Any]] = mapped_column(default=list)
    # Check settings (e.g. {"max_cidr_prefix": 16, "sensitive_buckets": [...]}).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    # SOC 2 categories in scope (keys of `SOC2_CATEGORIES`); "security" is always one.
    soc2_categories: Mapped[list[Any]] = mapped_column(
        default=_security_only, server_default=text("'[\"security\"]'")
    )
    created_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    accounts: Mapped[list[Account]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan"
    )
    scans: Mapped[list[Scan]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="Scan.started_at"
    )


class Account(Base):
    """An AWS account in scope, and how to sign in to it. Never secrets."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("engagement_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(12))
    alias: Mapped[str] = mapped_column(String(200), default="")
    # e.g. {"kind": "profile", "profile": "acme-audit"} or
    # {"kind": "assume-role", "role_arn": "...", "secret_ref": "keyring"}.
    sign_in: Mapped[dict[str, Any]] = mapped_column(default=dict)

    engagement: Mapped[Engagement] = relationship(back_populates="accounts")


class Scan(Base):
    """One run of the automated checks against one account. Append-only."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(String(12))
    caller_arn: Mapped[str] = mapped_column(String(2048), default="")
    started_at: Mapped[datetime] = mapped_column(default=_now)
    finished_at: Mapped[datetime | None] = mapped_column()
    # "running" while it runs; "complete", "incomplete" (interrupted) or "failed".
    state: Mapped[str] = mapped_column(String(20), default="running")
    app_version: Mapped[str] = mapped_column(String(50), default="")
    regions: Mapped[list[Any]] = mapped_column(default=list)
    skipped_regions: Mapped[list[Any]] = mapped_column(default=list)
    # Controls this scan covered (empty: all of them; or the ones the user ran).
    controls: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    # "host:pid" of the process running it, so opening the DB elsewhere can tell a
    # crashed scan (its process is gone) from one still running in another window.
    runner: Mapped[str] = mapped_column(String(300), default="")

    engagement: Mapped[Engagement] = relationship(back_populates="scans")
    results: Mapped[list[ResultRow]] = relationship(
        back_populates="scan", cascade="all, delete-orphan", order_by="ResultRow.id"
    )


class ResultRow(Base):
    """One `CheckResult` as stored: a resource judged by a check, with its evidence."""

    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    control_id: Mapped[str] = mapped_column(String(64), index=True)
    check_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(12), default="")
    region: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    # List of Evidence.to_json() dicts: operation, parameters, region, time, excerpt.
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    collected_at: Mapped[datetime] = mapped_column(default=_now)

    scan: Mapped[Scan] = relationship(back_populates="results")


class ControlState(Base):
    """The engagement's working state of one control: owner and notes."""

    __tablename__ = "control_states"
    __table_args__ = (UniqueConstraint("engagement_id", "control_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    control_id: Mapped[str] = mapped_column(String(64))
    # "in_scope" or "not_applicable" (with the reason in `applicability_reason`).
    applicability: Mapped[str] = mapped_column(String(20), default="in_scope")
    applicability_reason: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Also the row's version: every UPDATE says "WHERE updated_at = <what I read>", so
    # of two writers who read the same state, the second is refused, never applied over
    # the first (`app.store.control_states` turns that into `EditConflict`). The app
    # sets it (`next_version`); an import keeps the exported value.
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    __mapper_args__ = {  # noqa: RUF012 (SQLAlchemy reads it once, at mapping)
        "version_id_col": updated_at,
        "version_id_generator": False,
    }


class CriterionDecision(Base):
    """Whether one criterion (an ISO 27001 Annex A control) applies to the engagement, and why.

    No row, or `applies` None, is undecided. The implementation status is derived from
    the criterion's controls, never stored.
    """

    __tablename__ = "criterion_decisions"
    __table_args__ = (UniqueConstraint("engagement_id", "framework", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    framework: Mapped[str] = mapped_column(String(16))
    criterion_id: Mapped[str] = mapped_column(String(16))
    # True: included; False: excluded (with `justification`); None: undecided.
    applies: Mapped[bool | None] = mapped_column()
    # Reason for inclusion: one of `REASONS` (app/store/decisions.py), or "".
    reason: Mapped[str] = mapped_column(String(32), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    # The row's version, as for `ControlState`: a decision changed meanwhile by someone
    # else is refused, not overwritten (`app.store.decisions`).
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    __mapper_args__ = {  # noqa: RUF012 (SQLAlchemy reads it once, at mapping)
        "version_id_col": updated_at,
        "version_id_generator": False,
    }


class Attachment(Base):
    """Manual evidence: a file kept in the DB with its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[str] = mapped_column(String(64))
    # The catalogue's manual-evidence id this answers, if any.
    evidence_item: Mapped[str] = mapped_column(String(64), default="")
    original_name: Mapped[str] = mapped_column(String(1024))
    media_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    description: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(default=_now)


class RiskException(Base):
    """A risk acceptance: failing resources matching a pattern are accepted until expiry."""

    __tablename__ = "exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[str] = mapped_column(String(64))
    # fnmatch-style pattern over the result's resource ("*" for the whole control).
    resource_pattern: Mapped[str] = mapped_column(String(2048), default="*")
    justification: Mapped[str] = mapped_column(Text)
    approver: Mapped[str] = mapped_column(String(200))
    expires_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=_now)
    revoked_at: Mapped[datetime | None] = mapped_column()


class SignOff(Base):
    """A reviewer's approval of a control, or of the Statement of Applicability.
    Append-only, chained by hash.

    `approved_hash` is the digest of what was approved (results, evidence, notes,
    exceptions of the control at that moment; for the Statement of Applicability,
    `control_id` "soa:iso27001", its decisions); `previous_hash` is the `record_hash`
    of the engagement's previous sign-off, so an edit anywhere breaks the chain.
    """

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(default=_now)
    approved_hash: Mapped[str] = mapped_column(String(64))
    previous_hash: Mapped[str] = mapped_column(String(64), default="")
    record_hash: Mapped[str] = mapped_column(String(64))


class AuditLogEntry(Base):
    """Who did what, when. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=_now)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(2048), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete a sign-off or audit entry: a bug, not user error."""


def _refuse_change(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise AppendOnlyViolation(
        f"{type(target).__name__} rows are append-only; add a new one instead of changing it"
    )


# The ORM never updates or deletes these; deleting a whole engagement still removes
# them through the database's ON DELETE rules, which these hooks do not see.
for _model in (SignOff, AuditLogEntry):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
