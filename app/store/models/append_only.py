"""The append-only records: sign-offs (chained by hash), the audit log, binder exports.
The ORM refuses to change or delete them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from app.store.models.base import Base, utc_now


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
    signed_at: Mapped[datetime] = mapped_column(default=utc_now)
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
    at: Mapped[datetime] = mapped_column(default=utc_now)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(2048), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class BinderExport(Base):
    """One exported binder: when, by whom, which file, its digest and who signed it.
    Append-only; the next binder lists them."""

    __tablename__ = "binder_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    exported_at: Mapped[datetime] = mapped_column(default=utc_now)
    exported_by: Mapped[str] = mapped_column(String(200), default="")
    file_name: Mapped[str] = mapped_column(String(1024))
    # The evidence digest printed in the binder (SHA-256 over its manifest).
    digest: Mapped[str] = mapped_column(String(64))
    # The signing certificate's subject and SHA-256 fingerprint; empty when unsigned.
    signer: Mapped[str] = mapped_column(String(500), default="")
    signer_fingerprint: Mapped[str] = mapped_column(String(64), default="")


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete a sign-off, audit entry or binder export record: a
    bug, not user error."""


def _refuse_change(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    raise AppendOnlyViolation(
        f"{type(target).__name__} rows are append-only; add a new one instead of changing it"
    )


# The ORM never updates or deletes these; deleting a whole engagement still removes
# them through the database's ON DELETE rules, which these hooks do not see.
for _model in (SignOff, AuditLogEntry, BinderExport):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
