"""The shell: navigation, keyboard, accessible names, palette, geometry, settings, bug dialog."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.controls.catalogue import FRAMEWORKS
from app.controls.results import CheckResult, Status
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.scan_state import ScanState
from app.ui.bar_chart import StackedBarChart
from app.ui.context import AppContext
from app.ui.dashboard import bars_for
from app.ui.error_dialog import BugDialog, install_excepthook
from app.ui.main_window import MainWindow, Screen
from app.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import make_window
from tests.ui.helpers import on_modal

_INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QAbstractSpinBox,
    QPlainTextEdit,
    QProgressBar,
)


def _unnamed(root: QWidget) -> list[str]:
    """Interactive widgets a screen reader could not name (no accessible name, no text)."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, _INTERACTIVE) or widget.objectName().startswith("qt_"):
            continue
        parent = widget.parent()
        if type(widget).__module__.startswith("PySide6") and (
            isinstance(parent, QAbstractItemView | QAbstractSpinBox | QComboBox | QLineEdit)
            or (parent is not None and parent.metaObject().className().startswith("QComboBox"))
        ):
            continue  # Qt's own internals (header buttons, spin box edits, combo popups)
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.replace("&", "")):
            missing.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    return missing


def seed_results(ctx: AppContext, name: str, rows: dict[str, Status]) -> int:
    """A complete scan with one row per control (control -> status)."""
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        engagement = engagement_store.create_engagement(session, name, actor="test")
        scan = scan_store.start_scan(
            session, engagement, account_id="123456789012", actor="test", regions=["us-east-1"]
        )
        results = [
            CheckResult(
                control,
                f"{control}-check",
                "us-east-1",
                f"res-{control}",
                status,
                "d",
                "123456789012",
            )
            for control, status in rows.items()
        ]
        scan_store.add_results(session, scan, results)
        scan_store.finish_scan(session, scan, ScanState.COMPLETE, actor="test")
        scan.finished_at = now
        return engagement.id


