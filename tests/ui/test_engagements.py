"""Engagements as a user handles them: create, switch, edit, delete, export and import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.engagement_dialog import EngagementDialog
from app.ui.main_window import MainWindow, Screen
from tests.ui.conftest import make_window, prompts
from tests.ui.helpers import create_via_dialog, fill_dialog, on_modal


def rows(window: MainWindow) -> list[str]:
    """Names as listed; the open one marked " (open)" (the ✓ column)."""
    table = window.engagements.table
    return [
        table.item(r, 1).text() + (" (open)" if table.item(r, 0).text() == "✓" else "")
        for r in range(table.rowCount())
    ]


def test_create_opens_the_new_engagement(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(
        window,
        qtbot,
        "Acme SOC 2",
        client="Acme Ltd",
        account="123456789012",
        soc2=False,
        period=(date(2026, 1, 1), date(2026, 12, 31)),
    )
    assert window.current_screen is Screen.CHECKLIST
    assert "Acme SOC 2" in window.header.engagement_label.text()
    info = window.engagements.selected()
    assert info is not None
    assert (info.client, info.frameworks, info.regions) == (
        "Acme Ltd",
        ("iso27001",),
        ("us-east-1",),
    )
    assert [a.account_id for a in info.accounts] == ["123456789012"]
    assert info.period_text == "2026-01-01 → 2026-12-31"


def test_bad_input_keeps_the_dialog_open_with_the_reason(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(window, qtbot, "Taken")
    seen: list[str] = []

    def duplicate(dialog: QWidget) -> None:
        fill_dialog(qtbot, dialog, name="Taken")
        assert isinstance(dialog, EngagementDialog)
        seen.append(dialog.error_label.text())
        fill_dialog(qtbot, dialog, name="Other", account="12345")
        seen.append(dialog.error_label.text())
        dialog.reject()

    problems = on_modal(duplicate)
    qtbot.mouseClick(window.engagements.new_button, Qt.MouseButton.LeftButton)
    assert problems == []
    assert "already exists" in seen[0]
    assert "not an AWS account id" in seen[1]
    assert rows(window) == ["Taken (open)"]


def test_switch_edit_and_delete(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    first = create_via_dialog(window, qtbot, "First")
    second = create_via_dialog(window, qtbot, "Second")
    assert ctx.engagement_id == second
    window.go_to(Screen.ENGAGEMENTS)
    assert rows(window) == ["First", "Second (open)"]

    # Switch with the keyboard: select the first row, press Enter.
    window.engagements.table.selectRow(0)
    window.engagements.table.setFocus()
    qtbot.keyClick(window.engagements.table, Qt.Key.Key_Return)
    assert ctx.engagement_id == first
    assert window.current_screen is Screen.CHECKLIST

    window.go_to(Screen.ENGAGEMENTS)
    window.engagements.table.selectRow(0)
    problems = on_modal(lambda d: fill_dialog(qtbot, d, name="First renamed", regions="eu-west-1"))
    qtbot.mouseClick(window.engagements.edit_button, Qt.MouseButton.LeftButton)
    assert problems == []
    assert rows(window) == ["First renamed (open)", "Second"]
    assert "First renamed" in window.header.engagement_label.text()

    # Delete asks first; "no" keeps it.
    prompts(ctx).confirms.extend([False, True])
    window.engagements.table.selectRow(0)
    qtbot.mouseClick(window.engagements.delete_button, Qt.MouseButton.LeftButton)
    assert rows(window) == ["First renamed (open)", "Second"]
    qtbot.mouseClick(window.engagements.delete_button, Qt.MouseButton.LeftButton)
    assert rows(window) == ["Second"]
    assert ctx.engagement_id is None
    assert "keyring" in prompts(ctx).asked[-1]
    assert window.header.engagement_label.text() == "No engagement open"


def test_delete_also_forgets_the_keyring_secrets(ctx: AppContext, qtbot: QtBot) -> None:
    from app.secrets import HandedRole

    window = make_window(ctx, qtbot)
    engagement_id = create_via_dialog(window, qtbot, "Client with role")
    ctx.secrets.save_role(engagement_id, HandedRole("arn:aws:iam::123456789012:role/Audit", "x"))
    assert ctx.secrets.load_role(engagement_id) is not None
    window.go_to(Screen.ENGAGEMENTS)
    prompts(ctx).confirms.append(True)
    qtbot.mouseClick(window.engagements.delete_button, Qt.MouseButton.LeftButton)
    assert ctx.secrets.load_role(engagement_id) is None


def test_export_then_import_as_one_file(ctx: AppContext, qtbot: QtBot, tmp_path: Path) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(window, qtbot, "Travelling", client="Acme", account="123456789012")
    window.go_to(Screen.ENGAGEMENTS)
    exported = tmp_path / "travelling.abengagement"
    prompts(ctx).paths.append(exported)
    qtbot.mouseClick(window.engagements.export_button, Qt.MouseButton.LeftButton)
    assert exported.is_file()
    assert "Exported" in window.engagements.message.text()

    # Same name here already: never replaced, a new name is asked for.
    prompts(ctx).paths.append(exported)
    prompts(ctx).texts.append("Travelling copy")
    qtbot.mouseClick(window.engagements.import_button, Qt.MouseButton.LeftButton)
    assert sorted(rows(window)) == ["Travelling", "Travelling copy (open)"]
    imported = window.engagements.selected()
    assert imported is not None
    assert (imported.client, [a.account_id for a in imported.accounts]) == (
        "Acme",
        ["123456789012"],
    )


def test_importing_a_bad_file_says_so_and_changes_nothing(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(window, qtbot, "Kept")
    window.go_to(Screen.ENGAGEMENTS)
    junk = tmp_path / "junk.abengagement"
    junk.write_bytes(b"this is not a zip file")
    prompts(ctx).paths.append(junk)
    qtbot.mouseClick(window.engagements.import_button, Qt.MouseButton.LeftButton)
    assert window.engagements.message.text().startswith("Could not import junk.abengagement")
    assert rows(window) == ["Kept (open)"]
