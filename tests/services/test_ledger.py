"""The period ledger from stored scans: what counts, per account, control and check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.ledger import build_ledger
from app.services.ledger_model import ControlLedger, EngagementLedger, GapEdge
from app.store.accounts import add_account
from app.store.engagements import update_engagement
from app.store.models import Engagement
from app.store.risk import add_exception
from app.store.schedule import Every, ScanSchedule, set_engagement_schedule
from tests.services.conftest import ACCOUNT, SG, day, result, scan_at, sg_rows

NOW = datetime(2026, 12, 1, tzinfo=UTC)
OTHER = "210987654321"
PASS, FAIL, ERROR, NA = Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE


def _ledger(session: Session, engagement: Engagement, now: datetime = NOW) -> EngagementLedger:
    return build_ledger(session, engagement, control_ids=["sg-inbound", "cloudtrail"], now=now)


def _sg(ledger: EngagementLedger, account: str = ACCOUNT) -> ControlLedger:
    (found,) = [c for c in ledger.for_control("sg-inbound") if c.account_id == account]
    return found


def _june(session: Session, engagement: Engagement) -> None:
    update_engagement(
        session,
        engagement,
        actor="qa",
        period_start=date(2026, 6, 1),
        period_end=date(2026, 6, 30),
    )


def test_passes_failure_spans_and_statuses_per_scan(
    session: Session, engagement: Engagement
) -> None:
    _june(session, engagement)
    set_engagement_schedule(session, engagement, ScanSchedule(Every.DAILY), actor="qa")
    plan = [
        (PASS, PASS),
        (PASS, FAIL),
        (FAIL, FAIL),
        (PASS, ERROR),  # an ERROR is not a pass and does not end the failure
        (PASS, NA),
    ]
    for number in range(30):
        scan_at(session, engagement, day(number), sg_rows(*plan[min(number, 4)]))
    sg = _sg(_ledger(session, engagement))
    assert (sg.tally.scans, sg.tally.passed, sg.tally.failed, sg.tally.errors) == (30, 27, 2, 1)
    (span,) = sg.spans
    assert (span.start, span.end, span.failing_scans) == (day(1), day(4), 2)
    assert (sg.first_failure, sg.last_failure) == (day(1), day(2))
    assert [p.status for p in sg.timeline[:5]] == [
        ControlStatus.PASSING,
        ControlStatus.FAILING,
        ControlStatus.FAILING,
        ControlStatus.ERROR,
        ControlStatus.PASSING,
    ]
    assert sg.gaps == ()
    assert sg.sentence == (
        "passed in 27 of 30 scans; failed from 2 to 5 June (3 days), fixed since; "
        "could not be checked in 1 scan."
    )
    (check,) = sg.checks
    assert check.check_id == "sg-inbound-restricted"
    assert check.tally == sg.tally


def test_scans_outside_the_period_do_not_count(session: Session, engagement: Engagement) -> None:
    _june(session, engagement)
    scan_at(session, engagement, day(-3), sg_rows(FAIL))  # 29 May
    scan_at(session, engagement, day(3), sg_rows(PASS))
    scan_at(session, engagement, day(31), sg_rows(FAIL))  # 2 July
    ledger = _ledger(session, engagement)
    sg = _sg(ledger)
    assert (sg.tally.scans, sg.tally.passed, sg.spans) == (1, 1, ())
    assert ledger.scans_outside_window == 2
    assert ledger.description == "the audit period 1 June 2026 to 30 June 2026"
    # The period's edges: 1 June to the scan on the 4th is 3 days, under the 7-day
    # default; from it to the period's end is more.
    assert [(g.edge, g.end) for g in sg.gaps] == [(GapEdge.END, datetime(2026, 7, 1, tzinfo=UTC))]


def test_without_a_period_every_scan_counts_and_it_says_so(
    session: Session, engagement: Engagement
) -> None:
    for number in (-300, 0, 5):
        scan_at(session, engagement, day(number), sg_rows(PASS))
    ledger = _ledger(session, engagement, now=day(6))
    assert ledger.description == "all scans (no audit period set)"
    assert ledger.scans_outside_window == 0
    sg = _sg(ledger)
    assert sg.tally.scans == 3
    (gap,) = sg.gaps  # no start edge without a period start
    assert (gap.edge, gap.start, gap.end) == (GapEdge.BETWEEN, day(-300), day(0))


def test_failed_and_incomplete_scans_are_gaps_not_scans(
    session: Session, engagement: Engagement
) -> None:
    _june(session, engagement)
    set_engagement_schedule(session, engagement, ScanSchedule(Every.DAILY), actor="qa")
    scan_at(session, engagement, day(0), sg_rows(FAIL))
    expired = "the IAM Identity Center session is missing or expired"
    scan_at(session, engagement, day(1), state="failed", error=expired)
    scan_at(session, engagement, day(2), sg_rows(PASS), state="incomplete", error="Interrupted")
    scan_at(session, engagement, day(3), state="failed", error=expired)
    for number in range(4, 30):
        scan_at(session, engagement, day(number), sg_rows(PASS))
    ledger = _ledger(session, engagement)
    sg = _sg(ledger)
    assert sg.tally.scans == 27
    assert sg.tally.passed == 26  # the incomplete scan's PASS row is not a pass
    (span,) = sg.spans
    assert (span.start, span.end) == (day(0), day(4))
    (gap,) = sg.gaps
    assert (gap.start, gap.end, gap.failed_attempts, gap.last_error) == (day(0), day(4), 3, expired)
    (account,) = ledger.accounts
    assert (account.coverage.scans, account.coverage.failed_scans) == (27, 2)
    assert account.coverage.incomplete_scans == 1
    assert (account.coverage.first, account.coverage.last) == (day(0), day(29))
    assert account.coverage.longest_gap == gap
    # The control's own list of them, for its timeline strip: when, why, which kind.
    assert [(a.at, a.incomplete, a.error) for a in sg.attempts] == [
        (day(1), False, expired),
        (day(2), True, "Interrupted"),
        (day(3), False, expired),
    ]


def test_exceptions_excuse_failures_only_on_the_days_they_were_in_force(
    session: Session, engagement: Engagement
) -> None:
    accepted = add_exception(
        session,
        engagement,
        "sg-inbound",
        actor="qa",
        justification="legacy VPN, replaced in Q3",
        approver="CTO",
        expires_on=date(2027, 1, 1),
        resource_pattern=f"{SG}sg-0",
    )
    accepted.created_at = day(2)
    accepted.expires_on = date(2026, 6, 5)  # the 5th is its last day
    for number in range(7):
        scan_at(session, engagement, day(number), sg_rows(FAIL, PASS))
    scan_at(session, engagement, day(7), sg_rows(FAIL, FAIL))  # sg-1 is not covered
    sg = _sg(_ledger(session, engagement, now=day(8)))
    assert [p.status.value for p in sg.timeline] == [
        "failing",
        "failing",
        "exception",
        "exception",
        "exception",
        "failing",
        "failing",
        "failing",
    ]
    first, second = sg.spans
    assert (first.end, first.fixed) == (day(2), False)
    assert second.open and second.start == day(5)
    assert sg.tally.excepted == 3


def test_an_error_row_beside_passes_makes_the_scan_an_error_not_a_pass(
    session: Session, engagement: Engagement
) -> None:
    rows = [
        result("cloudtrail", "trail-a", PASS, check="multi-region-trail"),
        result("cloudtrail", "eu-west-1", ERROR, check="trail-logging"),
    ]
    scan_at(session, engagement, day(0), rows)
    (trail,) = _ledger(session, engagement, now=day(1)).for_control("cloudtrail")
    assert trail.tally.errors == 1 and trail.tally.passed == 0
    assert {c.check_id: c.tally.passed for c in trail.checks} == {
        "multi-region-trail": 1,
        "trail-logging": 0,
    }
    assert trail.check("trail-logging") is not None
    assert trail.check("trail-logging").tally.errors == 1  # type: ignore[union-attr]


def test_a_scan_counts_only_for_the_controls_it_covered(
    session: Session, engagement: Engagement
) -> None:
    scan_at(session, engagement, day(0), sg_rows(PASS), controls=["sg-inbound"])
    scan_at(session, engagement, day(1), [])  # covered everything, found nothing
    ledger = _ledger(session, engagement, now=day(2))
    assert _sg(ledger).tally.scans == 2
    assert _sg(ledger).tally.not_checked == 1
    (trail,) = ledger.for_control("cloudtrail")
    assert (trail.tally.scans, trail.tally.not_checked) == (1, 1)


def test_each_account_has_its_own_ledger(session: Session, engagement: Engagement) -> None:
    _june(session, engagement)
    third = "333333333333"
    add_account(session, engagement, third, actor="qa")  # in scope, never scanned
    for number in range(0, 30, 3):
        scan_at(session, engagement, day(number), sg_rows(PASS))
        scan_at(session, engagement, day(number), sg_rows(FAIL), account_id=OTHER)
    ledger = _ledger(session, engagement)
    assert [a.account_id for a in ledger.accounts] == sorted([ACCOUNT, OTHER, third])
    assert _sg(ledger, ACCOUNT).sentence == "passed in all 10 scans."
    assert _sg(ledger, OTHER).spans[0].open
    never = _sg(ledger, third)
    assert never.sentence == "not checked by any complete scan in the audit period."
    (whole,) = never.gaps
    assert whole.edge is GapEdge.WHOLE
    assert whole.length == timedelta(days=30)


def test_an_empty_engagement_has_an_empty_ledger(session: Session, engagement: Engagement) -> None:
    ledger = _ledger(session, engagement)
    assert ledger.accounts == ()
    assert ledger.gap_threshold == timedelta(days=7)
