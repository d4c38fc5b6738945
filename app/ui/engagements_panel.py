"""Engagements: list, open (switch), create, edit, delete, export to and import from a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.aws.login_errors import SignInError
from app.aws.profiles import list_profiles
from app.services import engagements as records
from app.services.engagement_setup import DecisionSource
from app.services.engagements import EngagementDraft, EngagementInfo
from app.services.schedulers import scheduler_for
from app.store.errors import NameTaken, StoreError
from app.ui.context import AppContext
from app.ui.engagement_dialog import EngagementDialog
from app.ui.page_title import page_title
from app.ui.schedule_box import ScheduleBox

_FILE_FILTER = "Audit Binder engagement (*.abengagement *.zip);;All files (*)"
_COLUMNS = (
    "",
    "Name",
    "Client",
    "Frameworks",
    "Audit period",
    "Accounts",
    "Scans",
    "Last scan (UTC)",
)
_NAME_COLUMN = 1


class EngagementsPanel(QWidget):
    open_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # The operating system's scheduler for the dialog's scheduled scans (tests swap it).
        self.scheduler = scheduler_for
        self._infos: list[EngagementInfo] = []
        self.setAccessibleName("Engagements")
        layout = QVBoxLayout(self)
        title = page_title("Engagements")
        layout.addWidget(title)
        intro = QLabel(
            "One engagement per client audit: its frameworks, audit period, accounts and "
            "regions. Open one to work through its checklist."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName("Engagement list")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name gets up to a quarter of the row, the client what is left (elided if need
        # be): no sideways scrolling.
        header.setSectionResizeMode(_NAME_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_NAME_COLUMN + 1, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        layout.addWidget(self.table, 1)
        # Enter or a double-click (the platform's "activate") acts on the row.
        self.table.activated.connect(lambda _index: self.open_selected())

        buttons = QHBoxLayout()
        self.open_button = self._button(buttons, "&Open", "Open selected engagement")
        self.new_button = self._button(buttons, "&New…", "New engagement")
        self.edit_button = self._button(buttons, "&Edit…", "Edit selected engagement")
        self.delete_button = self._button(buttons, "&Delete…", "Delete selected engagement")
        buttons.addStretch(1)
        self.export_button = self._button(buttons, "E&xport…", "Export selected engagement")
        self.import_button = self._button(buttons, "&Import…", "Import engagement from file")
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self.open_selected)
        self.new_button.clicked.connect(self.create_engagement)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button.clicked.connect(self.export_selected)
        self.import_button.clicked.connect(self.import_engagement)

        self.message = QLabel()
        self.message.setAccessibleName("Engagements message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)

        ctx.data_changed.connect(self._on_ctx_data_changed)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.refresh_columns()

    def refresh_columns(self) -> None:
        self.table.resizeColumnToContents(_NAME_COLUMN)
        header = self.table.horizontalHeader()
        widest = max(200, self.table.viewport().width() // 4)
        header.resizeSection(_NAME_COLUMN, min(header.sectionSize(_NAME_COLUMN), widest))

    def _button(self, row: QHBoxLayout, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        row.addWidget(button)
        return button

    # -- reading ------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            self._infos = records.list_engagements(self.ctx.db)
        except StoreError as exc:
            self.show_message(str(exc))
            return
        current = self.ctx.engagement_id
        self.table.setRowCount(len(self._infos))
        for row, info in enumerate(self._infos):
            last = info.last_scan.strftime("%Y-%m-%d %H:%M") if info.last_scan else "never"
            is_open = info.id == current
            values = (
                "✓" if is_open else "",
                info.name,
                info.client,
                info.frameworks_short,
                info.period_text,
                ", ".join(a.account_id for a in info.accounts) or "—",
                str(info.scans),
                last,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, info.id)
                item.setToolTip(value)
                if column == 0:
                    item.setToolTip("The open engagement" if is_open else "")
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, "open" if is_open else "")
                if is_open:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self.refresh_columns()
        self._select(current)
        self._on_table_selection_changed()

    def _select(self, engagement_id: int | None) -> None:
        for row, info in enumerate(self._infos):
            if info.id == engagement_id:
                self.table.selectRow(row)
                return
        if self._infos and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def name_of(self, engagement_id: int | None) -> str:
        for info in self._infos:
            if info.id == engagement_id:
                return info.name
        return ""

    def selected(self) -> EngagementInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._infos[rows[0].row()] if rows[0].row() < len(self._infos) else None

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        has = self.selected() is not None
        for button in (self.open_button, self.edit_button, self.delete_button, self.export_button):
            button.setEnabled(has)

    @Slot(int)
    def _on_ctx_data_changed(self, _engagement_id: int) -> None:
        self.refresh()

    @Slot(object)
    def _on_ctx_engagement_changed(self, _engagement_id: object) -> None:
        self.refresh()

    # -- actions ------------------------------------------------------------------------
    @Slot()
    def open_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.open_requested.emit(info.id)

    @Slot()
    def create_engagement(self) -> None:
        created: list[int] = []

        def save(draft: EngagementDraft) -> None:
            created.append(records.create_engagement(self.ctx.db, draft, self.ctx.actor))

        dialog = EngagementDialog(
            save, None, self.ctx.settings.default_regions(), self, sources=self._sources()
        )
        accepted = dialog.exec()
        name = dialog.name_edit.text().strip()
        dialog.deleteLater()
        if accepted and created:
            self.show_message(f"Created “{name}”.")
            self.refresh()
            self.open_requested.emit(created[0])

    def _sources(self) -> list[DecisionSource]:
        """Engagements with decisions a new one can start from (none when unreadable)."""
        try:
            return records.start_from_choices(self.ctx.db, self.ctx.catalogue)
        except StoreError as exc:
            self.show_message(f"Cannot list other engagements' decisions: {exc}")
            return []

    def _schedule_box(self, info: EngagementInfo) -> ScheduleBox:
        try:
            profiles = [p.name for p in list_profiles()]
        except SignInError:  # a malformed AWS config: type the profile instead
            profiles = []
        return ScheduleBox(self.ctx, info.id, info.name, self.scheduler(), profiles)

    @Slot()
    def edit_selected(self) -> None:
        info = self.selected()
        if info is None:
            return

        def save(draft: EngagementDraft) -> None:
            records.update_engagement(self.ctx.db, info.id, draft, self.ctx.actor)

        dialog = EngagementDialog(save, info, parent=self, schedule=self._schedule_box(info))
        accepted = dialog.exec()
        dialog.deleteLater()
        if accepted:
            self.show_message("Saved.")
            self.ctx.notify_data_changed(info.id)
            self.refresh()
            if info.id == self.ctx.engagement_id:
                # Same id, new name or scope: screens showing it re-read.
                self.ctx.engagement_changed.emit(info.id)

    @Slot()
    def delete_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        question = (
            f"Delete the engagement “{info.name}” with all its scans, evidence, exceptions "
            "and sign-offs, and its saved credentials in the system keyring?\n\n"
            "This cannot be undone. Export it first if you may need it again."
        )
        if not self.ctx.prompts.confirm(self, "Delete engagement", question, "Delete"):
            return
        try:
            name = records.delete_engagement(self.ctx.db, info.id, self.ctx.actor, self.ctx.secrets)
        except StoreError as exc:
            self.show_message(str(exc))
            return
        if self.ctx.engagement_id == info.id:
            self.ctx.set_engagement(None)
        self.show_message(f"Deleted “{name}”.")
        self.refresh()

    @Slot()
    def export_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self._export(info)

    @Slot()
    def export_current(self) -> None:
        for info in self._infos:
            if info.id == self.ctx.engagement_id:
                self._export(info)

    def _export(self, info: EngagementInfo) -> None:
        suggested = Path.home() / f"{_file_name(info.name)}.abengagement"
        path = self.ctx.prompts.save_path(self, "Export engagement", suggested, _FILE_FILTER)
        if path is None:
            return
        try:
            written = records.export_engagement(self.ctx.db, info.id, path, self.ctx.actor)
        except StoreError as exc:
            self.show_message(str(exc))
            return
        self.show_message(f"Exported “{info.name}” to {written}.")
        self.ctx.say(f"Exported to {written}")

    @Slot()
    def import_engagement(self) -> None:
        path = self.ctx.prompts.open_path(self, "Import engagement", _FILE_FILTER)
        if path is None:
            return
        new_name: str | None = None
        while True:
            try:
                engagement_id = records.import_engagement(
                    self.ctx.db, path, self.ctx.actor, new_name
                )
                break
            except NameTaken as exc:
                # Never replace: ask for another name (or give up).
                new_name = self.ctx.prompts.text(
                    self, "Import engagement", f"{exc}\n\nName for the imported engagement:"
                )
                if not new_name:
                    self.show_message(str(exc))
                    return
            except StoreError as exc:
                self.show_message(f"Could not import {path.name}: {exc}")
                return
        self.refresh()
        self.show_message(f"Imported “{self.name_of(engagement_id)}” from {path.name}.")
        self.open_requested.emit(engagement_id)


def _file_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_ " else "_" for c in name).strip()
    return keep.replace(" ", "-") or "engagement"
