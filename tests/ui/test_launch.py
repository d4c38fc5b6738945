"""The composition root: a bad database is refused with a dialog and left untouched.
(The `--demo` hook: tests/demo/test_gui_demo.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.ui import launch
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
