"""Owner and applicability on the control page's Overview tab: stored through the store,
audit-logged, locked by a sign-off, and read back by the binder's Statement of
Applicability."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.report.data import gather
from app.store.audit import audit_log
from app.store.control_states import control_state
from app.store.database import Database
from app.store.engagements import get_engagement
from app.ui.checklist_view import ChecklistView
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.control_page.applicability_box import REASON_NEEDED
from tests.ui.conftest import activate, prompts
from tests.ui.controls_fixtures import ARN, db, engagement_id, signed_in  # noqa: F401

CONTROL = "backups"
REASON = "No data stores: the product keeps nothing <at rest> & is stateless."


@pytest.fixture
def page(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> ControlPage:
    widget = ControlPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_control(engagement_id, CONTROL)
    widget.tabs.setCurrentWidget(widget.overview)
    return widget


def _click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def _stored(db: Database, engagement_id: int) -> tuple[str, str, str] | None:
    with db.session() as session:
        state = control_state(session, get_engagement(session, engagement_id), CONTROL)
        if state is None:
            return None
        return (state.owner, state.applicability, state.applicability_reason)


def test_owner_and_not_applicable_need_a_reason_then_are_stored_and_logged(
    page: ControlPage, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    box = page.overview.applicability
    assert box.applicable.isChecked() and not box.reason.isVisible()
    assert not box.save_button.isEnabled()  # nothing to save yet
    qtbot.keyClicks(box.owner, "Dana (CTO)")
    _click(qtbot, box.not_applicable)
    assert box.reason.isVisible() and box.state.text() == "Unsaved changes"
    _click(qtbot, box.save_button)
    assert box.message.text() == REASON_NEEDED
    assert _stored(db, engagement_id) is None  # nothing reached the store
    qtbot.keyClicks(box.reason, REASON)
    _click(qtbot, box.save_button)
    assert _stored(db, engagement_id) == ("Dana (CTO)", "not_applicable", REASON)
    assert box.message.text() == "" and box.state.text() == ""
    assert not box.save_button.isEnabled()
    header = page.header.control_id.text()
    assert "owner: Dana (CTO)" in header and "not applicable" in header
    assert REASON in page.header.control_id.toolTip()
    assert page.header.status_text.text() == "Not applicable"
    with db.session() as session:
        [entry] = [
            e
            for e in audit_log(session, get_engagement(session, engagement_id))
            if e.action == "control.update"
        ]
        assert (entry.actor, entry.target) == (ARN, CONTROL)
        assert entry.detail["owner"] == {"from": "", "to": "Dana (CTO)"}
        assert entry.detail["applicability"] == {"from": "in_scope", "to": "not_applicable"}
    # The binder's Statement of Applicability reads what was stored.
    with db.session() as session:
        data = gather(session, "Acme 2026", catalogue=ctx.catalogue)
    [section] = [s for s in data.controls if s.control.id == CONTROL]
    assert (section.owner, section.applicable, section.applicability_reason) == (
        "Dana (CTO)",
        False,
        REASON,
    )
    assert data.statement is not None
    behind = [c for row in data.statement.rows for c in row.controls if c.id == CONTROL]
    assert behind and not any(c.applicable for c in behind), "the SoA rows should see it"
    # The checklist counts it as not applicable.
    ctx.set_engagement(engagement_id)
    checklist = ChecklistView(ctx)
    qtbot.addWidget(checklist)
    assert "1 not applicable" in checklist.progress_labels["iso27001"].text()
    status = checklist.model.itemFromIndex(checklist._index_of(CONTROL).siblingAtColumn(1))
    assert status.text() == "Not applicable" and CONTROL in checklist.excluded


def test_back_to_applicable_drops_the_reason(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    box = page.overview.applicability
    _click(qtbot, box.not_applicable)
    qtbot.keyClicks(box.reason, REASON)
    _click(qtbot, box.save_button)
    assert _stored(db, engagement_id) == ("", "not_applicable", REASON)
    # Keyboard: the radio buttons answer their mnemonics.
    activate(page, qtbot)
    box.owner.setFocus()
    qtbot.keyClick(box.owner, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(box.applicable.isChecked)  # a mnemonic "animates" the click (~100 ms)
    assert not box.reason.isVisible()
    _click(qtbot, box.save_button)
    assert _stored(db, engagement_id) == ("", "in_scope", "")
    assert "not applicable" not in page.header.control_id.text()
    assert page.header.status_text.text() == "Not checked"


def test_unsaved_owner_survives_a_reload_but_not_a_new_control(
    page: ControlPage, ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    box = page.overview.applicability
    qtbot.keyClicks(box.owner, "Sam")
    ctx.notify_data_changed(engagement_id)  # e.g. a scan finished elsewhere
    assert box.owner.text() == "Sam" and box.state.text() == "Unsaved changes"
    page.show_control(engagement_id, "cloudtrail")
    assert box.owner.text() == "" and not box.save_button.isEnabled()


def test_sign_off_locks_owner_and_applicability_until_unlocked(
    page: ControlPage, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    box = page.overview.applicability
    qtbot.keyClicks(box.owner, "Dana")
    _click(qtbot, box.save_button)
    page.tabs.setCurrentWidget(page.sign_off)
    qtbot.keyClicks(page.sign_off.reviewer, "Alex Reviewer")
    _click(qtbot, page.sign_off.sign_button)
    page.tabs.setCurrentWidget(page.overview)
    assert page.header.status_text.text() == "Signed off"
    assert "owner and applicability" in page.header.banner_text.text()
    for widget in (box.owner, box.applicable, box.not_applicable):
        assert not widget.isEnabled()
    assert not box.save_button.isEnabled()
    prompts(ctx).confirms.append(True)
    _click(qtbot, page.header.unlock_button)
    assert box.owner.isEnabled() and box.not_applicable.isEnabled()
    _click(qtbot, box.not_applicable)
    qtbot.keyClicks(box.reason, REASON)
    _click(qtbot, box.save_button)
    assert _stored(db, engagement_id) == ("Dana", "not_applicable", REASON)
    # Applicability is part of what a reviewer approves: the sign-off is stale now. The
    # status word says "Not applicable" (as the checklist and binder do); the banner, stale.
    assert page.snapshot is not None and page.snapshot.status == "stale"
    assert page.header.status_text.text() == "Not applicable"
    assert page.header.banner_text.text().startswith("Sign-off stale")
    assert "owner or applicability changed" in page.header.banner_text.text()
