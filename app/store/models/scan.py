"""Scans and their results: one run of the automated checks, one row per resource judged."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.store.models.base import Base, ScanStateColumn, utc_now
from app.store.scan_state import ScanState

if TYPE_CHECKING:
    from app.store.models.engagement import Engagement


class Scan(Base):
    """One run of the automated checks against one account. Append-only."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(String(12))
    caller_arn: Mapped[str] = mapped_column(String(2048), default="")
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column()
    # Running while it runs; then complete, incomplete (interrupted) or failed.
    state: Mapped[ScanState] = mapped_column(ScanStateColumn(), default=ScanState.RUNNING)
    app_version: Mapped[str] = mapped_column(String(50), default="")
    regions: Mapped[list[Any]] = mapped_column(default=list)
    skipped_regions: Mapped[list[Any]] = mapped_column(default=list)
    # Controls this scan covered (empty: all of them; or the ones the user ran).
    controls: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    # "host:pid" of the process running it, so opening the DB elsewhere can tell a
    # crashed scan (its process is gone) from one still running in another window.
    runner: Mapped[str] = mapped_column(String(300), default="")
    # What each API call returned as received: request id and SHA-256 of every page,
    # record count, recount command (`app.aws.receipts.CallReceipt.to_json`). Loaded
    # only when read: thousands per scan.
    receipts: Mapped[list[Any]] = mapped_column(
        default=list, server_default=text("'[]'"), deferred=True
    )

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
    collected_at: Mapped[datetime] = mapped_column(default=utc_now)

    scan: Mapped[Scan] = relationship(back_populates="results")
