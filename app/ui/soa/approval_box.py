"""The SoA's last approval and the form to approve the current version.

The Approve button says why it is disabled (rows undecided, or nothing changed since
the last approval); it emits `approved(reviewer, role, comment)`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_model import SoaState
from app.services.soa_table import approval_text
from app.services.soa_view import approval_blocker


def _plain(name: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


class ApprovalBox(QGroupBox):
    approved = Signal(str, str, str)  # reviewer, role, comment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Approval", parent)
        self._state: SoaState | None = None
        self.last = _plain("Last approval")
        self.reviewer = QLineEdit()
        self.reviewer.setAccessibleName("Reviewer")
        self.reviewer.setPlaceholderText("Who approves (name)")
        self.role = QLineEdit()
        self.role.setAccessibleName("Reviewer's role")
        self.role.setPlaceholderText("e.g. CISO, CEO")
        self.comment = QLineEdit()
        self.comment.setAccessibleName("Approval comment")
        self.comment.setPlaceholderText("Optional")
        self.approve_button = QPushButton("Approve")
        self.approve_button.setAccessibleName("Approve the Statement of Applicability")
        self.blocker = _plain("Why approval waits")
        self.message = _plain("Approval message")
        self.message.setObjectName("inlineMessage")

        form = QFormLayout()
        form.addRow("Re&viewer:", self.reviewer)
        form.addRow("R&ole:", self.role)
        form.addRow("Co&mment:", self.comment)
        layout = QVBoxLayout(self)
        layout.addWidget(self.last)
        layout.addLayout(form)
        layout.addWidget(self.approve_button)
        layout.addWidget(self.blocker)
        layout.addWidget(self.message)
        self.message.hide()
        for edit in (self.reviewer, self.role):
            edit.textChanged.connect(self._update_button)
        self.approve_button.clicked.connect(self._on_approve_button_clicked)
        self.show_state(None)

    def show_state(self, state: SoaState | None) -> None:
        self._state = state
        if state is None:
            self.last.setText("")
        else:
            approval = state.approval
            self.last.setText(
                f"Last approved: {approval_text(approval)}"
                + (f" — “{approval.comment}”" if approval.comment else "")
                if approval is not None
                else "Never approved: the binder says DRAFT until it is."
            )
            self.approve_button.setText(f"Approve version {state.version}")
        self._update_button()

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def clear_comment(self) -> None:
        self.comment.clear()

    @Slot()
    def _update_button(self) -> None:
        state = self._state
        blocker = approval_blocker(state) if state is not None else "No engagement is open."
        if not blocker and not (self.reviewer.text().strip() and self.role.text().strip()):
            blocker = "Give the reviewer's name and role to approve."
        self.blocker.setText(blocker)
        self.blocker.setVisible(bool(blocker))
        self.approve_button.setToolTip(blocker)
        self.approve_button.setEnabled(not blocker)

    @Slot()
    def _on_approve_button_clicked(self) -> None:
        self.approved.emit(self.reviewer.text(), self.role.text(), self.comment.text())
