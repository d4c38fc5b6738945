"""Flows the GUI tests share: answering a modal dialog, creating an engagement through its
dialog, a signed-in main window, a control page on screen, a finding on moto."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.engagement_dialog import EngagementDialog
from app.ui.main_window import MainWindow, Screen
from tests.ui.conftest import activate, make_window


def on_modal(handler: Callable[[QWidget], None]) -> list[str]:
    """Run `handler` on the next modal dialog once it is up; returns a list of problems."""
    problems: list[str] = []

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, poll)
            return
        try:
            handler(widget)
        except Exception as exc:  # report, and never leave a modal loop hanging
            problems.append(repr(exc))
        if widget.isVisible():
            problems.append(getattr(widget, "error_label", widget).text() or "still open")
            widget.close()

    QTimer.singleShot(0, poll)
    return problems


def fill_dialog(
    qtbot: QtBot,
    dialog: QWidget,
    *,
    name: str,
    client: str = "",
    regions: str = "us-east-1",
    account: str = "",
    soc2: bool = True,
    period: tuple[date, date] | None = None,
) -> None:
    assert isinstance(dialog, EngagementDialog)
    dialog.name_edit.clear()
    qtbot.keyClicks(dialog.name_edit, name)
    dialog.client_edit.clear()
    qtbot.keyClicks(dialog.client_edit, client)
    dialog.regions_edit.clear()
    qtbot.keyClicks(dialog.regions_edit, regions)
    if dialog.framework_boxes["soc2"].isChecked() != soc2:
        qtbot.mouseClick(dialog.framework_boxes["soc2"], Qt.MouseButton.LeftButton)
    if period is not None:
        dialog.period_box.setChecked(True)
        dialog.start_edit.setDate(period[0])
        dialog.end_edit.setDate(period[1])
    if account:
        qtbot.mouseClick(dialog.add_account_button, Qt.MouseButton.LeftButton)
        item = dialog.accounts.item(dialog.accounts.rowCount() - 1, 0)
        assert item is not None
        item.setText(account)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def create_via_dialog(window: MainWindow, qtbot: QtBot, name: str, **fields: object) -> int:
    problems = on_modal(lambda d: fill_dialog(qtbot, d, name=name, **fields))  # type: ignore[arg-type]
    window.go_to(Screen.ENGAGEMENTS)
    qtbot.mouseClick(window.engagements.new_button, Qt.MouseButton.LeftButton)
    assert problems == []
    activate(window, qtbot)
    engagement_id = window.ctx.engagement_id
    assert engagement_id is not None
    return engagement_id


def signed_in_window(ctx: AppContext, qtbot: QtBot, profile: str, name: str) -> MainWindow:
    window = make_window(ctx, qtbot)
    window.sign_in.select_profile(profile)
    qtbot.mouseClick(window.sign_in.sign_in_button, Qt.MouseButton.LeftButton)
    assert ctx.signed_in is not None, window.sign_in.message.text()
    create_via_dialog(window, qtbot, name, regions="us-east-1")
    return window


def show_control_page(
    ctx: AppContext, engagement_id: int, qtbot: QtBot, control: str = "sg-inbound"
) -> ControlPage:
    """The control page shown on `control` of the engagement, 1000x700."""
    page = ControlPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    page.show_control(engagement_id, control)
    return page
