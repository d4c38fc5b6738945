"""The main window: navigation on the left, one screen at a time on the right.

It only composes: each screen is its own panel (sign-in, engagements, dashboard,
checklist + control page, scan history, Statement of Applicability), the header shows
who is signed in, the status bar carries messages and the running task's progress.
Screens talk through `AppContext` signals, not through the window.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.services.next_steps import NextStep, StepKind
from app.ui.binder_export import BinderExporter
from app.ui.checklist_page import ChecklistPage
from app.ui.context import AppContext
from app.ui.dashboard import DashboardPanel
from app.ui.engagements_panel import EngagementsPanel
from app.ui.header import IdentityHeader
from app.ui.member_accounts_dialog import MemberAccountsDialog
from app.ui.scan_controller import ScanController
from app.ui.scan_history import ScanHistoryPanel
from app.ui.settings_dialog import SettingsDialog
from app.ui.sign_in_panel import SignInPanel
from app.ui.soa.screen import SoaScreen
from app.ui.task_status import TaskStatus


class Screen(IntEnum):
    SIGN_IN = 0
    ENGAGEMENTS = 1
    DASHBOARD = 2
    CHECKLIST = 3
    HISTORY = 4
    SOA = 5


_SCREENS = (
    (Screen.SIGN_IN, "Sign in", "Ctrl+1"),
    (Screen.ENGAGEMENTS, "Engagements", "Ctrl+2"),
    (Screen.DASHBOARD, "Dashboard", "Ctrl+3"),
    (Screen.CHECKLIST, "Checklist", "Ctrl+4"),
    (Screen.HISTORY, "Scan history", "Ctrl+5"),
    (Screen.SOA, "Statement of Applicability", "Ctrl+6"),
)
# Where a step of the dashboard's "what to do next" is done on a control's page.
_STEP_SECTIONS = {
    StepKind.FAILING: "results",
    StepKind.ERROR: "results",
    StepKind.NOT_CHECKED: "results",
    StepKind.STALE: "sign_off",
    StepKind.MISSING_EVIDENCE: "evidence",
}


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Audit Binder")
        self.setAccessibleName("Audit Binder")
        self.scans = ScanController(ctx, self)
        ctx.scans = self.scans
        self.binder = BinderExporter(ctx, self)

        self.header = IdentityHeader(ctx)
        self.sign_in = SignInPanel(ctx)
        self.engagements = EngagementsPanel(ctx)
        self.dashboard = DashboardPanel(ctx)
        self.checklist = ChecklistPage(ctx)
        self.history = ScanHistoryPanel(ctx)
        self.soa = SoaScreen(ctx)

        self.nav = QListWidget()
        self.nav.setAccessibleName("Navigation")
        self.nav.setMaximumWidth(150)
        # "Statement of Applicability" takes two lines rather than a scroll bar.
        self.nav.setWordWrap(True)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setSpacing(3)
        self.stack = QStackedWidget()
        for widget in (
            self.sign_in,
            self.engagements,
            self.dashboard,
            self.checklist,
            self.history,
            self.soa,
        ):
            self.stack.addWidget(widget)
        for _, title, shortcut in _SCREENS:
            item = QListWidgetItem(title)
            item.setToolTip(f"{title} ({shortcut})")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)

        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 6, 6, 0)
        column.addWidget(self.header)
        column.addLayout(body, 1)
        self.setCentralWidget(central)

        self.task_status = TaskStatus(self.statusBar())
        self.statusBar().addPermanentWidget(self.task_status)
        self.task_status.follow_scans(self.scans)
        self.task_status.follow_binder(self.binder)

        self._build_menus()
        self._wire()
        self._restore_geometry()
        first = Screen.ENGAGEMENTS if ctx.signed_in else Screen.SIGN_IN
        self.go_to(first)

    # -- navigation ---------------------------------------------------------------------
    def go_to(self, screen: Screen) -> None:
        self.nav.setCurrentRow(int(screen))
        self.stack.setCurrentIndex(int(screen))

    @property
    def current_screen(self) -> Screen:
        return Screen(self.stack.currentIndex())

    @Slot(int)
    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    # -- menus --------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_engagement_action = self._action(
            "&New engagement…", QKeySequence.StandardKey.New, self._on_new_engagement
        )
        self.import_action = self._action(
            "&Import engagement…", "Ctrl+I", self.engagements.import_engagement
        )
        self.export_engagement_action = self._action(
            "E&xport engagement…", "Ctrl+Shift+E", self.engagements.export_current
        )
        self.export_binder_action = self._action(
            "Export &binder (PDF)…", "Ctrl+E", self._on_export_binder
        )
        self.settings_action = self._action(
            "&Settings…", QKeySequence.StandardKey.Preferences, self._on_settings
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        if quit_action.shortcut().isEmpty():
            quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        for action in (
            self.new_engagement_action,
            self.import_action,
            self.export_engagement_action,
            self.export_binder_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        scan_menu = bar.addMenu("&Scan")
        self.run_all_action = self._action("&Run all checks", "F5", self._on_run_all)
        self.cancel_action = self._action("&Cancel", "Ctrl+.", self._on_cancel_task)
        self.cancel_action.setEnabled(False)
        self.members_action = QAction("Scan &member accounts…", self)
        self.members_action.triggered.connect(self._on_scan_members)
        scan_menu.addAction(self.run_all_action)
        scan_menu.addAction(self.members_action)
        scan_menu.addAction(self.cancel_action)

        view_menu = bar.addMenu("&View")
        for screen, title, shortcut in _SCREENS:
            action = self._action(title, shortcut, lambda _=False, s=screen: self.go_to(s))
            view_menu.addAction(action)

        help_menu = bar.addMenu("&Help")
        about = QAction("&About Audit Binder", self)
        about.triggered.connect(self._on_about)
        help_menu.addAction(about)

    # -- wiring -------------------------------------------------------------------------
    def _wire(self) -> None:
        ctx = self.ctx
        ctx.status_message.connect(self._on_ctx_status_message)
        ctx.session_expired.connect(self._on_ctx_session_expired)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        self.sign_in.signed_in.connect(self._on_sign_in_signed_in)
        self.engagements.open_requested.connect(self._on_engagements_open_requested)
        self.dashboard.binder_requested.connect(self._on_export_binder)
        self.dashboard.step_chosen.connect(self._on_dashboard_step_chosen)
        self.soa.control_requested.connect(self.open_control)
        self.scans.scan_started.connect(self._on_task_running)
        self.scans.scan_finished.connect(self._on_task_stopped)
        self.scans.scan_failed.connect(self._on_task_stopped)
        self.binder.export_started.connect(self._on_task_running)
        self.binder.export_done.connect(self._on_task_stopped)
        self._on_ctx_engagement_changed(ctx.engagement_id)

    @Slot(str)
    def _on_ctx_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    @Slot(str)
    def _on_ctx_session_expired(self, reason: str) -> None:
        self.sign_in.show_expired(reason)
        self.go_to(Screen.SIGN_IN)

    @Slot(object)
    def _on_ctx_engagement_changed(self, engagement_id: int | None) -> None:
        name = self.engagements.name_of(engagement_id) if engagement_id is not None else ""
        self.header.set_engagement_name(name)
        self.setWindowTitle(f"{name} — Audit Binder" if name else "Audit Binder")
        has = engagement_id is not None
        for action in (self.export_engagement_action, self.export_binder_action):
            action.setEnabled(has)
        self.run_all_action.setEnabled(has)
        self.members_action.setEnabled(has and not self.scans.is_running)
        if self.ctx.demo is None:  # the demo's ids belong to the demo's own database
            self.ctx.settings.set_last_engagement(engagement_id)

    @Slot()
    def _on_sign_in_signed_in(self) -> None:
        self.go_to(Screen.ENGAGEMENTS if self.ctx.engagement_id is None else Screen.CHECKLIST)

    @Slot(int)
    def _on_engagements_open_requested(self, engagement_id: int) -> None:
        self.ctx.set_engagement(engagement_id)
        self.go_to(Screen.CHECKLIST)

    @Slot()
    def _on_task_running(self) -> None:
        self.cancel_action.setEnabled(True)
        self.run_all_action.setEnabled(False)
        self.members_action.setEnabled(False)

    @Slot()
    def _on_task_stopped(self) -> None:
        self.cancel_action.setEnabled(self.scans.is_running or self.binder.is_running)
        self.run_all_action.setEnabled(
            self.ctx.engagement_id is not None and not self.scans.is_running
        )
        self.members_action.setEnabled(self.run_all_action.isEnabled())

    @Slot(str)
    def open_control(self, control_id: str, section: str = "", evidence_item: str = "") -> None:
        """The control's page on the checklist screen (from the SoA or the dashboard)."""
        self.go_to(Screen.CHECKLIST)
        self.checklist.open_control(control_id, section, evidence_item)

    @Slot(object)
    def _on_dashboard_step_chosen(self, step: object) -> None:
        if not isinstance(step, NextStep):
            return
        if step.kind is StepKind.DECIDE:
            self.go_to(Screen.SOA)
            self.soa.show_undecided()
        elif step.kind is StepKind.APPROVE:
            self.go_to(Screen.SOA)
            self.soa.show_approval()
        elif step.control_id:
            self.open_control(
                step.control_id, _STEP_SECTIONS.get(step.kind, ""), step.evidence_item
            )

    # -- actions ------------------------------------------------------------------------
    def _on_new_engagement(self) -> None:
        self.go_to(Screen.ENGAGEMENTS)
        self.engagements.create_engagement()

    def _on_run_all(self) -> None:
        if self.ctx.engagement_id is None:
            self.ctx.say("Open an engagement first.")
            return
        self.scans.run_checks(self.ctx.engagement_id)

    def _on_scan_members(self) -> None:
        if self.ctx.engagement_id is None:
            self.ctx.say("Open an engagement first.")
            return
        if self.ctx.signed_in is None:
            self.ctx.say("Sign in to the organization's management account first.")
            self.go_to(Screen.SIGN_IN)
            return
        dialog = MemberAccountsDialog(self.ctx, self.scans, self.ctx.engagement_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_cancel_task(self) -> None:
        self.scans.cancel()
        self.binder.cancel()

    def _on_export_binder(self) -> None:
        if self.ctx.engagement_id is not None:
            self.binder.export_interactively(self.ctx.engagement_id, self)

    def _on_settings(self) -> None:
        SettingsDialog(
            self.ctx.settings, self, secrets=self.ctx.secrets, prompts=self.ctx.prompts
        ).exec()

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            "About Audit Binder",
            f"Audit Binder {__version__}\n\nPrepare an AWS account for an ISO 27001:2022 or "
            "SOC 2 audit and export a PDF evidence binder. Read-only towards AWS.",
        )

    # -- geometry -----------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1180, 760)
        state = self.ctx.settings.window_state()
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.save_window(self.saveGeometry(), self.saveState())
        self.ctx.settings.sync()
        self.ctx.workers.cancel_all()
        event.accept()
