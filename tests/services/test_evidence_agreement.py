"""The checklist, the dashboard (counts and next steps) and the binder agree on a manual
control whose evidence requests include one of the user's own."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.controls.catalogue import load_catalogue
from app.controls.control_status import ControlStatus
from app.recurrence import Recurrence
from app.report.data import gather
from app.services.control_period import NewRequest, add_request, remove_request
from app.services.control_statuses import checklist_overview
from app.services.engagements import dashboard_counts
from app.services.next_steps import StepKind, load_next_steps
from app.store.database import Database
from app.store.models import Engagement
from tests.services.conftest import attach

CONTROL = "access-reviews"
ACTOR = "lee@acme.test"
ISO = "iso27001"
ATTACHED = ({ControlStatus.EVIDENCE_ATTACHED}, {1})


def _everywhere(
    db: Database, session: Session, engagement: Engagement
) -> tuple[set[ControlStatus], set[int]]:
    """The control's status as the checklist and the binder read it; how many ISO 27001
    controls have their evidence attached, on the dashboard and in the binder's summary
    (this is the only one)."""
    catalogue = load_catalogue()
    session.commit()  # the screens read in sessions of their own
    checklist = checklist_overview(db, catalogue, engagement.id).statuses[CONTROL]
    binder = gather(session, engagement.name, catalogue=catalogue)
    [section] = [c for c in binder.controls if c.control.id == CONTROL]
    [shown] = [s for s in dashboard_counts(db, catalogue, engagement.id) if s.framework == ISO]
    [printed] = [s for s in binder.frameworks if s.framework == ISO]
    return {checklist, section.status}, {shown.evidence_attached, printed.evidence_attached}


def test_an_own_request_without_a_file_is_missing_on_every_screen_and_in_the_binder(
    db: Database, session: Session, engagement: Engagement
) -> None:
    catalogue = load_catalogue()
    for item in catalogue.get(CONTROL).manual_evidence:
        attach(session, engagement, CONTROL, item.id)
    assert _everywhere(db, session, engagement) == ATTACHED
    assert not [s for s in load_next_steps(db, engagement.id, catalogue) if s.control_id == CONTROL]

    asked = NewRequest("Quarterly firewall review export", Recurrence.ONCE, date(2026, 1, 15))
    added = add_request(db, catalogue, engagement.id, CONTROL, asked, actor=ACTOR)
    assert _everywhere(db, session, engagement) == ({ControlStatus.EVIDENCE_MISSING}, {0})
    [step] = [s for s in load_next_steps(db, engagement.id, catalogue) if s.control_id == CONTROL]
    assert step.kind is StepKind.MISSING_EVIDENCE and step.evidence_item == added.item_id
    assert step.text.endswith(": 1 of 5 missing")
    assert step.detail == "Missing: Quarterly firewall review export"
    binder = gather(session, engagement.name, catalogue=catalogue)
    assert binder.evidence_due is not None
    assert added.item_id in {i.item_id for i in binder.evidence_due.overdue}

    remove_request(db, catalogue, engagement.id, CONTROL, added.item_id, actor=ACTOR)
    assert _everywhere(db, session, engagement) == ATTACHED
