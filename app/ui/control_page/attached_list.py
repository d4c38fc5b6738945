"""The files attached to a control, on the evidence tab: a table of them, Open / Save a
copy / Remove for the selected one, and the day it is evidence for (its effective day),
which can be changed after attaching (last quarter's review attached today).

The list only shows values and says what the user asked for through signals; the page
stores it through the services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QDate, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.evidence import iso_utc
from app.services.control_model import AttachmentInfo
from app.ui.control_page.evidence_cells import EndElideDelegate, human_size, short_actor
from app.ui.control_page.evidence_requests import qdate
from app.ui.control_page.remediation_panel import plain_label

ATTACHMENT_COLUMNS = (
    "Name",
    "Description",
    "Evidence of",
    "Effective for",
    "Size",
    "SHA-256",
    "Added by",
    "Added (UTC)",
)
_ID_ROLE = Qt.ItemDataRole.UserRole


def effective_text(att: AttachmentInfo) -> str:
    """'2026-09-30', or '2026-12-05 (added)' when no day was given: the day it was added."""
    day = att.effective_day.isoformat()
    return day if att.effective_on is not None else f"{day} (added)"


class AttachedList(QWidget):
    """`show_files(attachments, titles)`; emits what the user asked of the selected file."""

    remove_requested = Signal(int, str)  # attachment id, its name
    open_requested = Signal(int, str)  # attachment id, its name
    save_requested = Signal(int, str)  # attachment id, its name
    effective_chosen = Signal(int, object)  # attachment id, date | None (None: the day added)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._locked = False
        self._files: dict[int, AttachmentInfo] = {}
        self.table = QTableWidget(0, len(ATTACHMENT_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(ATTACHMENT_COLUMNS))
        self.table.setAccessibleName("Attached evidence files")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name and what it is evidence of keep a readable width (the table scrolls
        # sideways when narrow); the description takes what is left; each cell's tooltip
        # has its whole text.
        for column, width in ((0, 190), (2, 220)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        header.setStretchLastSection(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # Names keep their ends (the extension); a description or a title reads from its start.
        for column in (1, 2):
            self.table.setItemDelegateForColumn(column, EndElideDelegate(self.table))
        # Oldest first, as added; the user can sort by any column.
        header.setSortIndicator(len(ATTACHMENT_COLUMNS) - 1, Qt.SortOrder.AscendingOrder)
        self.no_files = plain_label("", name="emptyState")
        self.no_files.setAccessibleName("No evidence files")

        self.remove_button = QPushButton("Remove file…")
        self.remove_button.setAccessibleName("Remove the selected evidence file")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        # Reading a file never changes it: Open and Save a copy work on a locked control too.
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open the selected evidence file")
        self.open_button.setToolTip("Open a copy in the program your system uses for it (Enter)")
        self.save_copy_button = QPushButton("Save a copy…")
        self.save_copy_button.setAccessibleName("Save a copy of the selected evidence file")
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.save_copy_button, self.save_requested),
        ):
            button.clicked.connect(lambda _=False, wanted=signal: self._emit_selected(wanted))
        self.table.activated.connect(lambda _index: self._emit_selected(self.open_requested))
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self._build_effective_editor()

        # One row, so the tab is no taller than before: it sets the window's least height.
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        dating = QHBoxLayout()  # its own row, so the tab fits a narrow window
        dating.addWidget(self.effective_label)
        dating.addWidget(self.effective)
        dating.addWidget(self.set_effective_button)
        dating.addWidget(self.clear_effective_button)
        dating.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.no_files)
        layout.addLayout(buttons)
        layout.addLayout(dating)
        self._buttons: tuple[QWidget, ...] = (
            self.open_button,
            self.save_copy_button,
            self.effective_label,
            self.effective,
            self.set_effective_button,
            self.clear_effective_button,
            self.remove_button,
        )
        self._update_buttons()

    def _build_effective_editor(self) -> None:
        self.effective_label = QLabel("Effective for:")
        self.effective = QDateEdit()
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.effective.setAccessibleName("The day the selected file is evidence for")
        self.effective.setToolTip(
            "The day the selected file is evidence for (last quarter's review: that "
            "quarter's last day). It decides which due date the file answers."
        )
        self.effective_label.setBuddy(self.effective)
        self.set_effective_button = QPushButton("Set day")
        self.set_effective_button.setAccessibleName("Set the day the selected file is evidence for")
        self.set_effective_button.clicked.connect(self._on_set_effective_button_clicked)
        self.clear_effective_button = QPushButton("Use day added")
        self.clear_effective_button.setAccessibleName(
            "Make the selected file evidence for the day it was added"
        )
        self.clear_effective_button.setToolTip(
            "Forget the day chosen: the file is evidence for the day it was added."
        )
        self.clear_effective_button.clicked.connect(self._on_clear_effective_button_clicked)

    # -- showing -------------------------------------------------------------------------
    def show_files(self, attachments: Sequence[AttachmentInfo], titles: Mapping[str, str]) -> None:
        """The files; `titles`: what each evidence item id is called."""
        chosen = self.selected_attachment()
        self._files = {att.attachment_id: att for att in attachments}
        self.table.setSortingEnabled(False)
        self.table.clearSelection()
        self.table.setRowCount(len(attachments))
        for row, att in enumerate(attachments):
            cells = (
                att.name,
                att.description,
                titles.get(att.evidence_item, att.evidence_item or "General"),
                effective_text(att),
                human_size(att.size),
                att.sha256[:16] + "…",
                short_actor(att.added_by),
                iso_utc(att.added_at),
            )
            tips = {
                3: "The day this file is evidence for"
                if att.effective_on is not None
                else "No day was given: the file is evidence for the day it was added",
                5: att.sha256,
                6: att.added_by,
            }
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(tips.get(column, text))
                cell.setData(_ID_ROLE, att.attachment_id)
                self.table.setItem(row, column, cell)
        self.table.setSortingEnabled(True)
        if chosen is not None:
            self.select_attachment(chosen[0])
        self._update_buttons()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self._update_buttons()

    @property
    def empty(self) -> bool:
        return self.table.rowCount() == 0

    def show_empty_state(self, text: str) -> None:
        """No files: `text` says how to add some (or why one cannot), instead of a table."""
        empty = self.empty
        self.table.setVisible(not empty)
        self.no_files.setVisible(empty)
        self.no_files.setText(text)
        for widget in self._buttons:
            widget.setVisible(not empty)

    # -- the selected file ---------------------------------------------------------------
    def selected_attachment(self) -> tuple[int, str] | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        cell = self.table.item(min(rows), 0) if rows else None
        if cell is None:
            return None
        return int(cell.data(_ID_ROLE)), cell.text()

    def select_attachment(self, attachment_id: int) -> None:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(_ID_ROLE) == attachment_id:
                self.table.selectRow(row)
                return

    def _selected_info(self) -> AttachmentInfo | None:
        chosen = self.selected_attachment()
        return self._files.get(chosen[0]) if chosen is not None else None

    def _on_table_selection_changed(self) -> None:
        info = self._selected_info()
        if info is not None:
            self.effective.setDate(qdate(info.effective_day))
        self._update_buttons()

    def _update_buttons(self) -> None:
        info = self._selected_info()
        selected = info is not None
        editable = selected and not self._locked
        self.remove_button.setEnabled(editable)
        self.open_button.setEnabled(selected)
        self.save_copy_button.setEnabled(selected)
        self.effective.setEnabled(editable)
        self.set_effective_button.setEnabled(editable)
        given = info is not None and info.effective_on is not None
        self.clear_effective_button.setEnabled(editable and given)
        if info is None:
            self.effective.setDate(QDate.currentDate())

    def _emit_selected(self, signal: SignalInstance) -> None:
        chosen = self.selected_attachment()
        if chosen is not None:
            signal.emit(*chosen)

    def _on_remove_button_clicked(self) -> None:
        if not self._locked:
            self._emit_selected(self.remove_requested)

    def _on_set_effective_button_clicked(self) -> None:
        chosen = self.selected_attachment()
        if chosen is not None and not self._locked:
            self.effective_chosen.emit(chosen[0], self.effective.date().toPython())

    def _on_clear_effective_button_clicked(self) -> None:
        chosen = self.selected_attachment()
        if chosen is not None and not self._locked:
            self.effective_chosen.emit(chosen[0], None)
