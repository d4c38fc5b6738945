"""The control page across the audit period: the timeline strip (ledger per account,
failure spans, gaps, failed scans apart), and recurring evidence on the evidence tab
(recurrence, next due, overdue, setting it, the day a file is effective for)."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.recurrence import Recurrence
from app.services.recurring import evidence_schedule
from app.store import scans as store_scans
from app.store.attachments import attachments
from app.store.audit import audit_log
from app.store.database import Database
from app.store.engagements import get_engagement, update_engagement
from app.store.scan_state import ScanState
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.control_page.period_strip import _ATTEMPT_Y, _TRACK_TOP
from app.ui.status_badges import control_look, look_colour
from tests.ui.controls_fixtures import ACCOUNT, ARN, add_scan, db, signed_in  # noqa: F401

EXPIRED = "the IAM Identity Center session is missing or expired"
PASS_ROW = [("us-east-1", "sg-0aaa", Status.PASS, "no world-open rule")]
FAIL_ROW = [("us-east-1", "sg-0aaa", Status.FAIL, "tcp 22 open to 0.0.0.0/0")]


def _engagement(db: Database, *, period: bool = True) -> int:
    """Weekly scans of sg-inbound from 16 weeks ago: weeks 4-6 fail, a failed scan in a
    four-week gap (weeks 9-12), passing since."""
    today = datetime.now(UTC).date()
    start = today - timedelta(weeks=16, days=1)
    with db.session() as session:
        from app.store.engagements import create_engagement

        engagement = create_engagement(session, "Period 2026", actor=ARN, client="Acme")
        if period:
            update_engagement(
                session,
                engagement,
                actor=ARN,
                period_start=start,
                period_end=today + timedelta(days=30),
            )
        eid = engagement.id
    first = datetime(start.year, start.month, start.day, 6, tzinfo=UTC) + timedelta(days=1)
    for week in (*range(9), *range(13, 17)):
        add_scan(
            db, eid, FAIL_ROW if week in (4, 5, 6) else PASS_ROW, first + timedelta(weeks=week)
        )
    with db.session() as session:
        failed = store_scans.start_scan(
            session,
            get_engagement(session, eid),
            account_id=ACCOUNT,
            actor=ARN,
            caller_arn="",
            regions=["us-east-1"],
            controls=[],
        )
        failed.started_at = first + timedelta(weeks=10)
        store_scans.finish_scan(session, failed, ScanState.FAILED, actor=ARN, error=EXPIRED)
    return eid


def _page(ctx: AppContext, qtbot: QtBot, eid: int, control: str) -> ControlPage:
    page = ControlPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    ctx.set_engagement(eid)
    page.show_control(eid, control)
    return page


def test_the_strip_shows_each_scan_the_failure_the_gap_and_the_failed_scan(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    page = _page(ctx, qtbot, _engagement(db), "sg-inbound")
    box = page.period
    assert box.isVisible()
    assert box.heading.text().startswith("Counted over the audit period ")
    [strip] = box.strips
    [ledger] = page.period_data.ledgers if page.period_data else ()
    assert ledger.tally.scans == 13 and ledger.tally.passed == 10
    assert "failed from" in ledger.sentence and "fixed since" in ledger.sentence
    assert "1 failed attempt in it" in ledger.sentence
    # The sentence is shown beside the strip and is the strip's accessible description.
    assert box.sentences[0].text() == f"Account {ACCOUNT}: {ledger.sentence}"
    assert strip.accessibleDescription() == ledger.sentence
    assert ACCOUNT in strip.accessibleName() and "across the period" in strip.accessibleName()

    failing = [p for p in ledger.timeline if p.status is ControlStatus.FAILING]
    assert len(failing) == 3
    at = failing[0].at
    tip = strip.mark_text_at(strip.x_of(at), _TRACK_TOP + 10)
    assert tip == f"Scan #{failing[0].scan_id}, {at.day} {at:%B %Y} 06:00 UTC: failed"
    [attempt] = ledger.attempts
    tip = strip.mark_text_at(strip.x_of(attempt.at), _ATTEMPT_Y)
    assert tip.startswith("Failed scan #") and "(not counted)" in tip and EXPIRED in tip
    # Between two marks inside the gap, the gap's own tooltip.
    [gap] = ledger.gaps
    middle = gap.start + (gap.end - gap.start) / 3
    assert strip.mark_text_at(strip.x_of(middle), _TRACK_TOP + 10).startswith(
        "No complete scan from "
    )
    assert strip.x_of(ledger.timeline[0].at) < strip.x_of(ledger.timeline[-1].at)


def test_without_a_period_the_ledger_says_it_uses_all_scans(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    page = _page(ctx, qtbot, _engagement(db, period=False), "sg-inbound")
    assert page.period.heading.text().startswith(
        "No audit period is set for this engagement: the ledger uses all scans."
    )
    [strip] = page.period.strips
    assert len([m for m in strip.marks if m.row == "scan"]) == 13


def test_a_manual_control_shows_no_strip(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    page = _page(ctx, qtbot, _engagement(db), "access-reviews")
    assert not page.period.isVisible() and page.period.strips == []


def _requests_page(ctx: AppContext, db: Database, qtbot: QtBot) -> tuple[ControlPage, int]:
    eid = _engagement(db)
    page = _page(ctx, qtbot, eid, "access-reviews")
    page.tabs.setCurrentWidget(page.evidence)
    return page, eid


def test_an_overdue_quarterly_review_shows_in_the_warning_style(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    page, _eid = _requests_page(ctx, db, qtbot)
    box = page.evidence.requests
    title, files, recurs, due = box.row_texts("access-review-record")
    assert title == "Completed access reviews for the audit period"
    assert (files, recurs) == ("○ nothing yet", "every quarter")
    assert due.startswith("⚠ ") and "days overdue" in due and "next due" in due
    row = [r.item_id for r in box.requests].index("access-review-record")
    warning = look_colour(control_look(ControlStatus.ERROR), box.palette())
    assert box.table.item(row, 3).foreground().color() == warning
    once = box.row_texts("access-control-policy")
    assert once[2:] == ["once", "no due date"]
    assert box.table.item(0, 3).foreground().color() != warning


def test_setting_the_recurrence_is_stored_with_the_actor(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    page, eid = _requests_page(ctx, db, qtbot)
    box = page.evidence.requests
    assert not box.set_button.isEnabled()  # nothing selected yet
    box.select_item("access-control-policy")
    assert page.evidence.current_evidence_item == "access-control-policy"
    box.recurrence.setCurrentIndex(box.recurrence.findData(Recurrence.YEARLY.value))
    due = date.today() + timedelta(days=40)
    box.due.setDate(QDate(due.year, due.month, due.day))
    qtbot.mouseClick(box.set_button, Qt.MouseButton.LeftButton)

    with db.session() as session:
        engagement = get_engagement(session, eid)
        stored = evidence_schedule(session, engagement).request(
            "access-reviews", "access-control-policy"
        )
        entries = [e for e in audit_log(session, engagement) if e.action.startswith("evid")]
    assert stored is not None
    assert (stored.recurrence, stored.due_on, stored.next_due) == (Recurrence.YEARLY, due, due)
    assert entries[-1].action == "evidence_request.set" and entries[-1].actor == ARN
    assert box.row_texts("access-control-policy")[2:] == [
        "every year",
        f"next due {due.day} {due:%B %Y}",
    ]


def test_a_file_is_stored_effective_for_the_chosen_day_and_answers_the_due_date(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page, eid = _requests_page(ctx, db, qtbot)
    evidence = page.evidence
    assert evidence.effective.date() == QDate.currentDate()
    with db.session() as session:
        request = evidence_schedule(session, get_engagement(session, eid)).request(
            "access-reviews", "access-review-record"
        )
    assert request is not None and request.overdue
    missed = request.overdue[0].due
    review = tmp_path / "q-review.csv"
    review.write_text("user,role,kept\nana,admin,yes\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(review)], ""))
    evidence.requests.select_item("access-review-record")
    evidence.effective.setDate(QDate(missed.year, missed.month, missed.day))
    qtbot.mouseClick(evidence.add_button, Qt.MouseButton.LeftButton)

    with db.session() as session:
        [stored] = attachments(session, get_engagement(session, eid), "access-reviews")
        assert (stored.evidence_item, stored.effective_on) == ("access-review-record", missed)
    texts = evidence.requests.row_texts("access-review-record")
    assert texts[1] == "✓ 1 file"
    assert f"due {missed.day} {missed:%B %Y}" not in texts[3]
