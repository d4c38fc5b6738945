"""An engagement, the AWS accounts in its scope, and what its people decided: each
control's state, each criterion's applicability (the Statement of Applicability), the
risk exceptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.store.models.base import Base, utc_now

if TYPE_CHECKING:
    from app.store.models.scan import Scan


def _security_only() -> list[Any]:
    return ["security"]


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
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

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
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

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
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    __mapper_args__ = {  # noqa: RUF012 (SQLAlchemy reads it once, at mapping)
        "version_id_col": updated_at,
        "version_id_generator": False,
    }


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
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column()
