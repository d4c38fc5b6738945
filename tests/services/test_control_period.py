"""The control page's period service: the control's ledger and requests from the
`Database`, the dashboard's overdue list, and setting a recurrence with the actor."""

from __future__ import annotations

from datetime import date

import pytest

from app.controls.catalogue import load_catalogue
from app.controls.results import Status
from app.recurrence import Recurrence
from app.services.control_period import load_control_period, overdue_items, set_recurrence
from app.store.audit import audit_log
from app.store.database import Database
from app.store.engagements import create_engagement, get_engagement, update_engagement
from app.store.errors import InvalidInput
from tests.services.conftest import ACCOUNT, day, scan_at, sg_rows

ACTOR = "founder@acme.test"


def _engagement(db: Database) -> int:
    with db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor=ACTOR)
        update_engagement(
            session,
            engagement,
            actor=ACTOR,
            period_start=date(2026, 6, 1),
            period_end=date(2026, 6, 30),
        )
        scan_at(session, engagement, day(0), sg_rows(Status.PASS))
        scan_at(session, engagement, day(3), state="failed", error="expired")
        scan_at(session, engagement, day(12), sg_rows(Status.FAIL))
        return engagement.id


def test_an_automated_control_has_its_ledger_and_a_manual_one_its_requests(db: Database) -> None:
    catalogue = load_catalogue()
    eid = _engagement(db)
    period = load_control_period(db, catalogue, eid, "sg-inbound", now=day(29))
    assert period.automated and period.window.period_set
    assert period.description == "the audit period 1 June 2026 to 30 June 2026"
    [ledger] = period.ledgers
    assert ledger.account_id == ACCOUNT and ledger.tally.scans == 2
    assert [a.error for a in ledger.attempts] == ["expired"]
    assert ledger.sentence.startswith("passed in 1 of 2 scans; failing since 13 June")

    manual = load_control_period(db, catalogue, eid, "access-reviews", now=day(29))
    assert not manual.automated and manual.ledgers == ()
    assert {r.item_id for r in manual.requests} >= {"access-review-record"}
    assert manual.as_of == date(2026, 6, 30)


def test_overdue_items_and_a_recurrence_set_with_the_actor(db: Database) -> None:
    catalogue = load_catalogue()
    eid = _engagement(db)
    # The quarterly review counted from 1 June is first due 31 August.
    assert not any(
        i.item_id == "access-review-record"
        for i in overdue_items(db, catalogue, eid, as_of=date(2026, 8, 31))
    )
    late = overdue_items(db, catalogue, eid, as_of=date(2026, 9, 10))
    [review] = [i for i in late if i.item_id == "access-review-record"]
    assert (review.due, review.days) == (date(2026, 8, 31), 10)

    stored = set_recurrence(
        db,
        catalogue,
        eid,
        "access-reviews",
        "access-review-record",
        Recurrence.MONTHLY,
        due_on=date(2026, 6, 30),
        actor=ACTOR,
    )
    assert (stored.recurrence, stored.due_on) == (Recurrence.MONTHLY, date(2026, 6, 30))
    with db.session() as session:
        [entry] = [
            e
            for e in audit_log(session, get_engagement(session, eid))
            if e.action == "evidence_request.set"
        ]
        assert entry.actor == ACTOR
    with pytest.raises(InvalidInput):
        set_recurrence(
            db, catalogue, eid, "access-reviews", "nope", Recurrence.ONCE, due_on=None, actor=ACTOR
        )