def test_navigation_by_keyboard_and_menus(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    for key, screen in (
        (Qt.Key.Key_2, Screen.ENGAGEMENTS),
        (Qt.Key.Key_3, Screen.DASHBOARD),
        (Qt.Key.Key_5, Screen.HISTORY),
        (Qt.Key.Key_4, Screen.CHECKLIST),
        (Qt.Key.Key_1, Screen.SIGN_IN),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_screen is screen
    # The navigation list itself: arrow keys move between screens.
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.current_screen is Screen.ENGAGEMENTS
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Scan", "&View", "&Help"]
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["&Run all checks"] == "F5"
    assert shortcuts["Export &binder (PDF)…"] == "Ctrl+E"
    assert shortcuts["&New engagement…"] == "Ctrl+N"


def test_a_real_session_shows_no_demo_badge(ctx: AppContext, qtbot: QtBot) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert window.header.demo_badge.isHidden()


def test_every_control_has_an_accessible_name(ctx: AppContext, qtbot: QtBot) -> None:
    seed_results(ctx, "Named", {"cloudtrail": Status.FAIL})
    window = make_window(ctx, qtbot)
    window.engagements.refresh()
    window.engagements.open_selected()
    for panel in (window, window.header, window.statusBar()):
        assert _unnamed(panel) == []


def test_dashboard_counts_per_framework(ctx: AppContext, qtbot: QtBot) -> None:
    engagement_id = seed_results(
        ctx,
        "Counted",
        {
            "cloudtrail": Status.PASS,
            "vpc-flow-logs": Status.PASS,
            "no-ssh": Status.FAIL,
            "nacls": Status.ERROR,
            "backups": Status.NOT_APPLICABLE,
        },
    )
    ctx.set_engagement(engagement_id)
    window = make_window(ctx, qtbot)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    counts = {c.framework: c for c in window.dashboard.counts}
    iso = counts["iso27001"]
    # The rest of the automated controls are unchecked; the manual ones, which no scan
    # judges, have their evidence missing.
    controls = ctx.catalogue.controls
    mapped = {f: sum(1 for c in controls if c.mapping.ids(f)) for f in FRAMEWORKS}
    manual = {
        f: sum(1 for c in controls if c.mapping.ids(f) and not c.automated) for f in FRAMEWORKS
    }
    unchecked = (3, 1, 1, 0, mapped["iso27001"] - manual["iso27001"] - 5, manual["iso27001"])
    assert (
        iso.passed,
        iso.failing,
        iso.errors,
        iso.exceptions,
        iso.not_checked,
        iso.evidence_missing,
    ) == unchecked
    labels = {w.accessibleName(): w.text() for w in window.dashboard.findChildren(QLabel)}
    assert labels["ISO 27001:2022 Passed"] == "3"
    assert labels["SOC 2 Not checked"] == str(mapped["soc2"] - manual["soc2"] - 5)
    assert labels["SOC 2 Evidence missing"] == str(manual["soc2"])
    assert window.dashboard.overall.value() == 3
    assert window.dashboard.overall.maximum() == max(mapped.values())
    assert "Counted" in window.dashboard.subtitle.text()


def test_the_chart_draws_each_segment_in_its_share(qtbot: QtBot) -> None:
    from app.services.framework_summary import FrameworkSummary

    chart = StackedBarChart()
    qtbot.addWidget(chart)
    counts = [FrameworkSummary("iso27001", passed=5, failing=5, not_checked=1)]
    chart.set_bars(bars_for(counts))
    chart.resize(402, chart.sizeHint().height())
    image = chart.grab().toImage()
    y = chart.fontMetrics().height() + 4 + chart.BAR_HEIGHT // 2
    left = image.pixelColor(60, y)
    right = image.pixelColor(300, y)
    assert left != right  # passed and failing halves differ
    assert "5 passed" in chart.accessibleDescription()


def test_dark_palette_is_followed(ctx: AppContext, qtbot: QtBot) -> None:
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#121212"),
        (QPalette.ColorRole.AlternateBase, "#2a2b2e"),
        (QPalette.ColorRole.Text, "#e8eaed"),
    ):
        dark.setColor(role, QColor(colour))
    previous = QApplication.palette()
    QApplication.setPalette(dark)
    try:
        window = make_window(ctx, qtbot)
        header = window.header.grab().toImage()
        background = header.pixelColor(header.width() - 3, header.height() // 2)
        assert background.lightness() < 80  # the header band is dark too, not hard-coded
        assert (
            window.header.account_label.palette().color(QPalette.ColorRole.WindowText).lightness()
            > 180
        )
    finally:
        QApplication.setPalette(previous)


def test_window_geometry_is_remembered(
    ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(ctx, qtbot)
    assert ctx.settings.geometry() is None
    window.close()
    saved = ctx.settings.geometry()
    assert saved is not None and saved == window.saveGeometry()
    # Offscreen, Qt clamps restored geometry to an 800x600 screen: check what we hand it.
    given: list[QByteArray] = []
    monkeypatch.setattr(MainWindow, "restoreGeometry", lambda self, g: given.append(g) or True)
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert given == [saved]


def test_settings_dialog_saves_regions_and_refuses_bad_ones(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(ctx.settings)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.regions_edit, "eu-west-1, mars-north-9x")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert "mars-north-9x" in dialog.error.text()
    assert ctx.settings.default_regions() == []
    dialog.regions_edit.setText("eu-west-1 us-east-1")
    qtbot.keyClicks(dialog.db_edit, str(tmp_path / "other.sqlite3"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert ctx.settings.default_regions() == ["eu-west-1", "us-east-1"]
    assert ctx.settings.db_location().path == tmp_path / "other.sqlite3"


def test_new_engagements_start_with_the_default_regions(ctx: AppContext, qtbot: QtBot) -> None:
    ctx.settings.set_default_regions(["eu-central-1"])
    window = make_window(ctx, qtbot)
    seen: list[str] = []

    def look(dialog: QWidget) -> None:
        seen.append(dialog.regions_edit.text())  # type: ignore[attr-defined]
        dialog.close()

    problems = on_modal(look)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["eu-central-1"]
    assert problems == []


def test_a_bug_shows_copyable_details_and_the_log_file(qtbot: QtBot, tmp_path: Path) -> None:
    log_file = tmp_path / "audit-binder.log"
    try:
        raise RuntimeError("something impossible")
    except RuntimeError as exc:
        error = exc
    dialog = BugDialog(error, log_file)
    qtbot.addWidget(dialog)
    assert "RuntimeError: something impossible" in dialog.details.toPlainText()
    assert "test_a_bug_shows" in dialog.details.toPlainText()  # the traceback
    assert str(log_file) in dialog.log_label.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert "something impossible" in QGuiApplication.clipboard().text()


def test_the_excepthook_opens_the_bug_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    import sys

    shown: list[str] = []

    def close_it() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, close_it)
            return
        assert isinstance(widget, BugDialog)
        shown.append(widget.details.toPlainText())
        widget.reject()

    previous = install_excepthook(tmp_path / "x.log")
    try:
        QTimer.singleShot(0, close_it)
        error = KeyError("boom")
        sys.excepthook(KeyError, error, None)
    finally:
        sys.excepthook = previous
    assert shown and "KeyError" in shown[0]
