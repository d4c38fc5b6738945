"""Risk exceptions: accept a failing resource (or the whole control) until a date; revoke."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.control_edits import ExceptionRequest
from app.services.control_model import ExceptionInfo
from app.ui.control_page.overview_panel import section_title
from app.ui.control_page.remediation_panel import plain_label

EXCEPTION_COLUMNS = ("State", "Resources", "Justification", "Approver", "Expires", "Added by")
DEFAULT_DAYS = 90


def today_utc() -> date:
    return datetime.now(UTC).date()


class ExceptionsPanel(QWidget):
    added = Signal(object)  # ExceptionRequest
    revoke_requested = Signal(int)  # exception id
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._locked = False
        self.table = QTableWidget(0, len(EXCEPTION_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(EXCEPTION_COLUMNS))
        self.table.setAccessibleName("Exceptions of this control")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.revoke_button = QPushButton("Revoke selected exception")
        self.revoke_button.setAccessibleName("Revoke selected exception")
        self.revoke_button.setEnabled(False)

        self.pattern = QLineEdit("*")
        self.pattern.setAccessibleName("Resources the exception covers")
        self.pattern.setToolTip("A resource id or ARN; * and ? match anything. * covers all.")
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification")
        self.justification.setPlaceholderText("Why the risk is accepted, and what mitigates it.")
        self.justification.setTabChangesFocus(True)
        self.justification.setFixedHeight(80)
        self.approver = QLineEdit()
        self.approver.setAccessibleName("Approver")
        self.approver.setPlaceholderText("Who accepts the risk (name and role)")
        self.expiry = QDateEdit()
        self.expiry.setAccessibleName("Expiry date")
        self.expiry.setCalendarPopup(True)
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        self.add_button = QPushButton("Add exception")
        self.add_button.setAccessibleName("Add exception")
        self.message = plain_label("")
        self.message.setObjectName("inlineMessage")
        self.none_yet = plain_label(
            "No exceptions. If a failing resource is a risk the business accepts (for now), "
            "record it below: which resources, why, who approved it and until when. An "
            "exception never hides an error: a check that could not look stays an error.",
            name="emptyState",
        )
        self.none_yet.setAccessibleName("No exceptions")
        self._reset_form()

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.revoke_button.clicked.connect(self._on_revoke_button_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        form = QFormLayout()
        form.addRow("Resources:", self.pattern)
        form.addRow("Justification:", self.justification)
        form.addRow("Approver:", self.approver)
        form.addRow("Expires on:", self.expiry)
        add_row = QHBoxLayout()
        add_row.addWidget(self.message, 1)
        add_row.addWidget(self.add_button)
        revoke_row = QHBoxLayout()
        revoke_row.addStretch(1)
        revoke_row.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Exceptions (accepted risks)"))
        layout.addWidget(self.table, 1)
        # Takes the table's room while there are no exceptions, text at the top.
        layout.addWidget(self.none_yet, 1, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(revoke_row)
        layout.addWidget(section_title("Add an exception"))
        layout.addLayout(form)
        layout.addLayout(add_row)
        self._exceptions: tuple[ExceptionInfo, ...] = ()

    def _reset_form(self) -> None:
        self.pattern.setText("*")
        self.justification.setPlainText("")
        self.approver.setText("")
        target = today_utc() + timedelta(days=DEFAULT_DAYS)
        self.expiry.setMinimumDate(QDate(today_utc().year, today_utc().month, today_utc().day))
        self.expiry.setDate(QDate(target.year, target.month, target.day))

    def show_exceptions(self, exceptions: Sequence[ExceptionInfo], *, reset: bool) -> None:
        self._exceptions = tuple(exceptions)
        today = today_utc()
        self.table.setRowCount(len(exceptions))
        for row, exc in enumerate(exceptions):
            cells = (
                exc.state(today).capitalize(),
                exc.resource_pattern,
                exc.justification,
                exc.approver,
                exc.expires_on.isoformat() if exc.expires_on else "never",
                exc.created_by.rsplit("/", 1)[-1],
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                cell.setData(Qt.ItemDataRole.UserRole, exc.exception_id)
                self.table.setItem(row, column, cell)
        if reset:
            self._reset_form()
            self.message.setText("")
        # Nothing to list: say what an exception is for instead of an empty table.
        self.table.setVisible(bool(exceptions))
        self.revoke_button.setVisible(bool(exceptions))
        self.none_yet.setVisible(not exceptions)
        self._update_buttons()

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for widget in (self.pattern, self.justification, self.approver, self.expiry):
            widget.setEnabled(not locked)
        self._update_buttons()

    def selected_exception(self) -> ExceptionInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if not rows:
            return None
        cell = self.table.item(min(rows), 0)
        if cell is None:
            return None
        wanted = cell.data(Qt.ItemDataRole.UserRole)
        return next((e for e in self._exceptions if e.exception_id == wanted), None)

    def _update_buttons(self) -> None:
        selected = self.selected_exception()
        revocable = selected is not None and selected.revoked_at is None
        self.revoke_button.setEnabled(revocable and not self._locked)
        self.add_button.setEnabled(not self._locked)

    def _on_add_button_clicked(self) -> None:
        justification = self.justification.toPlainText().strip()
        approver = self.approver.text().strip()
        pattern = self.pattern.text().strip() or "*"
        missing = [
            name
            for name, value in (("a justification", justification), ("an approver", approver))
            if not value
        ]
        if missing:
            self.message.setText("An exception needs " + " and ".join(missing) + ".")
            return
        chosen = self.expiry.date()
        expires = date(chosen.year(), chosen.month(), chosen.day())
        self.message.setText("")
        self.added.emit(ExceptionRequest(pattern, justification, approver, expires))

    def _on_revoke_button_clicked(self) -> None:
        selected = self.selected_exception()
        if selected is not None:
            self.revoke_requested.emit(selected.exception_id)
