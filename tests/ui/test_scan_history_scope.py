"""Scan history in the app: a region only one scan covered is not reported as changed,
and the text says what was not compared."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.controls.results import Status
from app.store.engagements import create_engagement
from app.ui.context import AppContext
from app.ui.main_window import Screen
from tests.report.helpers import region_rows, stored_scan
from tests.ui.conftest import make_window


def test_changes_cover_only_what_both_scans_looked_at(ctx: AppContext, qtbot: QtBot) -> None:
    with ctx.db.session() as session:
        engagement = create_engagement(session, "Acme", actor="t")
        both = ["eu-west-1", "us-east-1"]
        stored_scan(session, engagement, both, region_rows(both, Status.PASS))
        stored_scan(session, engagement, ["us-east-1"], region_rows(["us-east-1"], Status.FAIL))
        engagement_id = engagement.id
    ctx.set_engagement(engagement_id)
    window = make_window(ctx, qtbot)
    window.go_to(Screen.HISTORY)
    window.history.table.selectRow(0)  # newest first

    text = window.history.changes.toPlainText()

    assert "Not compared: region eu-west-1 (scanned by scan 1 only)." in text
    assert "1 change(s) since scan #1" in text
    assert "trail: PASS → FAIL" in text
    assert "eu-west-1]" not in text and "gone" not in text
