"""Add an evidence request of the user's own to a control: what is asked for, how often,
one due date of its series, and a description.

The dialog stays open on bad input and shows the services' message inline (no title,
a recurring request with no due date…); `save` stores it and raises `StoreError` when
it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.recurrence import Recurrence
from app.services.control_period import NewRequest
from app.store.errors import StoreError
from app.ui.control_page.evidence_requests import NO_DATE

SaveRequest = Callable[[NewRequest], None]
_MAX_TITLE = 500


class OwnRequestDialog(QDialog):
    def __init__(self, save: SaveRequest, control_title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("Add an evidence request")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Evidence the auditor asks for beyond the catalogue's, for “{control_title}”. "
            "The control counts it like the catalogue's requests: it needs a file, on time."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("What is asked for")
        self.title_edit.setPlaceholderText("e.g. Quarterly firewall review export")
        self.title_edit.setMaxLength(_MAX_TITLE)
        self._row(form, "&Evidence:", self.title_edit)
        self.recurrence = QComboBox()
        self.recurrence.setAccessibleName("How often it is due")
        for value in Recurrence:
            self.recurrence.addItem(value.label, value.value)
        self._row(form, "&Recurs:", self.recurrence)
        self.due = QDateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setMinimumDate(NO_DATE)
        self.due.setSpecialValueText("no due date")
        self.due.setDate(NO_DATE)
        self.due.setAccessibleName("One due date of the request")
        self.due.setToolTip(
            "One of its due dates; the others are whole steps before and after it. A "
            "recurring request left at “no due date” is due at the end of each step from "
            "the audit period's start."
        )
        self._row(form, "&Due on:", self.due)
        self.description = QPlainTextEdit()
        self.description.setAccessibleName("Description of the request")
        self.description.setPlaceholderText("Optional: what exactly, from where, who provides it")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        self._row(form, "De&scription:", self.description)
        layout.addLayout(form)

        self.error_label = QLabel()
        self.error_label.setObjectName("inlineMessage")
        self.error_label.setAccessibleName("Problem")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Add request")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.title_edit.setFocus()

    def _row(self, form: QFormLayout, label: str, field: QWidget) -> None:
        buddy = QLabel(label)
        buddy.setBuddy(field)
        form.addRow(buddy, field)

    def request(self) -> NewRequest:
        chosen = self.due.date()
        due = None if chosen == NO_DATE else chosen.toPython()
        return NewRequest(
            title=self.title_edit.text(),
            recurrence=Recurrence(self.recurrence.currentData()),
            due_on=due if isinstance(due, date) else None,
            description=self.description.toPlainText(),
        )

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        self.adjustSize()  # room for the message, the form's rows unsqueezed

    def _on_buttons_accepted(self) -> None:
        try:
            self._save(self.request())
        except StoreError as error:
            self.show_error(str(error))
            return
        self.accept()
