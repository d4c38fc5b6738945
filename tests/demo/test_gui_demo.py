"""`audit-binder --demo`: the launch hook opens the desktop app on the demo engagement,
signed in, in its own DB, and a check run from the app reaches the demo's fake AWS."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store.database import open_database
from app.store.engagements import list_engagements
from app.store.scans import scans
from app.ui.launch import build_context, start_demo, stop_demo
from app.ui.main_window import MainWindow, Screen
from app.ui.settings import AppSettings
from app.ui.workers import ImmediatePool

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("aws_managed_policies")]


def test_gui_demo_shows_the_demo_engagement_and_runs_checks_on_the_fake_account(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_db = tmp_path / "demo.sqlite3"
    monkeypatch.setenv("AUDIT_BINDER_DEMO_DB", str(demo_db))
    mine = tmp_path / "mine.sqlite3"
    ctx = build_context(AppSettings.at(tmp_path / "settings.ini"), ImmediatePool(), mine)
    try:
        start_demo(ctx)
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()

        assert ctx.db.path == demo_db  # never the user's own DB
        assert ctx.signed_in is not None and ctx.signed_in.account_id == "123456789012"
        assert ctx.engagement_id is not None
        assert window.current_screen is Screen.ENGAGEMENTS
        assert "Northwind Robotics" in window.header.engagement_label.text()
        assert "demo" in window.header.engagement_label.text()
        assert not window.header.demo_badge.isHidden()  # labelled demo in the UI
        assert "123456789012" in window.header.account_label.text()
        # The demo comes scanned: every automated control has results.
        statuses = window.checklist.checklist.statuses
        assert "not_checked" not in [statuses[c] for c in ctx.catalogue.automated_ids]
        assert ctx.settings.last_engagement() is None  # demo ids stay out of the settings

        # A check run from the app goes to the demo's fake AWS and lands in the demo DB.
        with qtbot.waitSignal(ctx.scans.scan_finished, timeout=120_000):  # type: ignore[union-attr]
            assert ctx.scans is not None and ctx.scans.run_checks(ctx.engagement_id, ["nacls"])
        with ctx.db.session() as session:
            (engagement,) = list_engagements(session)
            assert engagement.is_demo
            # Newest first: the app's check, the demo's own scan, then its generated history.
            newest = scans(session, engagement)[:2]
            assert [s.state for s in newest] == ["complete", "complete"]
            assert newest[0].controls == ["nacls"] and newest[1].controls == []
    finally:
        stop_demo(ctx)
        ctx.db.close()
    # The user's own database holds no demo data.
    with open_database(mine) as db, db.session() as session:
        assert list_engagements(session) == []
