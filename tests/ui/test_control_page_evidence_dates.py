"""The evidence tab after attaching: a file's effective day changed (or cleared), and
requests of the user's own added through their dialog and removed, each stored with the
actor, refused input shown where the user is looking."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from app.controls.control_status import ControlStatus
from app.recurrence import Recurrence
from app.report.data import gather
from app.services.recurring import attach_evidence, evidence_schedule
from app.store.attachments import attachments
from app.store.audit import audit_log
from app.store.database import Database
from app.store.engagements import create_engagement, get_engagement
from app.store.signoffs import sign_off
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.control_page.request_dialog import OwnRequestDialog
from tests.ui.conftest import prompts
from tests.ui.controls_fixtures import ARN, db, signed_in  # noqa: F401
from tests.ui.helpers import on_modal, show_control_page

CONTROL = "access-reviews"
REVIEW = "access-review-record"


def _engagement(db: Database, period: bool) -> int:
    """Acme, with an audit period from ten months back (the quarterly review's first
    due dates have passed) or none (due dates count from today)."""
    today = datetime.now(UTC).date()
    start = date(today.year, today.month, 1) - timedelta(days=300)
    with db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor=ARN, client="Acme")
        if period:
            engagement.period_start = date(start.year, start.month, 1)
            engagement.period_end = today + timedelta(days=60)
        return engagement.id


def _attach(db: Database, eid: int, item: str) -> int:
    with db.session() as session:
        return attach_evidence(
            session,
            get_engagement(session, eid),
            CONTROL,
            name=f"{item}.csv",
            content=f"{item}\n".encode(),
            actor=ARN,
            item_id=item,
        ).id


def _page(ctx: AppContext, qtbot: QtBot, eid: int) -> ControlPage:
    page = show_control_page(ctx, eid, qtbot, CONTROL)
    page.tabs.setCurrentWidget(page.evidence)
    return page


def _effective(db: Database, eid: int, attachment_id: int) -> date | None:
    with db.session() as session:
        [stored] = [
            a for a in attachments(session, get_engagement(session, eid)) if a.id == attachment_id
        ]
        return stored.effective_on


def _actions(db: Database, eid: int, prefix: str) -> list[tuple[str, str]]:
    with db.session() as session:
        log = audit_log(session, get_engagement(session, eid))
        return [(e.action, e.actor) for e in log if e.action.startswith(prefix)]


def test_last_quarters_review_moved_to_its_quarter_fills_it_in_the_binder(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    eid = _engagement(db, period=True)
    file_id = _attach(db, eid, REVIEW)
    page = _page(ctx, qtbot, eid)
    with db.session() as session:
        review = evidence_schedule(session, get_engagement(session, eid)).request(CONTROL, REVIEW)
    assert review is not None and review.overdue
    missed = review.overdue[0].due
    files = page.evidence.attached
    assert not files.set_effective_button.isEnabled()  # nothing selected yet
    page.evidence.table.selectRow(0)
    today = datetime.now(UTC).date()
    assert files.effective.date().toPython() == today  # the day it was added
    assert not files.clear_effective_button.isEnabled()  # no day was given
    assert page.evidence.table.item(0, 3).text() == f"{today.isoformat()} (added)"
    for widget in (files.effective, files.set_effective_button, files.clear_effective_button):
        assert widget.accessibleName()

    files.effective.setFocus()
    files.effective.setDate(QDate(missed.year, missed.month, missed.day))
    qtbot.mouseClick(files.set_effective_button, Qt.MouseButton.LeftButton)

    assert _effective(db, eid, file_id) == missed
    assert _actions(db, eid, "attachment.effective") == [("attachment.effective", ARN)]
    assert page.evidence.table.item(0, 3).text() == missed.isoformat()
    assert page.evidence.selected_attachment() == (file_id, f"{REVIEW}.csv")
    assert f"due {missed.day} {missed:%B %Y}" not in page.evidence.requests.row_texts(REVIEW)[3]
    # The binder's evidence schedule has that quarter answered by the file.
    with db.session() as session:
        binder = gather(session, "Acme 2026")
    assert binder.evidence_due is not None
    shown = binder.evidence_due.request(CONTROL, REVIEW)
    assert shown is not None
    [quarter] = [o for o in shown.occurrences if o.due == missed]
    assert [f.name for f in quarter.files] == [f"{REVIEW}.csv"]

    # Back to the day it was added.
    assert files.clear_effective_button.isEnabled()
    qtbot.mouseClick(files.clear_effective_button, Qt.MouseButton.LeftButton)
    assert _effective(db, eid, file_id) is None
    assert page.evidence.table.item(0, 3).text().endswith("(added)")


def test_a_day_still_to_come_is_refused_and_said_on_the_page(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    eid = _engagement(db, period=True)
    file_id = _attach(db, eid, REVIEW)
    page = _page(ctx, qtbot, eid)
    page.evidence.table.selectRow(0)
    later = datetime.now(UTC).date() + timedelta(days=3)
    page.evidence.attached.effective.setDate(QDate(later.year, later.month, later.day))
    qtbot.mouseClick(page.evidence.attached.set_effective_button, Qt.MouseButton.LeftButton)
    message = page.header.message.text()
    assert message.startswith("Could not change the day the file is evidence for: ")
    assert "has not come yet" in message and page.header.message.isVisible()
    assert _effective(db, eid, file_id) is None
    assert _actions(db, eid, "attachment.effective") == []


def _add_through_the_dialog(qtbot: QtBot, page: ControlPage, title: str) -> list[str]:
    """Click "Add request…"; first save with no title (refused, shown in the dialog),
    then fill it in: quarterly, due in 40 days, with a description."""
    seen: list[str] = []

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, OwnRequestDialog)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.click()
        seen.append(dialog.error_label.text() if dialog.isVisible() else "closed")
        qtbot.keyClicks(dialog.title_edit, title)
        dialog.recurrence.setCurrentIndex(dialog.recurrence.findData("quarterly"))
        due = date.today() + timedelta(days=40)
        dialog.due.setDate(QDate(due.year, due.month, due.day))
        qtbot.keyClicks(dialog.description, "Export of every rule, from the firewall manager")
        save.click()

    problems = on_modal(fill)
    qtbot.mouseClick(page.evidence.requests.add_button, Qt.MouseButton.LeftButton)
    assert problems == []
    return seen


def test_an_own_request_is_added_counted_and_removed(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eid = _engagement(db, period=False)
    for item in ctx.catalogue.get(CONTROL).manual_evidence:
        _attach(db, eid, item.id)
    page = _page(ctx, qtbot, eid)
    box = page.evidence.requests
    assert page.snapshot is not None and page.snapshot.status is ControlStatus.EVIDENCE_ATTACHED
    box.select_item(REVIEW)
    assert not box.remove_button.isEnabled()  # the catalogue's request stays

    seen = _add_through_the_dialog(qtbot, page, "Quarterly firewall review export")
    assert seen == ["An evidence request needs a title: what is asked for."]
    own = "own-quarterly-firewall-review-export"
    with db.session() as session:
        stored = evidence_schedule(session, get_engagement(session, eid)).request(CONTROL, own)
    assert stored is not None and stored.recurrence is Recurrence.QUARTERLY
    assert stored.description == "Export of every rule, from the firewall manager"
    assert _actions(db, eid, "evidence_request.add") == [("evidence_request.add", ARN)]
    # Selected, and new files are evidence of it; the control now lacks its evidence.
    assert box.selected_item() == own and page.evidence.current_evidence_item == own
    assert box.row_texts(own)[:3] == [
        "Quarterly firewall review export",
        "○ nothing yet",
        "every quarter",
    ]
    assert page.snapshot is not None and page.snapshot.status is ControlStatus.EVIDENCE_MISSING
    assert page.header.status_text.text() == "Evidence missing"

    export = tmp_path / "fw-rules.csv"
    export.write_text("rule,port\nallow-https,443\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(export)], ""))
    qtbot.mouseClick(page.evidence.add_button, Qt.MouseButton.LeftButton)
    assert page.snapshot is not None and page.snapshot.status is ControlStatus.EVIDENCE_ATTACHED

    # A request with a file against it is not removed: the file would answer nothing.
    box.select_item(own)
    assert box.remove_button.isEnabled()
    prompts(ctx).confirms.append(True)
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    assert (
        "cannot be removed: 1 file is evidence of it (fw-rules.csv)" in page.header.message.text()
    )
    assert box.row_texts(own)

    rows = [page.evidence.table.item(r, 0).text() for r in range(page.evidence.table.rowCount())]
    page.evidence.table.selectRow(rows.index("fw-rules.csv"))
    prompts(ctx).confirms.extend([True, True])
    qtbot.mouseClick(page.evidence.remove_button, Qt.MouseButton.LeftButton)
    box.select_item(own)
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    assert box.row_texts(own) == []
    assert "Remove your request “Quarterly firewall review export”" in prompts(ctx).asked[-1]
    assert _actions(db, eid, "evidence_request.remove") == [("evidence_request.remove", ARN)]
    assert page.snapshot is not None and page.snapshot.status is ControlStatus.EVIDENCE_ATTACHED


def test_a_signed_off_control_offers_no_request_or_date_changes(
    ctx: AppContext, db: Database, signed_in: AppContext, qtbot: QtBot
) -> None:
    eid = _engagement(db, period=False)
    _attach(db, eid, REVIEW)
    with db.session() as session:
        sign_off(session, get_engagement(session, eid), CONTROL, reviewer="Ana", role="CISO")
    page = _page(ctx, qtbot, eid)
    page.evidence.table.selectRow(0)
    page.evidence.requests.select_item(REVIEW)
    files, box = page.evidence.attached, page.evidence.requests
    assert files.open_button.isEnabled()  # reading never changes a file
    for widget in (files.effective, files.set_effective_button, box.add_button, box.remove_button):
        assert not widget.isEnabled()
