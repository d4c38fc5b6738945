"""One control across the audit period, for the control page and the dashboard. No Qt.

Every function takes the open `Database` and opens one short-lived session of its own;
it returns plain values: the control's period ledger per account (`ledger_model`) and
its evidence requests with their due dates (`recurring_model`). Changes (a request's
recurrence, a request of the user's own added or removed, a file's effective day) take
the actor the audit log names. The arithmetic is in `ledger` and `recurring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.controls.catalogue import Catalogue
from app.recurrence import Recurrence
from app.services.ledger import build_ledger
from app.services.ledger_model import ControlLedger, LedgerWindow
from app.services.recurring import (
    add_own_request,
    evidence_schedule,
    remove_own_request,
    set_effective_date,
    set_request_recurrence,
)
from app.services.recurring_model import OverdueItem, RequestSchedule
from app.store.database import Database
from app.store.engagements import get_engagement


@dataclass(frozen=True)
class NewRequest:
    """A request of the user's own for a control (e.g. a quarterly firewall review)."""

    title: str
    recurrence: Recurrence
    due_on: date | None = None  # one due date of its series (None: the default)
    description: str = ""


@dataclass(frozen=True)
class ControlPeriod:
    """What the control page shows of the period: the strip and the due dates."""

    control_id: str
    automated: bool
    window: LedgerWindow
    description: str  # "the audit period 1 June 2026 to 30 November 2026" / "all scans (...)"
    gap_threshold: timedelta
    ledgers: tuple[ControlLedger, ...]  # per account; empty for a manual control
    requests: tuple[RequestSchedule, ...]  # every evidence request of the control
    as_of: date

    @property
    def overdue(self) -> tuple[OverdueItem, ...]:
        return tuple(i for r in self.requests if r.applicable for i in r.overdue_items)


def load_control_period(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    *,
    now: datetime | None = None,
) -> ControlPeriod:
    """The control's ledger (automated controls) and evidence requests, as of `now`."""
    control = catalogue.get(control_id)
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        ledger = build_ledger(
            session, engagement, control_ids=[control_id] if control.automated else [], now=now
        )
        as_of = ledger.window.until.date() if now is not None else None
        schedule = evidence_schedule(session, engagement, catalogue=catalogue, as_of=as_of)
    return ControlPeriod(
        control_id=control_id,
        automated=control.automated,
        window=ledger.window,
        description=ledger.description,
        gap_threshold=ledger.gap_threshold,
        ledgers=ledger.for_control(control_id),
        requests=schedule.for_control(control_id),
        as_of=schedule.as_of,
    )


def overdue_items(
    db: Database, catalogue: Catalogue, engagement_id: int, *, as_of: date | None = None
) -> tuple[OverdueItem, ...]:
    """The engagement's overdue evidence, the oldest first (the dashboard's list)."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        return evidence_schedule(session, engagement, catalogue=catalogue, as_of=as_of).overdue


def set_recurrence(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    item_id: str,
    recurrence: Recurrence,
    *,
    due_on: date | None,
    actor: str,
) -> RequestSchedule:
    """Make a request recur (audited); `due_on` None: the default due date."""
    with db.session() as session:
        return set_request_recurrence(
            session,
            get_engagement(session, engagement_id),
            control_id,
            item_id,
            recurrence,
            actor=actor,
            due_on=due_on,
            catalogue=catalogue,
        )


def add_request(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    request: NewRequest,
    *,
    actor: str,
) -> RequestSchedule:
    """Add a request of the user's own (audited); `InvalidInput` says what is wrong."""
    with db.session() as session:
        return add_own_request(
            session,
            get_engagement(session, engagement_id),
            control_id,
            title=request.title,
            recurrence=request.recurrence,
            actor=actor,
            due_on=request.due_on,
            description=request.description,
            catalogue=catalogue,
        )


def remove_request(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    item_id: str,
    *,
    actor: str,
) -> None:
    """Remove a request the user added, with no files against it (audited)."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        remove_own_request(
            session, engagement, control_id, item_id, actor=actor, catalogue=catalogue
        )


def set_file_effective_date(
    db: Database, engagement_id: int, attachment_id: int, effective_on: date | None, *, actor: str
) -> None:
    """Set (None: clear, the day it was added counts) the day a file is evidence for."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        set_effective_date(session, engagement, attachment_id, effective_on, actor=actor)
