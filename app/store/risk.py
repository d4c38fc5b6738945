"""Exceptions (risk acceptances): failing resources of a control accepted until expiry.

An exception covers a result when the control matches, the resource matches the
fnmatch pattern (case-sensitive: ARNs are), and on the day in question it exists,
is not revoked and has not expired. `expires_on` is the last day it applies.

The rules read an `ExceptionLike`: the stored row, or its `ExceptionTerms` (plain
frozen values, for use after the session that read it closed, e.g. by a running
scan's provisional rows on the GUI thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.errors import InvalidInput
from app.store.models import Engagement, RiskException


def today_utc() -> date:
    return datetime.now(UTC).date()


class ExceptionLike(Protocol):
    """What the rules read of an exception."""

    @property
    def control_id(self) -> str: ...
    @property
    def resource_pattern(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def expires_on(self) -> date | None: ...


E = TypeVar("E", bound=ExceptionLike)


@dataclass(frozen=True)
class ExceptionTerms:
    """An exception's terms as plain values: they outlive the session that read them."""

    control_id: str
    resource_pattern: str
    created_at: datetime
    revoked_at: datetime | None
    expires_on: date | None

    @classmethod
    def of(cls, exception: ExceptionLike) -> ExceptionTerms:
        return cls(
            exception.control_id,
            exception.resource_pattern,
            exception.created_at,
            exception.revoked_at,
            exception.expires_on,
        )


def add_exception(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    actor: str,
    justification: str,
    approver: str,
    expires_on: date,
    resource_pattern: str = "*",
) -> RiskException:
    """Record a risk acceptance. It must say why, who approved it, and when it ends."""
    if not justification.strip():
        raise InvalidInput("Say why the risk is accepted (the auditor reads this).")
    if not approver.strip():
        raise InvalidInput("Name who approved the exception.")
    if expires_on < today_utc():
        raise InvalidInput(f"The expiry date {expires_on} is in the past.")
    pattern = resource_pattern.strip() or "*"
    exception = RiskException(
        engagement_id=engagement.id,
        control_id=control_id,
        resource_pattern=pattern,
        justification=justification.strip(),
        approver=approver.strip(),
        expires_on=expires_on,
        created_by=actor,
        created_at=datetime.now(UTC),
    )
    session.add(exception)
    session.flush()
    record(
        session,
        actor=actor,
        action="exception.add",
        target=control_id,
        engagement=engagement,
        detail={
            "exception": exception.id,
            "resource_pattern": pattern,
            "approver": exception.approver,
            "expires_on": expires_on.isoformat(),
        },
    )
    return exception


def revoke_exception(
    session: Session, exception: RiskException, *, actor: str, reason: str = ""
) -> RiskException:
    """End an exception now; the row stays (the binder shows it was revoked)."""
    if exception.revoked_at is not None:
        raise InvalidInput(f"Exception #{exception.id} was already revoked.")
    exception.revoked_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor=actor,
        action="exception.revoke",
        target=exception.control_id,
        engagement=session.get(Engagement, exception.engagement_id),
        detail={"exception": exception.id, "reason": reason},
    )
    return exception


def is_active(exception: ExceptionLike, on: date) -> bool:
    if exception.created_at.date() > on:
        return False
    if exception.revoked_at is not None and exception.revoked_at.date() <= on:
        return False
    return exception.expires_on is None or on <= exception.expires_on


def covers(exception: ExceptionLike, control_id: str, resource: str, on: date) -> bool:
    """Whether `exception` accepts a failing `resource` of `control_id` on day `on`."""
    return (
        exception.control_id == control_id
        and fnmatchcase(resource, exception.resource_pattern)
        and is_active(exception, on)
    )


def matching_exception(
    exceptions: Iterable[E], control_id: str, resource: str, on: date
) -> E | None:
    """The first (oldest) exception covering the resource, if any."""
    for exception in exceptions:
        if covers(exception, control_id, resource, on):
            return exception
    return None


def exceptions(
    session: Session, engagement: Engagement, control_id: str | None = None
) -> list[RiskException]:
    """Every exception, revoked and expired ones too, oldest first."""
    query = select(RiskException).where(RiskException.engagement_id == engagement.id)
    if control_id is not None:
        query = query.where(RiskException.control_id == control_id)
    return list(session.scalars(query.order_by(RiskException.created_at, RiskException.id)))


def active_exceptions(
    session: Session, engagement: Engagement, on: date | None = None, control_id: str | None = None
) -> list[RiskException]:
    """Exceptions in force on `on` (default: today, UTC)."""
    day = on or today_utc()
    return [e for e in exceptions(session, engagement, control_id) if is_active(e, day)]


def exception_terms(session: Session, engagement: Engagement) -> tuple[ExceptionTerms, ...]:
    """Every exception's terms (revoked and expired ones too: the rules judge them per day)."""
    return tuple(ExceptionTerms.of(e) for e in exceptions(session, engagement))
