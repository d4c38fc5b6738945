"""Exceptions and sign-off on the control page: lock, explicit unlock, stale shown."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.controls.results import Status
from app.store.audit import audit_log
from app.store.database import Database
from app.store.engagements import get_engagement
from app.store.risk import exceptions
from app.store.signoffs import sign_offs, verify_chain
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from tests.ui.conftest import prompts
from tests.ui.controls_fixtures import ARN, add_scan, db, engagement_id, signed_in  # noqa: F401
from tests.ui.helpers import show_control_page

CONTROL = "sg-inbound"


@pytest.fixture
def page(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> ControlPage:
    return show_control_page(ctx, engagement_id, qtbot, CONTROL)


def _click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def _add_exception(page: ControlPage, qtbot: QtBot, approver: str = "Dana, CTO") -> None:
    panel = page.exceptions
    page.tabs.setCurrentWidget(panel)
    panel.pattern.clear()
    qtbot.keyClicks(panel.pattern, "*sg-0bbb")
    qtbot.keyClicks(panel.justification, "Bastion needs SSH until the VPN lands in Q1.")
    qtbot.keyClicks(panel.approver, approver)
    _click(qtbot, panel.add_button)


def _sign(page: ControlPage, qtbot: QtBot, reviewer: str = "Alex Reviewer") -> None:
    panel = page.sign_off
    page.tabs.setCurrentWidget(panel)
    panel.reviewer.clear()
    qtbot.keyClicks(panel.reviewer, reviewer)
    qtbot.keyClicks(panel.role, "Security officer")
    qtbot.keyClicks(panel.comment, "Reviewed <all> groups")
    _click(qtbot, panel.sign_button)


def test_add_and_revoke_an_exception(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    expiry = datetime.now(UTC).date() + timedelta(days=30)
    page.exceptions.expiry.setDate(QDate(expiry.year, expiry.month, expiry.day))
    _add_exception(page, qtbot)
    with db.session() as session:
        [stored] = exceptions(session, get_engagement(session, engagement_id), CONTROL)
        assert (stored.resource_pattern, stored.approver, stored.expires_on, stored.created_by) == (
            "*sg-0bbb",
            "Dana, CTO",
            expiry,
            ARN,
        )
    table = page.exceptions.table
    assert table.item(0, 0).text() == "Active" and table.item(0, 3).text() == "Dana, CTO"
    assert table.item(0, 4).text() == expiry.isoformat()
    # The only FAIL is covered now; the ERROR row still needs attention (never excused).
    assert page.header.status_text.text() == "Error"
    assert page.exceptions.justification.toPlainText() == ""  # form reset for the next one
    table.selectRow(0)
    assert page.exceptions.revoke_button.isEnabled()
    _click(qtbot, page.exceptions.revoke_button)
    assert table.item(0, 0).text() == "Revoked"
    assert page.header.status_text.text() == "Failing"
    assert not page.exceptions.revoke_button.isEnabled()


def test_exception_needs_justification_and_approver(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    page.tabs.setCurrentWidget(page.exceptions)
    qtbot.keyClicks(page.exceptions.justification, "because")
    _click(qtbot, page.exceptions.add_button)
    assert page.exceptions.message.text() == "An exception needs an approver."
    with db.session() as session:
        assert exceptions(session, get_engagement(session, engagement_id)) == []


def test_sign_off_locks_then_unlock_and_new_evidence_make_it_stale(
    page: ControlPage,
    ctx: AppContext,
    db: Database,
    engagement_id: int,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _add_exception(page, qtbot)
    _sign(page, qtbot)
    assert page.header.status_text.text() == "Signed off"
    assert page.header.banner.isVisible()
    assert page.header.banner_text.text().startswith("Locked: signed off by Alex Reviewer")
    assert page.sign_off.history.count() == 1
    assert "Reviewed <all> groups" in page.sign_off.history.item(0).text()
    # Locked: every edit is disabled, and a drop is refused.
    assert not page.evidence.add_button.isEnabled()
    assert not page.evidence.paste_button.isEnabled()
    assert page.evidence.notes.isReadOnly()
    assert not page.exceptions.add_button.isEnabled()
    assert not page.sign_off.sign_button.isEnabled()
    evidence = tmp_path / "review.txt"
    evidence.write_text("quarterly access review")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(evidence))])
    drop = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page.evidence, drop)
    assert not drop.isAccepted()
    assert page.evidence.table.rowCount() == 0
    with db.session() as session:
        [signed] = sign_offs(session, get_engagement(session, engagement_id), CONTROL)
        original = (signed.id, signed.record_hash, signed.approved_hash, signed.comment)

    # Declining the confirmation keeps it locked.
    prompts(ctx).confirms.append(False)
    _click(qtbot, page.header.unlock_button)
    assert not page.evidence.add_button.isEnabled()
    prompts(ctx).confirms.append(True)
    _click(qtbot, page.header.unlock_button)
    assert "sign-off stale" in prompts(ctx).asked[-1]
    assert page.evidence.add_button.isEnabled()
    assert page.header.banner_text.text().startswith("Unlocked:")

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(evidence)], ""))
    page.tabs.setCurrentWidget(page.evidence)
    _click(qtbot, page.evidence.add_button)
    assert page.header.status_text.text() == "Sign-off stale"
    banner = page.header.banner_text.text()
    assert banner.startswith("Sign-off stale: signed off by Alex Reviewer")
    assert "evidence added by" in banner
    assert "STALE" in page.sign_off.state.text()
    assert page.sign_off.sign_button.isEnabled()
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        [still] = sign_offs(session, engagement, CONTROL)
        assert (still.id, still.record_hash, still.approved_hash, still.comment) == original
        assert verify_chain(session, engagement).ok
        assert "control.unlock" in [e.action for e in audit_log(session, engagement)]

    # Signing again appends to the chain and locks once more.
    _sign(page, qtbot, reviewer="Sam Second")
    assert page.header.status_text.text() == "Signed off"
    assert page.sign_off.history.count() == 2
    assert page.sign_off.history.item(0).text().startswith("Sam Second")


def test_a_new_scan_makes_a_sign_off_stale(
    page: ControlPage, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    _sign(page, qtbot)
    assert page.header.status_text.text() == "Signed off"
    add_scan(
        db,
        engagement_id,
        [("us-east-1", "sg-0aaa", Status.PASS, "fine")],
        datetime.now(UTC) + timedelta(seconds=1),
    )
    ctx.notify_data_changed(engagement_id)
    assert page.header.status_text.text() == "Sign-off stale"
    assert "new scan results" in page.header.banner_text.text()
    assert not page.header.unlock_button.isVisible()


def test_sign_off_needs_a_reviewer(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    page.tabs.setCurrentWidget(page.sign_off)
    _click(qtbot, page.sign_off.sign_button)
    assert page.sign_off.message.text() == "A sign-off needs the reviewer's name."
    with db.session() as session:
        assert sign_offs(session, get_engagement(session, engagement_id)) == []
