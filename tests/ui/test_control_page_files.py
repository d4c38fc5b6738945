"""Evidence files on the control page: Open (a checked, read-only temp copy handed to the
system) and Save a copy… (where the user chose). The real `Prompts` is used, with Qt's
own `QDesktopServices.openUrl` and `QFileDialog.getSaveFileName` replaced."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.store.attachments import attachments
from app.store.database import Database
from app.store.engagements import get_engagement
from app.store.models import Attachment
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.prompts import Prompts
from tests.ui.controls_fixtures import db, engagement_id, signed_in  # noqa: F401

CONTROL = "backups"
# Bytes no text codec would keep intact: a copy must be byte for byte.
CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\r\n\x00end"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[QUrl]:
    """URLs handed to the desktop (nothing really opens), temp files under tmp_path."""
    urls: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(QUrl(url))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return urls


@pytest.fixture
def page(
    ctx: AppContext,
    engagement_id: int,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> ControlPage:
    """The page with one evidence file added through the dialog, its row selected."""
    ctx.prompts = Prompts()
    source = tmp_path / "restore test: Q3.pdf"
    source.write_bytes(CONTENT)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(source)], ""))
    widget = ControlPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_control(engagement_id, CONTROL)
    widget.tabs.setCurrentWidget(widget.evidence)
    assert not widget.evidence.open_button.isEnabled()  # nothing selected yet
    qtbot.mouseClick(widget.evidence.add_button, Qt.MouseButton.LeftButton)
    widget.evidence.table.selectRow(0)
    return widget


def _stored(db: Database, engagement_id: int) -> tuple[bytes, str]:
    with db.session() as session:
        [file] = attachments(session, get_engagement(session, engagement_id), CONTROL)
        return file.content, file.sha256


def test_open_writes_a_checked_read_only_copy_and_hands_it_to_the_desktop(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot, opened: list[QUrl]
) -> None:
    qtbot.mouseClick(page.evidence.open_button, Qt.MouseButton.LeftButton)
    [url] = opened
    assert url.isLocalFile()
    copy = Path(url.toLocalFile())
    content, sha256 = _stored(db, engagement_id)
    assert copy.read_bytes() == content == CONTENT
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == sha256
    assert copy.name == "restore test: Q3.pdf"
    assert copy.parent.parent == Path(tempfile.gettempdir())
    assert not os.access(copy, os.W_OK) or os.geteuid() == 0  # root writes anything
    assert copy.stat().st_mode & 0o222 == 0
    assert "read-only copy" in page.header.message.text()
    # Keyboard: Enter on the row opens it too, in a folder of its own.
    page.evidence.table.setFocus()
    qtbot.keyClick(page.evidence.table, Qt.Key.Key_Return)
    assert len(opened) == 2 and Path(opened[1].toLocalFile()) != copy
    assert Path(opened[1].toLocalFile()).read_bytes() == CONTENT


def test_open_refuses_bytes_that_no_longer_match_their_hash(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot, opened: list[QUrl]
) -> None:
    with db.session() as session:
        session.execute(update(Attachment).values(content=CONTENT + b"tampered"))
    qtbot.mouseClick(page.evidence.open_button, Qt.MouseButton.LeftButton)
    assert opened == []
    assert "no longer matches the SHA-256" in page.header.message.text()
    assert list(Path(tempfile.gettempdir()).rglob("*.pdf")) == []


def test_open_says_what_to_do_when_no_program_opens_the_file(
    page: ControlPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, opened: list[QUrl]
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    qtbot.mouseClick(page.evidence.open_button, Qt.MouseButton.LeftButton)
    message = page.header.message.text()
    assert "No program on this computer opens" in message and "Save a copy" in message


def test_save_a_copy_where_the_user_chose(
    page: ControlPage,
    db: Database,
    engagement_id: int,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out" / "for-the-auditor.pdf"
    target.parent.mkdir()
    asked: list[str] = []

    def choose(parent: object, title: str, suggested: str, file_filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    qtbot.mouseClick(page.evidence.save_copy_button, Qt.MouseButton.LeftButton)
    content, sha256 = _stored(db, engagement_id)
    assert target.read_bytes() == content == CONTENT
    assert hashlib.sha256(target.read_bytes()).hexdigest() == sha256
    assert asked == [str(Path.home() / "restore test: Q3.pdf")]
    assert str(target) in page.header.message.text()
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no .part left behind
    # Cancelling the dialog writes nothing.
    target.unlink()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    qtbot.mouseClick(page.evidence.save_copy_button, Qt.MouseButton.LeftButton)
    assert not target.exists()


def test_a_signed_off_control_still_opens_and_saves_but_does_not_remove(
    page: ControlPage, qtbot: QtBot, opened: list[QUrl]
) -> None:
    page.tabs.setCurrentWidget(page.sign_off)
    qtbot.keyClicks(page.sign_off.reviewer, "Alex Reviewer")
    qtbot.mouseClick(page.sign_off.sign_button, Qt.MouseButton.LeftButton)
    assert page.snapshot is not None and page.snapshot.locked
    page.tabs.setCurrentWidget(page.evidence)
    page.evidence.table.selectRow(0)
    assert page.evidence.open_button.isEnabled() and page.evidence.save_copy_button.isEnabled()
    assert not page.evidence.remove_button.isEnabled()
    assert not page.evidence.description.isEnabled()
    qtbot.mouseClick(page.evidence.open_button, Qt.MouseButton.LeftButton)
    assert Path(opened[0].toLocalFile()).read_bytes() == CONTENT
    assert page.header.status_text.text() == "Signed off"  # reading changed nothing
