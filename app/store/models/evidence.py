"""Manual evidence: the files attached to an engagement and what it asks for, when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.models.base import Base, utc_now


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
    added_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The day the evidence is for (a quarter's access review: the quarter's last day),
    # apart from the day it was added; None: the day it was added.
    effective_on: Mapped[date | None] = mapped_column(Date)


class EvidenceRequest(Base):
    """An engagement's manual evidence request: one of the catalogue's items (its
    recurrence chosen here) or one the user added (with its own title). Recurring
    requests are due on `due_on` and whole steps before and after it
    (`app.recurrence`); no row: the catalogue's default, as in `app.services.recurring`."""

    __tablename__ = "evidence_requests"
    __table_args__ = (UniqueConstraint("engagement_id", "control_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    control_id: Mapped[str] = mapped_column(String(64))
    # The catalogue's manual-evidence id, or for a request the user added its own slug.
    item_id: Mapped[str] = mapped_column(String(64))
    # A request the user added: what is asked for; "" for a catalogue item.
    title: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # An `app.recurrence.Recurrence` value.
    recurrence: Mapped[str] = mapped_column(String(16), default="once")
    due_on: Mapped[date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
