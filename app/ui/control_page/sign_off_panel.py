"""Reviewer sign-off: the form, the current state (valid or stale) and the history."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.controls.control_status import ControlStatus
from app.evidence import iso_utc
from app.services.control_edits import SignOffRequest
from app.services.control_model import ControlSnapshot, SignOffInfo
from app.ui.control_page.overview_panel import section_title
from app.ui.control_page.remediation_panel import plain_label


def describe_sign_off(sign_off: SignOffInfo) -> str:
    role = f" ({sign_off.role})" if sign_off.role else ""
    return f"{sign_off.reviewer}{role}, {iso_utc(sign_off.signed_at)}"


# What to do before signing off, by the control's status (words for the reviewer).
_BEFORE_SIGNING = {
    ControlStatus.NOT_CHECKED: (
        "Nothing has been checked yet: run the checks and add the evidence first."
    ),
    ControlStatus.FAILING: "The control is failing: fix what fails, or record an exception, first.",
    ControlStatus.ERROR: (
        "Some checks could not look (errors): fix the access problem and run them again."
    ),
    ControlStatus.EXCEPTION: "Failures are covered by exceptions; the sign-off approves those too.",
    ControlStatus.PASSING: "Every resource passes. Check the evidence tab, then sign off.",
    ControlStatus.EVIDENCE_MISSING: (
        "Some of the evidence this control asks for is not attached yet, or a due date "
        "passed with no file for it (see the evidence tab)."
    ),
    ControlStatus.EVIDENCE_ATTACHED: (
        "Every evidence request has a file and none is overdue. Review them, then sign off."
    ),
}


def sign_off_state_text(snapshot: ControlSnapshot) -> str:
    latest = snapshot.latest_sign_off
    if latest is None:
        advice = _BEFORE_SIGNING.get(snapshot.status, "")
        return (
            "Not signed off yet. "
            + (f"{advice} " if advice else "")
            + "A sign-off approves what this page shows now and locks it."
        )
    if snapshot.status is ControlStatus.STALE:
        reason = snapshot.stale_reason or "results, evidence, notes or exceptions changed"
        return (
            f"Sign-off is STALE: signed off by {describe_sign_off(latest)}, but the control "
            f"changed afterwards ({reason}). Review it and sign off again."
        )
    return f"Signed off by {describe_sign_off(latest)}."


class SignOffPanel(QWidget):
    signed = Signal(object)  # SignOffRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = plain_label("")
        self.state.setAccessibleName("Sign-off state")
        self.reviewer = QLineEdit()
        self.reviewer.setAccessibleName("Reviewer")
        self.reviewer.setPlaceholderText("Who reviewed this control")
        self.role = QLineEdit()
        self.role.setAccessibleName("Reviewer's role")
        self.role.setPlaceholderText("e.g. CTO, Security officer")
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Sign-off comment")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(70)
        self.sign_button = QPushButton("Sign off")
        self.sign_button.setAccessibleName("Sign off this control")
        self.message = plain_label("")
        self.history = QListWidget()
        self.history.setAccessibleName("Sign-off history")
        self.no_history = plain_label("No sign-offs yet.", name="emptyState")
        self.sign_button.clicked.connect(self._on_sign_button_clicked)

        form = QFormLayout()
        form.addRow("Reviewer:", self.reviewer)
        form.addRow("Role:", self.role)
        form.addRow("Comment:", self.comment)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Sign-off"))
        layout.addWidget(self.state)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(section_title("History"))
        layout.addWidget(self.history, 1)
        # Takes the table's room while there is no history, text at the top.
        layout.addWidget(self.no_history, 1, Qt.AlignmentFlag.AlignTop)

    def show_sign_offs(self, snapshot: ControlSnapshot, *, reset: bool) -> None:
        """Show the state and history; `reset` clears the form (new control, or signed)."""
        self.state.setText(sign_off_state_text(snapshot))
        self.history.clear()
        for sign_off in snapshot.sign_offs:
            comment = f" — {sign_off.comment}" if sign_off.comment else ""
            self.history.addItem(describe_sign_off(sign_off) + comment)
        self.history.setVisible(bool(snapshot.sign_offs))
        self.no_history.setVisible(not snapshot.sign_offs)
        if reset:
            self.comment.setPlainText("")
            self.message.setText("")
        locked = snapshot.locked
        for widget in (self.reviewer, self.role, self.comment, self.sign_button):
            widget.setEnabled(not locked)
        self.sign_button.setText("Sign off again" if snapshot.sign_offs else "Sign off")

    def _on_sign_button_clicked(self) -> None:
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.message.setText("A sign-off needs the reviewer's name.")
            return
        self.message.setText("")
        self.signed.emit(
            SignOffRequest(reviewer, self.role.text().strip(), self.comment.toPlainText().strip())
        )
