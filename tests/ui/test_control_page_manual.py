"""A manual control on the control page: no run button, no results, its evidence to add."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.store.attachments import attachments
from app.store.engagements import get_engagement
from app.store.risk import exceptions
from app.store.signoffs import sign_offs
from app.ui.context import AppContext
from app.ui.control_page.results_panel import MANUAL_CONTROL_TEXT
from tests.ui.controls_fixtures import db, engagement_id, signed_in  # noqa: F401
from tests.ui.helpers import show_control_page


def test_a_manual_control_cannot_be_run_and_says_why(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, "incident-response")
    control = ctx.catalogue.get("incident-response")
    assert page.header.title.text() == control.title
    assert "manual" in page.header.control_id.text()
    assert not page.header.run_button.isVisible()
    assert page.tabs.tabText(1) == "Results (manual control)"
    page.tabs.setCurrentWidget(page.results)
    assert page.results.empty_text.text() == MANUAL_CONTROL_TEXT
    assert not page.results.empty_run.isVisible()
    assert page.results.model.rowCount() == 0
    manual = page.overview.manual.text()
    assert all(item.title in manual for item in control.manual_evidence)
    assert not page.overview.inherited.isVisible()
    emitted: list[str] = []
    page.run_requested.connect(emitted.append)
    page.header.run_requested.emit()  # e.g. a stale shortcut: still nothing to run
    assert emitted == []


def test_the_run_button_returns_for_an_automated_control(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, "incident-response")
    page.show_control(engagement_id, "sg-inbound")
    assert page.header.run_button.isVisible()
    assert "automated" in page.header.control_id.text()
    assert page.tabs.tabText(1).startswith("Results (4,")


def test_an_inherited_control_says_what_aws_carries(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, "aws-data-centres")
    inherited = ctx.catalogue.get("aws-data-centres").inherited
    assert inherited is not None
    assert "inherited from AWS" in page.header.control_id.text()
    assert page.overview.inherited.isVisible()
    assert inherited.scope in page.overview.inherited.text()
    assert "AWS Artifact > Reports" in page.overview.inherited.text()


def test_a_manual_control_takes_evidence_notes_an_exception_and_a_sign_off(
    ctx: AppContext,
    engagement_id: int,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = show_control_page(ctx, engagement_id, qtbot, "incident-response")
    control = ctx.catalogue.get("incident-response")
    plan = tmp_path / "incident-plan.pdf"
    plan.write_bytes(b"%PDF-1.4 incident response plan")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(plan)], "All files (*)")
    )
    page.tabs.setCurrentWidget(page.evidence)
    item = control.manual_evidence[0]
    page.evidence.choose_item(item.id)
    qtbot.mouseClick(page.evidence.add_button, Qt.MouseButton.LeftButton)
    assert page.evidence.requests.row_texts(item.id)[:2] == [item.title, "✓ 1 file"]
    qtbot.keyClicks(page.evidence.notes, "Plan reviewed after the tabletop exercise.")
    qtbot.mouseClick(page.evidence.save_notes_button, Qt.MouseButton.LeftButton)

    page.tabs.setCurrentWidget(page.exceptions)
    qtbot.keyClicks(page.exceptions.justification, "Second tabletop exercise moved to Q1.")
    qtbot.keyClicks(page.exceptions.approver, "Dana, CTO")
    qtbot.mouseClick(page.exceptions.add_button, Qt.MouseButton.LeftButton)
    assert page.tabs.tabText(4) == "Exceptions (1)"

    page.tabs.setCurrentWidget(page.sign_off)
    qtbot.keyClicks(page.sign_off.reviewer, "Alex Reviewer")
    qtbot.keyClicks(page.sign_off.role, "Security officer")
    qtbot.mouseClick(page.sign_off.sign_button, Qt.MouseButton.LeftButton)
    assert page.header.status_text.text() == "Signed off"
    assert page.header.banner_text.text().startswith("Locked: signed off by Alex Reviewer")
    with ctx.db.session() as session:
        engagement = get_engagement(session, engagement_id)
        [stored] = attachments(session, engagement, "incident-response")
        assert (stored.original_name, stored.evidence_item) == (plan.name, item.id)
        assert len(exceptions(session, engagement, "incident-response")) == 1
        assert [s.reviewer for s in sign_offs(session, engagement, "incident-response")] == [
            "Alex Reviewer"
        ]
