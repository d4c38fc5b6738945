"""GUI test fixtures: a real store on a temp file, the real catalogue, injected answers.

`ctx` runs workers synchronously (`ImmediatePool`) so flows are deterministic;
`threaded_ctx` uses a real `QThreadPool` for the tests about threads. Modal
questions (confirmations, file choosers) are answered by `FakePrompts`, which also
records the URLs and files the app asked to open: no test opens a real browser.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.launch import build_context
from app.ui.main_window import MainWindow
from app.ui.prompts import Prompts
from app.ui.settings import AppSettings
from app.ui.workers import ImmediatePool, TaskPool
from tests.conftest import new_sqlite_store

MOTO_PROFILE = "moto-static"


class FakePrompts(Prompts):
    """Answers queued by the test; unanswered questions fail loudly."""

    def __init__(self) -> None:
        self.confirms: deque[bool] = deque()
        self.paths: deque[Path | None] = deque()
        self.texts: deque[str | None] = deque()
        self.passwords: deque[str | None] = deque()
        self.asked: list[str] = []
        self.opened_urls: list[str] = []
        self.opened_files: list[Path] = []

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str = "OK") -> bool:
        self.asked.append(text)
        assert self.confirms, f"unexpected confirmation: {title}: {text}"
        return self.confirms.popleft()

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, file_filter: str
    ) -> Path | None:
        self.asked.append(title)
        assert self.paths, f"unexpected file chooser: {title}"
        return self.paths.popleft()

    def open_path(self, parent: QWidget | None, title: str, file_filter: str) -> Path | None:
        self.asked.append(title)
        assert self.paths, f"unexpected file chooser: {title}"
        return self.paths.popleft()

    def password(self, parent: QWidget | None, title: str, label: str) -> str | None:
        self.asked.append(label)
        assert self.passwords, f"unexpected password question: {label}"
        return self.passwords.popleft()

    def text(self, parent: QWidget | None, title: str, label: str, value: str = "") -> str | None:
        self.asked.append(label)
        assert self.texts, f"unexpected text question: {label}"
        return self.texts.popleft()

    def open_url(self, url: str) -> bool:
        self.opened_urls.append(url)
        return True

    def open_file(self, path: Path) -> bool:
        self.opened_files.append(path)
        return True


def _context(tmp_path: Path, pool: TaskPool) -> AppContext:
    settings = AppSettings.at(tmp_path / "settings.ini")
    ctx = build_context(settings, pool, db_path=new_sqlite_store(tmp_path / "ui.sqlite3"))
    ctx.prompts = FakePrompts()
    return ctx


@pytest.fixture
def ctx(qapp: object, tmp_path: Path) -> Iterator[AppContext]:
    context = _context(tmp_path, ImmediatePool())
    yield context
    context.db.close()


@pytest.fixture
def threaded_ctx(qapp: object, tmp_path: Path) -> Iterator[AppContext]:
    pool = QThreadPool()
    context = _context(tmp_path, pool)
    yield context
    context.workers.cancel_all()
    pool.waitForDone(30000)
    context.db.close()


def prompts(ctx: AppContext) -> FakePrompts:
    assert isinstance(ctx.prompts, FakePrompts)
    return ctx.prompts


@pytest.fixture
def moto_profile(aws: str) -> str:
    """A static-keys profile in ~/.aws/config whose endpoint is the moto server."""
    config = Path.home() / ".aws" / "config"
    config.write_text(
        f"[profile {MOTO_PROFILE}]\n"
        "aws_access_key_id = testing\n"
        "aws_secret_access_key = testing\n"
        "region = us-east-1\n"
        f"endpoint_url = {aws}\n"
        "\n[profile broken-role]\nrole_arn = arn:aws:iam::123456789012:role/x\n",
        encoding="utf-8",
    )
    return MOTO_PROFILE


def make_window(ctx: AppContext, qtbot: QtBot) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(window, qtbot)
    return window


def activate(window: QWidget, qtbot: QtBot) -> None:
    """Make `window` the focus window: its shortcuts (F5, Ctrl+E...) only fire then.

    Offscreen there is no window manager to hand activation back after a dialog.
    """
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is window.windowHandle(), timeout=5000)
