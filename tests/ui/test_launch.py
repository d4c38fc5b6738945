"""The composition root: a bad database is refused with a dialog and left untouched; --demo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.ui import launch
from app.ui.context import AppContext
from app.ui.main_window import MainWindow, Screen
from tests.ui.helpers import on_modal


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(os.environ["AUDIT_BINDER_DB"])
    path.write_bytes(b"my tax return, not a database" * 10)
    before = path.read_bytes()
    # No process-wide side effects from the test: no excepthook, no file log handler.
    monkeypatch.setattr(launch, "install_excepthook", lambda log_file: None)
    monkeypatch.setattr(launch, "configure_logging", lambda: None)
    seen: list[str] = []

    def quit_(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        quit_button = next(b for b in box.buttons() if b.text() == "Quit")
        quit_button.click()

    problems = on_modal(quit_)
    assert launch.run_gui() == 1  # could not: README's exit codes
    assert problems == []
    assert "not an Audit Binder database" in seen[0]
    assert str(path) in seen[0]
    assert path.read_bytes() == before


@pytest.mark.slow
def test_the_demo_hook_opens_the_demo_engagement_signed_in(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_BINDER_DEMO_DB", str(tmp_path / "demo.sqlite3"))
    user_db = ctx.db.path
    launch.start_demo(ctx)
    try:
        assert ctx.db.path == tmp_path / "demo.sqlite3"  # never the user's own DB
        assert ctx.db.path != user_db
        assert ctx.signed_in is not None and ctx.signed_in.account_id == "123456789012"
        assert ctx.engagement_id is not None
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        assert window.current_screen is Screen.ENGAGEMENTS
        assert "demo" in window.header.engagement_label.text()
        assert not window.header.demo_badge.isHidden()  # labelled demo in the UI
        statuses = window.checklist.checklist.statuses
        # The demo comes scanned: every automated control has results.
        assert "not_checked" not in [statuses[c] for c in ctx.catalogue.automated_ids]
        assert ctx.settings.last_engagement() is None  # demo ids stay out of the settings
    finally:
        launch.stop_demo(ctx)
        QApplication.processEvents()
