"""Manual evidence on the control page: dialog, drag and drop, pasted screenshot, notes."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from app.store.attachments import attachments
from app.store.control_states import control_state
from app.store.database import Database
from app.store.engagements import get_engagement
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from tests.ui.controls_fixtures import ARN, db, engagement_id, signed_in  # noqa: F401

CONTROL = "backups"


@pytest.fixture
def page(ctx: AppContext, engagement_id: int, qtbot: QtBot) -> ControlPage:
    widget = ControlPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_control(engagement_id, CONTROL)
    widget.tabs.setCurrentWidget(widget.evidence)
    return widget


def _stored(db: Database, engagement_id: int) -> list[tuple[str, str, bytes, str, str]]:
    with db.session() as session:
        files = attachments(session, get_engagement(session, engagement_id), CONTROL)
        return [(a.original_name, a.sha256, a.content, a.evidence_item, a.added_by) for a in files]


def _table(page: ControlPage) -> list[list[str]]:
    table = page.evidence.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_add_files_through_the_dialog(
    page: ControlPage,
    db: Database,
    engagement_id: int,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    restore = tmp_path / "restore-test-2026-10.pdf"
    restore.write_bytes(b"%PDF-1.4 restore test record")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(restore)], "All files (*)")
    )
    item = ctx_first_item(page)
    page.evidence.item_choice.setCurrentIndex(page.evidence.item_choice.findData(item.id))
    qtbot.keyClicks(page.evidence.description, "Restore-test record <Q3>")
    qtbot.mouseClick(page.evidence.add_button, Qt.MouseButton.LeftButton)
    stored = _stored(db, engagement_id)
    digest = hashlib.sha256(restore.read_bytes()).hexdigest()
    assert stored == [(restore.name, digest, restore.read_bytes(), item.id, ARN)]
    with db.session() as session:
        [added] = attachments(session, get_engagement(session, engagement_id), CONTROL)
        assert added.description == "Restore-test record <Q3>"
    row = _table(page)[0]
    assert row[0] == restore.name and row[1] == "Restore-test record <Q3>"
    assert row[2] == item.title
    assert row[3] == f"{date.today().isoformat()}"
    assert row[5] == digest[:16] + "…" and row[6] == "founder@example.com"
    assert page.evidence.table.item(0, 6).toolTip() == ARN
    assert page.evidence.table.item(0, 5).toolTip() == digest
    # The description was for those files; the next ones start blank.
    assert page.evidence.description.text() == ""
    assert page.evidence.requests.row_texts(item.id)[:2] == [item.title, "✓ 1 file"]
    assert page.tabs.tabText(3).endswith("(1)")


def ctx_first_item(page: ControlPage):  # type: ignore[no-untyped-def]
    assert page.snapshot is not None
    items = page.snapshot.control.manual_evidence
    assert items, "the control should ask for manual evidence"
    return items[0]


def test_drop_files_on_the_tab(
    page: ControlPage, db: Database, engagement_id: int, tmp_path: Path
) -> None:
    files = [tmp_path / "runbook.md", tmp_path / "backup-plan.json"]
    files[0].write_text("# Restore runbook\n", encoding="utf-8")
    files[1].write_text('{"plan": "daily"}', encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    centre = page.evidence.rect().center()  # QDragEnterEvent takes a QPoint
    enter = QDragEnterEvent(
        centre,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page.evidence, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page.evidence, drop)
    assert drop.isAccepted()
    assert sorted(name for name, *_ in _stored(db, engagement_id)) == sorted(f.name for f in files)
    assert len(_table(page)) == 2


def test_paste_a_screenshot_from_the_clipboard(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    QGuiApplication.clipboard().setImage(image)
    qtbot.mouseClick(page.evidence.paste_button, Qt.MouseButton.LeftButton)
    [(name, _sha, content, _item, _who)] = _stored(db, engagement_id)
    assert name.startswith("screenshot-") and name.endswith(".png")
    assert content.startswith(b"\x89PNG\r\n\x1a\n")
    back = QImage.fromData(content, "PNG")
    assert (back.width(), back.height()) == (40, 20)
    assert back.pixelColor(5, 5) == QColor("#3366cc")


def test_paste_without_an_image_says_so(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    QGuiApplication.clipboard().setText("just text")
    qtbot.mouseClick(page.evidence.paste_button, Qt.MouseButton.LeftButton)
    assert "no image" in page.header.message.text()
    assert _stored(db, engagement_id) == []


def test_unreadable_choice_is_refused_with_a_message(
    page: ControlPage,
    db: Database,
    engagement_id: int,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    good = tmp_path / "good.txt"
    good.write_text("fine")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(good), str(empty)], "")
    )
    qtbot.mouseClick(page.evidence.add_button, Qt.MouseButton.LeftButton)
    assert "empty.txt" in page.header.message.text() and "empty" in page.header.message.text()
    # All or nothing: the good file was not half-added either.
    assert _stored(db, engagement_id) == []


def test_notes_are_saved_explicitly_and_markup_stays_literal(
    page: ControlPage, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    notes = "Restores are tested <b>quarterly</b> by <i>ops</i> & logged."
    assert not page.evidence.save_notes_button.isEnabled()
    page.evidence.notes.setFocus()
    qtbot.keyClicks(page.evidence.notes, notes)
    assert page.evidence.notes_state.text() == "Unsaved changes"
    with db.session() as session:
        assert control_state(session, get_engagement(session, engagement_id), CONTROL) is None
    qtbot.mouseClick(page.evidence.save_notes_button, Qt.MouseButton.LeftButton)
    with db.session() as session:
        state = control_state(session, get_engagement(session, engagement_id), CONTROL)
        assert state is not None and state.notes == notes
    # A fresh page shows the very characters typed, never rendered markup.
    other = ControlPage(ctx)
    qtbot.addWidget(other)
    other.show_control(engagement_id, CONTROL)
    assert other.evidence.notes.toPlainText() == notes
    assert not other.evidence.save_notes_button.isEnabled()
    assert other.evidence.notes.document().toHtml().count("<b>") == 0


def test_files_are_read_in_a_worker_and_stored_on_the_gui_thread(
    ctx: AppContext,
    db: Database,
    engagement_id: int,
    tmp_path: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from PySide6.QtCore import QThreadPool

    from app.services import control_edits
    from app.ui.control_page import attachment_files
    from app.ui.workers import WorkerRegistry

    pool = QThreadPool()
    ctx.pool = pool
    ctx.workers = WorkerRegistry(pool)
    threads: dict[str, str] = {}
    real_read, real_add = attachment_files.read_files, control_edits.add_attachments

    def spy_read(*args: object, **kwargs: object) -> object:
        threads["read"] = threading.current_thread().name
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    def spy_add(*args: object, **kwargs: object) -> object:
        threads["store"] = threading.current_thread().name
        return real_add(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(attachment_files, "read_files", spy_read)
    monkeypatch.setattr(control_edits, "add_attachments", spy_add)
    big = tmp_path / "flow-logs-export.csv"
    big.write_bytes(b"ts,src,dst,action\n" * 200_000)  # ~3.6 MB
    widget = ControlPage(ctx)
    qtbot.addWidget(widget)
    widget.show_control(engagement_id, CONTROL)
    with qtbot.waitSignal(widget.changed, timeout=20_000):
        widget.evidence.files_chosen.emit([str(big)])
    pool.waitForDone()
    assert threads["read"] != threading.main_thread().name
    assert threads["store"] == threading.main_thread().name
    [(name, digest, _content, _item, _who)] = _stored(db, engagement_id)
    assert name == big.name and digest == hashlib.sha256(big.read_bytes()).hexdigest()


def test_unsaved_notes_survive_a_reload_and_a_visit_to_another_control(
    page: ControlPage, ctx: AppContext, engagement_id: int, qtbot: QtBot
) -> None:
    qtbot.keyClicks(page.evidence.notes, "Draft: restore tested on")
    # A scan elsewhere finished: everything reloads, the draft stays.
    ctx.notify_data_changed(engagement_id)
    assert page.evidence.notes.toPlainText() == "Draft: restore tested on"
    assert page.evidence.notes_state.text() == "Unsaved changes"
    page.show_control(engagement_id, "cloudtrail")
    assert page.evidence.notes.toPlainText() == ""
    page.show_control(engagement_id, CONTROL)
    assert page.evidence.notes.toPlainText() == "Draft: restore tested on"
    assert page.evidence.save_notes_button.isEnabled()
    qtbot.mouseClick(page.evidence.save_notes_button, Qt.MouseButton.LeftButton)
    assert page.evidence.notes_state.text() == ""
    page.show_control(engagement_id, "cloudtrail")
    page.show_control(engagement_id, CONTROL)
    assert page.evidence.notes.toPlainText() == "Draft: restore tested on"
    assert not page.evidence.save_notes_button.isEnabled()


def test_remove_a_file_after_confirmation(
    page: ControlPage, ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    from app.store.audit import audit_log
    from tests.ui.conftest import prompts

    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("#000000"))
    QGuiApplication.clipboard().setImage(image)
    qtbot.mouseClick(page.evidence.paste_button, Qt.MouseButton.LeftButton)
    assert not page.evidence.remove_button.isEnabled()  # nothing selected yet
    page.evidence.table.selectRow(0)
    prompts(ctx).confirms.append(False)
    qtbot.mouseClick(page.evidence.remove_button, Qt.MouseButton.LeftButton)
    assert len(_stored(db, engagement_id)) == 1
    page.evidence.table.selectRow(0)
    prompts(ctx).confirms.append(True)
    qtbot.mouseClick(page.evidence.remove_button, Qt.MouseButton.LeftButton)
    assert _stored(db, engagement_id) == []
    assert page.evidence.table.rowCount() == 0
    with db.session() as session:
        actions = [e.action for e in audit_log(session, get_engagement(session, engagement_id))]
    assert actions.count("attachment.remove") == 1


def test_notes_changed_by_someone_else_meanwhile_are_not_overwritten(
    page: ControlPage, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    from app.store.control_states import set_control_state

    page.evidence.notes.setFocus()
    qtbot.keyClicks(page.evidence.notes, "Ana: restore tested in May")
    with db.session() as session:  # Bob, in his own app on the same store, saves first
        engagement = get_engagement(session, engagement_id)
        set_control_state(session, engagement, CONTROL, actor="bob", notes="Bob: tested in June")
    qtbot.mouseClick(page.evidence.save_notes_button, Qt.MouseButton.LeftButton)
    said = page.header.message.text()
    assert "changed by bob" in said and "save it again" in said
    assert page.evidence.notes.toPlainText() == "Ana: restore tested in May"  # kept
    with db.session() as session:
        state = control_state(session, get_engagement(session, engagement_id), CONTROL)
        assert state is not None and state.notes == "Bob: tested in June"
    # Told, Ana saves again on purpose: now hers replaces his.
    qtbot.mouseClick(page.evidence.save_notes_button, Qt.MouseButton.LeftButton)
    with db.session() as session:
        state = control_state(session, get_engagement(session, engagement_id), CONTROL)
        assert state is not None and state.notes == "Ana: restore tested in May"
