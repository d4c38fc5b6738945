"""A manual control on the control page: no run button, no results, its evidence to add."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.control_page.results_panel import MANUAL_CONTROL_TEXT
from tests.ui.controls_fixtures import db, engagement_id, signed_in  # noqa: F401
from tests.ui.test_control_page import _page


def test_a_manual_control_cannot_be_run_and_says_why(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = _page(ctx, engagement_id, qtbot, "incident-response")
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
    page = _page(ctx, engagement_id, qtbot, "incident-response")
    page.show_control(engagement_id, "sg-inbound")
    assert page.header.run_button.isVisible()
    assert "automated" in page.header.control_id.text()
    assert page.tabs.tabText(1).startswith("Results (4,")


def test_an_inherited_control_says_what_aws_carries(
    ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    page = _page(ctx, engagement_id, qtbot, "aws-data-centres")
    inherited = ctx.catalogue.get("aws-data-centres").inherited
    assert inherited is not None
    assert "inherited from AWS" in page.header.control_id.text()
    assert page.overview.inherited.isVisible()
    assert inherited.scope in page.overview.inherited.text()
    assert "AWS Artifact > Reports" in page.overview.inherited.text()
