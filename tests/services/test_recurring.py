"""Recurring evidence: due dates, effective dates, what is overdue as of a day, and the
changes (audited) that set them; on each store back end."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from app.recurrence import Recurrence
from app.services.recurring import (
    add_own_request,
    attach_evidence,
    evidence_schedule,
    overdue_evidence,
    set_effective_date,
    set_request_recurrence,
)
from app.store.audit import audit_log
from app.store.control_states import NOT_APPLICABLE, set_control_state
from app.store.engagements import update_engagement
from app.store.errors import InvalidInput
from app.store.evidence_asked import RequestSource, default_due
from app.store.models import Attachment, Engagement
from tests.services.conftest import db, db_path, engagement, session

__all__ = ["db", "db_path", "engagement", "session"]

REVIEW = ("access-reviews", "access-review-record")
ACTOR = "lee@acme.test"


@pytest.fixture
def period(session: Session, engagement: Engagement) -> Engagement:
    """Acme with the audit period 1 June to 30 November 2026."""
    return update_engagement(
        session,
        engagement,
        actor=ACTOR,
        period_start=date(2026, 6, 1),
        period_end=date(2026, 11, 30),
    )


def _file(
    session: Session,
    engagement: Engagement,
    effective: date | None,
    *,
    added: datetime = datetime(2026, 6, 2, 9, 0, tzinfo=UTC),
    item: tuple[str, str] = REVIEW,
) -> Attachment:
    attachment = attach_evidence(
        session,
        engagement,
        item[0],
        name="review.csv",
        content=f"reviewed {effective}\n".encode(),
        actor=ACTOR,
        item_id=item[1],
        effective_on=effective,
    )
    attachment.added_at = added  # as if attached that day
    session.flush()
    return attachment


def test_the_catalogue_default_recurs_from_the_periods_first_day(
    session: Session, period: Engagement
) -> None:
    schedule = evidence_schedule(session, period, as_of=date(2026, 12, 5))
    review = schedule.request(*REVIEW)
    assert review is not None and review.source is RequestSource.CATALOGUE
    assert review.recurrence is Recurrence.QUARTERLY and review.due_on == date(2026, 8, 31)
    # 31 August and 30 November are in the period; 28 February is the next one.
    assert [o.due for o in review.occurrences] == [
        date(2026, 8, 31),
        date(2026, 11, 30),
        date(2027, 2, 28),
    ]
    assert review.next_due == date(2027, 2, 28)
    overdue = {(i.control_id, i.item_id, i.due): i.days for i in schedule.overdue}
    assert overdue[(*REVIEW, date(2026, 8, 31))] == 96
    assert overdue[(*REVIEW, date(2026, 11, 30))] == 5
    # Asked for once without a due date: missing, never overdue.
    policy = schedule.request("access-reviews", "access-control-policy")
    assert policy is not None and policy.occurrences == () and policy.next_due is None
    assert all(i.item_id != "access-control-policy" for i in schedule.overdue)


def test_files_answer_the_occurrence_their_effective_day_falls_in(
    session: Session, period: Engagement
) -> None:
    set_request_recurrence(
        session, period, *REVIEW, Recurrence.QUARTERLY, due_on=date(2026, 12, 31), actor=ACTOR
    )
    # Done in October for the quarter that ended on 30 September: effective that day.
    _file(session, period, date(2026, 9, 30), added=datetime(2026, 10, 6, tzinfo=UTC))
    # Without an effective date, the day it was added counts (2 June: the June quarter).
    _file(session, period, None)
    review = evidence_schedule(session, period, as_of=date(2026, 11, 15)).request(*REVIEW)
    assert review is not None
    by_due = {o.due: o for o in review.occurrences}
    assert sorted(by_due) == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert [f.effective_on for f in by_due[date(2026, 6, 30)].files] == [date(2026, 6, 2)]
    assert [f.effective_given for f in by_due[date(2026, 9, 30)].files] == [True]
    assert review.overdue == () and review.next_due == date(2026, 12, 31)
    # As of a day before the October file was added, September's quarter was overdue.
    earlier = evidence_schedule(session, period, as_of=date(2026, 10, 3)).request(*REVIEW)
    assert earlier is not None
    assert [(o.due, o.overdue_days(earlier.as_of)) for o in earlier.overdue] == [
        (date(2026, 9, 30), 3)
    ]


def test_an_answered_next_occurrence_moves_next_due_on(
    session: Session, period: Engagement
) -> None:
    set_request_recurrence(
        session, period, *REVIEW, Recurrence.MONTHLY, due_on=date(2026, 1, 31), actor=ACTOR
    )
    _file(session, period, date(2026, 11, 20), added=datetime(2026, 11, 20, tzinfo=UTC))
    review = evidence_schedule(session, period, as_of=date(2026, 11, 21)).request(*REVIEW)
    assert review is not None
    assert review.next_due == date(2026, 12, 31)  # November's is done early
    assert [o.due for o in review.overdue] == [
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
    ]


def test_yearly_over_a_leap_day_and_once_with_a_due_date(
    session: Session, engagement: Engagement
) -> None:
    update_engagement(
        session,
        engagement,
        actor=ACTOR,
        period_start=date(2023, 3, 1),
        period_end=date(2024, 12, 31),
    )
    training = ("security-training", "training-log")
    set_request_recurrence(
        session, engagement, *training, Recurrence.YEARLY, due_on=date(2024, 2, 29), actor=ACTOR
    )
    set_request_recurrence(
        session,
        engagement,
        "access-reviews",
        "access-control-policy",
        Recurrence.ONCE,
        due_on=date(2023, 4, 1),
        actor=ACTOR,
    )
    schedule = evidence_schedule(session, engagement, as_of=date(2024, 3, 2))
    log = schedule.request(*training)
    assert log is not None
    assert [o.due for o in log.occurrences] == [date(2024, 2, 29), date(2025, 2, 28)]
    assert [o.overdue_days(schedule.as_of) for o in log.occurrences] == [2, 0]
    policy = schedule.request("access-reviews", "access-control-policy")
    assert policy is not None and [o.due for o in policy.overdue] == [date(2023, 4, 1)]
    # A late file still answers evidence asked for once.
    _file(
        session,
        engagement,
        date(2024, 3, 1),
        added=datetime(2024, 3, 1, tzinfo=UTC),
        item=("access-reviews", "access-control-policy"),
    )
    later = evidence_schedule(session, engagement, as_of=date(2024, 3, 2))
    watched = {"training-log", "access-control-policy"}
    assert [i.item_id for i in later.overdue if i.item_id in watched] == ["training-log"]


def test_overdue_leaves_out_controls_marked_not_applicable(
    session: Session, period: Engagement
) -> None:
    assert any(i.control_id == "access-reviews" for i in overdue_evidence(session, period))
    set_control_state(
        session,
        period,
        "access-reviews",
        actor=ACTOR,
        applicability=NOT_APPLICABLE,
        applicability_reason="No systems of our own",
    )
    assert all(i.control_id != "access-reviews" for i in overdue_evidence(session, period))


def test_own_requests_and_every_change_is_audited(session: Session, period: Engagement) -> None:
    own = add_own_request(
        session,
        period,
        "sg-inbound",
        title="Quarterly firewall rule review",
        recurrence=Recurrence.QUARTERLY,
        due_on=date(2026, 6, 30),
        actor=ACTOR,
    )
    assert own.item_id == "own-quarterly-firewall-rule-review"
    assert own.source is RequestSource.OWN and own.title == "Quarterly firewall rule review"
    attachment = _file(session, period, None, item=("sg-inbound", own.item_id))
    set_effective_date(session, period, attachment.id, date(2026, 6, 30), actor=ACTOR)
    assert attachment.effective_on == date(2026, 6, 30)
    actions = [(e.action, e.actor) for e in audit_log(session, period)]
    assert ("evidence_request.add", ACTOR) in actions
    assert ("attachment.effective", ACTOR) in actions
    set_request_recurrence(session, period, *REVIEW, Recurrence.YEARLY, actor=ACTOR)
    entry = [e for e in audit_log(session, period) if e.action == "evidence_request.set"][-1]
    assert entry.detail["recurrence"] == "yearly"
    assert entry.detail["due_on"] == default_due(period, Recurrence.YEARLY).isoformat()  # type: ignore[union-attr]


def test_bad_input_is_refused_with_a_reason_and_changes_nothing(
    session: Session, period: Engagement
) -> None:
    with pytest.raises(InvalidInput, match="no evidence item 'nope'"):
        set_request_recurrence(
            session, period, "access-reviews", "nope", Recurrence.YEARLY, actor=ACTOR
        )
    with pytest.raises(InvalidInput, match="no control 'nope'"):
        add_own_request(session, period, "nope", title="x", recurrence=Recurrence.ONCE, actor=ACTOR)
    with pytest.raises(InvalidInput, match="has not come yet"):
        _file(session, period, date(2099, 1, 1))
    with pytest.raises(InvalidInput, match="needs a title"):
        add_own_request(
            session, period, "sg-inbound", title="  ", recurrence=Recurrence.ONCE, actor=ACTOR
        )
    assert [e.action for e in audit_log(session, period)] == [
        "engagement.create",
        "engagement.update",
    ]
