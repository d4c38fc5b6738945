"""The evidence a control asks for, with how often it recurs and when it is next due.

Each request is a row: what it is, the files against it, its recurrence and its next
due date (overdue ones in the warning colour with a ⚠ and how long, never colour
alone). Below, the selected request's schedule can be changed: the recurrence and one
of its due dates; requests of the user's own can be added (the page opens
`OwnRequestDialog`) and, when added by mistake, removed. The box says what the user
chose (`schedule_chosen`, `add_requested`, `remove_requested`) and the page stores it
through the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from app.controls.control_status import ControlStatus
from app.recurrence import Recurrence
from app.services.ledger_words import full_date
from app.services.recurring_model import RequestSchedule
from app.ui.control_page.overview_panel import section_title
from app.ui.status_badges import control_look, look_colour

COLUMNS = ("Evidence", "Files", "Recurs", "Next due")
NO_DATE = QDate(2000, 1, 1)  # the date edit's minimum, shown as "no due date"
_ITEM_ROLE = Qt.ItemDataRole.UserRole


def files_text(request: RequestSchedule) -> str:
    count = len(request.files)
    return f"✓ {count} file{'s' if count != 1 else ''}" if count else "○ nothing yet"


def due_text(request: RequestSchedule) -> str:
    """'⚠ overdue: due 30 September 2026, 66 days overdue; next due 31 December 2026'."""
    overdue = request.overdue_items if request.applicable else ()
    upcoming = f"next due {full_date(request.next_due)}" if request.next_due else ""
    if not overdue:
        if upcoming:
            return upcoming
        return "no due date" if request.due_on is None else "answered"
    oldest = overdue[0]
    text = f"⚠ overdue: {oldest.words}"
    if len(overdue) > 1:
        text = f"⚠ {len(overdue)} due dates overdue, the oldest {oldest.words}"
    return f"{text}; {upcoming}" if upcoming else text


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class EvidenceRequestsBox(QWidget):
    """Lists a control's `RequestSchedule`s; emits `schedule_chosen(item, recurrence, due)`."""

    schedule_chosen = Signal(str, object, object)  # item id, Recurrence, date | None
    item_selected = Signal(str)  # item id of the selected request
    add_requested = Signal()
    remove_requested = Signal(str, str)  # item id, title of the selected own request

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.requests: tuple[RequestSchedule, ...] = ()
        self._locked = False
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Evidence the auditor will ask for, with due dates")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The due date (and an overdue warning) must stay in sight: the evidence title gets
        # a fixed share, the due column the rest; each cell's tooltip has its whole text.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(0, 250)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.recurrence = QComboBox()
        self.recurrence.setAccessibleName("How often the selected evidence is due")
        for value in Recurrence:
            self.recurrence.addItem(value.label, value.value)
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("no due date")
        self.due.setAccessibleName("One due date of the selected evidence")
        self.due.setToolTip(
            "One of its due dates; the others are whole steps before and after it. "
            "Leave at “no due date” for the default (the end of each step from the "
            "audit period's start)."
        )
        self.set_button = QPushButton("Set schedule")
        self.set_button.setAccessibleName("Set the schedule of the selected evidence")
        self.set_button.clicked.connect(self._on_set_button_clicked)
        self.add_button = QPushButton("Add request…")
        self.add_button.setAccessibleName("Add an evidence request of your own")
        self.add_button.setToolTip(
            "Evidence the auditor asks for beyond the catalogue's, e.g. a quarterly firewall "
            "review export"
        )
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button = QPushButton("Remove request…")
        self.remove_button.setAccessibleName("Remove the selected evidence request of your own")
        self.remove_button.setToolTip(
            "Only a request you added, with no files against it; the catalogue's stay"
        )
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        editor = QHBoxLayout()
        editor.addWidget(QLabel("Selected: recurs"))
        editor.addWidget(self.recurrence)
        editor.addWidget(QLabel("due on"))
        editor.addWidget(self.due)
        editor.addWidget(self.set_button)
        editor.addStretch(1)
        heading = section_title("Evidence the auditor will ask for")
        heading.setWordWrap(False)
        title = QHBoxLayout()
        title.addWidget(heading)
        title.addStretch(1)
        title.addWidget(self.add_button)
        title.addWidget(self.remove_button)
        self.empty = QLabel(
            "The catalogue asks for no manual evidence here. If the auditor asks for some, "
            "add a request of your own."
        )
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The buttons beside the title make its row taller than a label alone: no gap under it.
        layout.setSpacing(0)
        layout.addLayout(title)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addSpacing(6)
        layout.addLayout(editor)
        self._update_editor()

    def show_requests(self, requests: Sequence[RequestSchedule]) -> None:
        chosen = self.selected_item()
        self.requests = tuple(requests)
        self.table.setRowCount(len(self.requests))
        warning = look_colour(control_look(ControlStatus.ERROR), self.palette())
        for row, request in enumerate(self.requests):
            cells = (request.title, files_text(request), request.recurrence.label)
            for column, text in enumerate((*cells, due_text(request))):
                cell = QTableWidgetItem(text)
                cell.setData(_ITEM_ROLE, request.item_id)
                cell.setToolTip(request.description if column == 0 else text)
                if column == 3 and text.startswith("⚠"):
                    cell.setForeground(warning)
                self.table.setItem(row, column, cell)
        rows = self.table.verticalHeader().defaultSectionSize() * len(self.requests)
        height = self.table.horizontalHeader().sizeHint().height() + rows + 4
        self.table.setFixedHeight(min(max(height, 40), 220))
        self.table.setVisible(bool(self.requests))
        self.empty.setVisible(not self.requests)
        if chosen:
            self.select_item(chosen)
        self._update_editor()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        self._update_editor()

    def select_item(self, item_id: str) -> None:
        for row, request in enumerate(self.requests):
            if request.item_id == item_id:
                self.table.selectRow(row)
                return

    def row_texts(self, item_id: str) -> list[str]:
        """The cells of a request's row as shown (empty: no such request)."""
        for row, request in enumerate(self.requests):
            if request.item_id == item_id:
                cells = (self.table.item(row, c) for c in range(len(COLUMNS)))
                return [cell.text() if cell is not None else "" for cell in cells]
        return []

    def selected_item(self) -> str:
        rows = self.table.selectionModel().selectedRows()
        cell = self.table.item(rows[0].row(), 0) if rows else None
        return str(cell.data(_ITEM_ROLE)) if cell is not None else ""

    def _selected(self) -> RequestSchedule | None:
        item = self.selected_item()
        return next((r for r in self.requests if r.item_id == item), None)

    def _on_table_selection_changed(self) -> None:
        request = self._selected()
        if request is not None:
            self.recurrence.setCurrentIndex(self.recurrence.findData(request.recurrence.value))
            self.due.setDate(qdate(request.due_on) if request.due_on else NO_DATE)
            self.item_selected.emit(request.item_id)
        self._update_editor()

    def _update_editor(self) -> None:
        selected = self._selected()
        usable = selected is not None and not self._locked
        for widget in (self.recurrence, self.due, self.set_button):
            widget.setEnabled(usable)
        self.add_button.setEnabled(not self._locked)
        self.remove_button.setEnabled(usable and selected is not None and selected.own)

    def _on_remove_button_clicked(self) -> None:
        request = self._selected()
        if request is not None and request.own and not self._locked:
            self.remove_requested.emit(request.item_id, request.title)

    def _on_set_button_clicked(self) -> None:
        request = self._selected()
        if request is None or self._locked:
            return
        chosen = self.due.date()
        due = None if chosen == NO_DATE else chosen.toPython()
        self.schedule_chosen.emit(request.item_id, Recurrence(self.recurrence.currentData()), due)
