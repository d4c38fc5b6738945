"""A manual control rests on every evidence request it has: the catalogue's items and the
user's own, each with a file and none with a due date passed unanswered."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from app.controls.control_status import ControlStatus
from app.recurrence import Recurrence
from app.services.recurring import (
    add_own_request,
    attach_evidence,
    evidence_schedule,
    remove_own_request,
    set_effective_date,
)
from app.store.audit import audit_log
from app.store.control_status import ControlSummary, control_summaries
from app.store.engagements import update_engagement
from app.store.errors import InvalidInput, NotFound
from app.store.evidence_requests import set_recurrence
from app.store.models import Attachment, Engagement
from tests.store.conftest import controls

CONTROL = "access-reviews"
REVIEW = "access-review-record"
ACTOR = "lee@acme.test"


def _summary(session: Session, engagement: Engagement, on: date | None = None) -> ControlSummary:
    return control_summaries(session, engagement, controls([CONTROL]), on)[CONTROL]


def _file(
    session: Session,
    engagement: Engagement,
    item: str,
    effective: date | None = None,
    *,
    added: date | None = None,
) -> Attachment:
    attachment = attach_evidence(
        session,
        engagement,
        CONTROL,
        name=f"{item}.csv",
        content=f"{item} {effective} {added}\n".encode(),
        actor=ACTOR,
        item_id=item,
        effective_on=effective,
    )
    if added is not None:  # as if attached that day
        attachment.added_at = datetime(added.year, added.month, added.day, 9, tzinfo=UTC)
        session.flush()
    return attachment


def _answer_the_catalogue(
    session: Session, engagement: Engagement, added: date | None = None
) -> None:
    for item in controls([CONTROL])[0].manual_evidence:
        _file(session, engagement, item.id, added=added)


def _own(session: Session, engagement: Engagement, **changes: object) -> str:
    fields: dict[str, object] = {
        "title": "Quarterly firewall review export",
        "recurrence": Recurrence.ONCE,
        "actor": ACTOR,
    }
    fields.update(changes)
    return add_own_request(session, engagement, CONTROL, **fields).item_id  # type: ignore[arg-type]


def test_a_request_of_the_users_own_counts_like_a_catalogue_item(
    session: Session, engagement: Engagement
) -> None:
    _answer_the_catalogue(session, engagement)
    assert _summary(session, engagement).status is ControlStatus.EVIDENCE_ATTACHED
    own = _own(session, engagement)
    summary = _summary(session, engagement)
    assert summary.status is ControlStatus.EVIDENCE_MISSING
    assert summary.missing_evidence == (own,)
    assert summary.asked_evidence[-1].title == "Quarterly firewall review export"
    _file(session, engagement, own)
    assert _summary(session, engagement).status is ControlStatus.EVIDENCE_ATTACHED


def test_an_automated_control_with_an_own_request_keeps_its_results_status(
    session: Session, engagement: Engagement
) -> None:
    add_own_request(
        session,
        engagement,
        "sg-inbound",
        title="Firewall review",
        recurrence=Recurrence.ONCE,
        actor=ACTOR,
    )
    [summary] = control_summaries(session, engagement, controls(["sg-inbound"])).values()
    assert summary.status is ControlStatus.NOT_CHECKED
    assert summary.missing_evidence[-1] == "own-firewall-review"


def test_an_overdue_due_date_leaves_evidence_missing_until_a_file_is_effective_for_it(
    session: Session, engagement: Engagement
) -> None:
    update_engagement(
        session,
        engagement,
        actor=ACTOR,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
    )
    # Every item has a file; the quarterly review's is effective for the second quarter.
    june = date(2026, 6, 1)
    for item in controls([CONTROL])[0].manual_evidence:
        effective = date(2026, 5, 15) if item.id == REVIEW else None
        _file(session, engagement, item.id, effective, added=june)
    on = date(2026, 7, 10)
    summary = _summary(session, engagement, on)
    # The first quarter (due 31 March) passed with nothing effective for it.
    assert summary.status is ControlStatus.EVIDENCE_MISSING
    assert (summary.missing_evidence, summary.overdue_evidence) == ((), (REVIEW,))
    # The binder's and the dashboard's schedule says the same as of that day.
    schedule = evidence_schedule(session, engagement, as_of=on).request(CONTROL, REVIEW)
    assert schedule is not None and [o.due for o in schedule.overdue] == [date(2026, 3, 31)]
    # Last quarter's review, attached on 8 July with that day's date, moved to its quarter.
    late = _file(session, engagement, REVIEW, added=date(2026, 7, 8))
    assert _summary(session, engagement, on).overdue_evidence == (REVIEW,)
    set_effective_date(session, engagement, late.id, date(2026, 3, 31), actor=ACTOR)
    assert _summary(session, engagement, on).status is ControlStatus.EVIDENCE_ATTACHED
    # A month after the third quarter ends, it is missing again.
    assert _summary(session, engagement, date(2026, 10, 1)).overdue_evidence == (REVIEW,)


def test_an_own_request_overdue_without_a_file_is_missing_and_listed_overdue(
    session: Session, engagement: Engagement
) -> None:
    _answer_the_catalogue(session, engagement, added=date(2026, 1, 2))
    own = _own(session, engagement, recurrence=Recurrence.ONCE, due_on=date(2026, 1, 15))
    summary = _summary(session, engagement, date(2026, 2, 1))
    assert summary.status is ControlStatus.EVIDENCE_MISSING
    assert summary.missing_evidence == (own,)
    overdue = evidence_schedule(session, engagement, as_of=date(2026, 2, 1)).overdue
    assert [(i.item_id, i.days) for i in overdue if i.control_id == CONTROL] == [(own, 17)]


def test_a_row_for_an_item_the_catalogue_dropped_asks_for_nothing(
    session: Session, engagement: Engagement
) -> None:
    _answer_the_catalogue(session, engagement)
    set_recurrence(
        session,
        engagement,
        CONTROL,
        "dropped-item",
        recurrence=Recurrence.ONCE,
        due_on=date(2026, 1, 1),
        actor=ACTOR,
    )
    summary = _summary(session, engagement)
    assert summary.status is ControlStatus.EVIDENCE_ATTACHED
    assert "dropped-item" not in {a.item_id for a in summary.asked_evidence}


def test_only_an_own_request_without_files_can_be_removed_and_it_is_audited(
    session: Session, engagement: Engagement
) -> None:
    _answer_the_catalogue(session, engagement)
    own = _own(session, engagement, recurrence=Recurrence.QUARTERLY, due_on=date(2026, 3, 31))
    with pytest.raises(InvalidInput, match="catalogue's request"):
        remove_own_request(session, engagement, CONTROL, REVIEW, actor=ACTOR)
    answer = _file(session, engagement, own)
    with pytest.raises(InvalidInput, match=r"1 file is evidence of it \(own-quarterly"):
        remove_own_request(session, engagement, CONTROL, own, actor=ACTOR)
    session.delete(answer)
    session.flush()
    remove_own_request(session, engagement, CONTROL, own, actor=ACTOR)
    assert evidence_schedule(session, engagement).request(CONTROL, own) is None
    assert _summary(session, engagement).status is ControlStatus.EVIDENCE_ATTACHED
    [entry] = [e for e in audit_log(session, engagement) if e.action == "evidence_request.remove"]
    assert (entry.actor, entry.target) == (ACTOR, f"{CONTROL}/{own}")
    assert entry.detail["title"] == "Quarterly firewall review export"  # type: ignore[index]
    assert entry.detail["recurrence"] == "quarterly"  # type: ignore[index]
    with pytest.raises(NotFound):
        remove_own_request(session, engagement, CONTROL, own, actor=ACTOR)


def test_the_day_a_file_was_added_counts_when_no_effective_day_is_given(
    session: Session, engagement: Engagement
) -> None:
    update_engagement(
        session, engagement, actor=ACTOR, period_start=date(2026, 1, 1), period_end=None
    )
    review = _file(session, engagement, REVIEW, added=date(2026, 2, 10))
    assert REVIEW not in _summary(session, engagement, date(2026, 4, 2)).overdue_evidence
    set_effective_date(session, engagement, review.id, date(2025, 12, 31), actor=ACTOR)
    assert _summary(session, engagement, date(2026, 4, 2)).overdue_evidence == (REVIEW,)
    set_effective_date(session, engagement, review.id, None, actor=ACTOR)
    assert REVIEW not in _summary(session, engagement, date(2026, 4, 2)).overdue_evidence
