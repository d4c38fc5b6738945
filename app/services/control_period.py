"""One control across the audit period, for the control page and the dashboard. No Qt.

Every function takes the open `Database` and opens one short-lived session of its own;
it returns plain values: the control's period ledger per account (`ledger_model`) and
its evidence requests with their due dates (`recurring_model`). Changes take the actor
the audit log names. The arithmetic is in `ledger` and `recurring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.controls.catalogue import Catalogue
from app.recurrence import Recurrence
from app.services.ledger import build_ledger
from app.services.ledger_model import ControlLedger, LedgerWindow
from app.services.recurring import evidence_schedule, set_request_recurrence
from app.services.recurring_model import OverdueItem, RequestSchedule
from app.store.database import Database
from app.store.engagements import get_engagement


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
