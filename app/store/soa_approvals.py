"""Approvals of the Statement of Applicability: sign-offs of the decisions, versioned.

An approval is a link of the engagement's sign-off chain (`app/store/signoffs.py`)
with the target `SOA_TARGET`: who, role, when, and `approved_hash`, the hash of the
decisions at that moment (`decisions_hash`). It is append-only like every sign-off,
and travels and is verified with the chain. The n-th approval is SoA version n.

Staleness is derived: the newest approval is current while the decisions still hash
to its `approved_hash`; any changed decision makes it stale, a new scan does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.store.decisions import decisions, decisions_hash
from app.store.errors import InvalidInput
from app.store.models import Engagement, SignOff
from app.store.signoffs import SOA_APPROVE_ACTION, SOA_TARGET, append_sign_off, sign_offs


@dataclass(frozen=True)
class SoaApproval:
    """One approval: SoA version `version`, and whether the decisions still match it."""

    version: int
    reviewer: str
    role: str
    comment: str
    approved_at: datetime
    approved_hash: str
    record_hash: str
    current: bool


def _approval(entry: SignOff, version: int, current_hash: str) -> SoaApproval:
    return SoaApproval(
        version=version,
        reviewer=entry.reviewer,
        role=entry.role,
        comment=entry.comment,
        approved_at=entry.signed_at,
        approved_hash=entry.approved_hash,
        record_hash=entry.record_hash,
        current=entry.approved_hash == current_hash,
    )


def current_decisions_hash(session: Session, engagement: Engagement) -> str:
    """The hash an approval would record now."""
    return decisions_hash(decisions(session, engagement))


def soa_approvals(session: Session, engagement: Engagement) -> list[SoaApproval]:
    """Every approval, oldest (version 1) first."""
    now = current_decisions_hash(session, engagement)
    entries = sign_offs(session, engagement, SOA_TARGET)
    return [_approval(entry, n, now) for n, entry in enumerate(entries, start=1)]


def approve_soa(
    session: Session,
    engagement: Engagement,
    *,
    reviewer: str,
    role: str,
    comment: str = "",
) -> SoaApproval:
    """Append the approval of the decisions as they are now: the next SoA version.

    Raises `InvalidInput` without a reviewer or role, or when the newest approval
    already covers exactly these decisions (nothing changed to approve).
    """
    if not reviewer.strip() or not role.strip():
        raise InvalidInput("Approving the Statement of Applicability needs a reviewer and a role.")
    earlier = soa_approvals(session, engagement)
    if earlier and earlier[-1].current:
        latest = earlier[-1]
        raise InvalidInput(
            f"Version {latest.version} of the Statement of Applicability, approved by "
            f"{latest.reviewer} on {latest.approved_at:%Y-%m-%d}, already covers these "
            "decisions; nothing changed since, so there is nothing new to approve."
        )
    now = current_decisions_hash(session, engagement)
    entry = append_sign_off(
        session,
        engagement,
        SOA_TARGET,
        reviewer=reviewer,
        role=role,
        comment=comment,
        approved_hash=now,
        action=SOA_APPROVE_ACTION,
    )
    return _approval(entry, len(earlier) + 1, now)
