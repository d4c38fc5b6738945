"""Who owns the control in this engagement and whether it applies (with the reason if not).

The binder's Statement of Applicability prints both, so "not applicable" without a
reason is refused here before it reaches the store (which refuses it too).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.services.control_edits import ApplicabilityRequest
from app.ui.control_page.remediation_panel import plain_label

REASON_NEEDED = (
    "Give the reason it does not apply: the Statement of Applicability prints it, "
    "and the auditor will ask."
)


class ApplicabilityBox(QGroupBox):
    """Owner field, Applicable / Not applicable choice, reason, Save."""

    saved = Signal(object)  # ApplicabilityRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("In this engagement", parent)
        self._stored = ApplicabilityRequest("", True, "")
        self._locked = False
        self.owner = QLineEdit()
        self.owner.setAccessibleName("Control owner")
        self.owner.setPlaceholderText("Who runs this control day to day, e.g. Dana (CTO)")
        self.owner.setMaxLength(200)
        self.applicable = QRadioButton("&Applicable")
        self.applicable.setAccessibleName("Applicable: the control is in scope")
        self.not_applicable = QRadioButton("&Not applicable")
        self.not_applicable.setAccessibleName("Not applicable: exclude it, with a reason")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.applicable)
        self.choice.addButton(self.not_applicable)
        self.applicable.setChecked(True)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Why the control does not apply")
        self.reason.setPlaceholderText(
            "Why it does not apply here, e.g. 'No EC2 instances: the product is serverless.'"
        )
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.reason_label = plain_label("Reason:", wrap=False)
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save owner and applicability")
        self.state = plain_label("", wrap=False)
        self.message = plain_label("", name="inlineMessage")
        self.message.setAccessibleName("Owner and applicability message")

        choices = QHBoxLayout()
        choices.addWidget(self.applicable)
        choices.addWidget(self.not_applicable)
        choices.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.state)
        buttons.addWidget(self.save_button)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Owner:", self.owner)
        form.addRow("Applies:", choices)
        form.addRow(self.reason_label, self.reason)
        # Its own row: a wrapped label beside buttons gets one line's height and is cut.
        form.addRow(self.message)
        form.addRow(buttons)

        self.message.setVisible(False)
        self.owner.textChanged.connect(self._on_edited)
        self.choice.buttonToggled.connect(self._on_edited)
        self.reason.textChanged.connect(self._on_edited)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self._on_edited()

    # -- showing -------------------------------------------------------------------------
    def show_state(self, owner: str, applicable: bool, reason: str, *, keep_edits: bool) -> None:
        """Show what is stored; `keep_edits` leaves unsaved typing alone (a reload)."""
        self._stored = ApplicabilityRequest(owner, applicable, reason)
        if not (keep_edits and self.dirty):
            self._show(self._stored)
            self._tell("")
        self._on_edited()

    def _show(self, value: ApplicabilityRequest) -> None:
        self.owner.setText(value.owner)
        (self.applicable if value.applicable else self.not_applicable).setChecked(True)
        self.reason.setPlainText(value.reason)

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for widget in (self.owner, self.applicable, self.not_applicable, self.reason):
            widget.setEnabled(not locked)
        self._on_edited()

    def current(self) -> ApplicabilityRequest:
        applicable = self.applicable.isChecked()
        reason = "" if applicable else self.reason.toPlainText().strip()
        return ApplicabilityRequest(self.owner.text().strip(), applicable, reason)

    @property
    def dirty(self) -> bool:
        return self.current() != self._stored

    # -- slots ---------------------------------------------------------------------------
    def _on_edited(self, *_args: object) -> None:
        not_applicable = self.not_applicable.isChecked()
        self.reason.setVisible(not_applicable)
        self.reason_label.setVisible(not_applicable)
        dirty = self.dirty
        self.save_button.setEnabled(dirty and not self._locked)
        self.state.setText("Unsaved changes" if dirty else "")

    def _on_save_button_clicked(self) -> None:
        if self._locked:
            return
        wanted = self.current()
        if not wanted.applicable and not wanted.reason:
            self._tell(REASON_NEEDED)
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._tell("")
        self.saved.emit(wanted)

    def _tell(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
