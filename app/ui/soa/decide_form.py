"""Decide the selected rows at once: applies, reason or justification, owner.

With one row selected the form shows that row's decision and sets it as shown; with
several it starts at "keep as is" and changes only what is filled in. It emits
`decided(BulkForm)`; the screen stores it and shows any refusal with `show_problems`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_model import SoaRow
from app.services.soa_view import AppliesChoice, BulkForm, exclusion_hint
from app.store.decisions import REASON_TITLES

_APPLIES = (
    ("Keep as is", AppliesChoice.KEEP),
    ("Applies (yes)", AppliesChoice.YES),
    ("Does not apply (no)", AppliesChoice.NO),
    ("Undecided", AppliesChoice.UNDECIDED),
)
_KEEP_REASON = "\x00keep"  # the reason box's "keep as is" (no REASONS key looks like it)


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _enable_first(combo: QComboBox, on: bool) -> None:
    model = combo.model()
    if isinstance(model, QStandardItemModel) and model.item(0) is not None:
        model.item(0).setEnabled(on)


class DecideForm(QGroupBox):
    decided = Signal(object)  # BulkForm

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Decide", parent)
        self._rows: tuple[SoaRow, ...] = ()
        self.applies = QComboBox()
        self.applies.setAccessibleName("Applies")
        for text, choice in _APPLIES:
            self.applies.addItem(text, choice.value)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Reason for inclusion")
        self.reason.addItem("Keep as is", _KEEP_REASON)
        for key, title in REASON_TITLES.items():
            self.reason.addItem(title, key)
        self.reason.addItem("No reason", "")
        self.justification = QPlainTextEdit()
        self.justification.setAccessibleName("Justification")
        self.justification.setTabChangesFocus(True)
        self.justification.setFixedHeight(70)
        self.owner = QLineEdit()
        self.owner.setAccessibleName("Owner")
        self.owner.setMaxLength(200)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setAccessibleName("Apply the decision to the selected rows")
        self.hint = _plain()
        self.hint.setAccessibleName("Decision hint")
        self.problems = _plain()
        self.problems.setObjectName("inlineMessage")
        self.problems.setAccessibleName("Decision problems")
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("&Applies:", self.applies)
        form.addRow("&Reason:", self.reason)
        form.addRow("&Justification:", self.justification)
        form.addRow("O&wner:", self.owner)
        layout = QVBoxLayout(self)
        self.selection = _plain()
        layout.addWidget(self.selection)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.apply_button)
        layout.addWidget(self.problems)

        self.applies.currentIndexChanged.connect(self._on_form_changed)
        self.reason.currentIndexChanged.connect(self._on_form_changed)
        self.justification.textChanged.connect(self._on_form_changed)
        self.owner.textChanged.connect(self._on_form_changed)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.set_rows(())

    # -- what is selected --------------------------------------------------------------------
    def set_rows(self, rows: Sequence[SoaRow], *, keep_edits: bool = False) -> None:
        """Show the form for these rows (one: its decision; several: keep as is).

        `keep_edits`: the same rows, reloaded; what the user is typing stays.
        """
        self._rows = tuple(rows)
        if keep_edits:
            self._on_form_changed()
            return
        self.show_problems([])
        count = len(self._rows)
        if count == 1:
            row = self._rows[0]
            self.selection.setText(f"{row.criterion_id} {row.title}")
            decision = row.decision
            applies = {None: AppliesChoice.UNDECIDED, True: AppliesChoice.YES}.get(
                decision.applies, AppliesChoice.NO
            )
            self._set(applies, decision.reason, decision.justification, decision.owner)
        else:
            self.selection.setText(
                f"{count} rows selected: fill in what to change; empty fields stay as they are."
                if count
                else "Select rows in the table (Shift or Ctrl for several, or a theme)."
            )
            self._set(AppliesChoice.KEEP, _KEEP_REASON, "", "")
        self.setEnabled(bool(count))
        self._on_form_changed()

    def _set(self, applies: AppliesChoice, reason: str, justification: str, owner: str) -> None:
        self.applies.setCurrentIndex(self.applies.findData(applies.value))
        # "Keep as is" only makes sense for several rows.
        for combo in (self.applies, self.reason):
            _enable_first(combo, len(self._rows) != 1)
        self.reason.setCurrentIndex(max(self.reason.findData(reason), 0))
        self.justification.setPlainText(justification)
        self.owner.setText(owner)

    # -- reading -------------------------------------------------------------------------------
    def form(self) -> BulkForm:
        reason = str(self.reason.currentData())
        return BulkForm(
            applies=AppliesChoice(str(self.applies.currentData())),
            reason=None if reason == _KEEP_REASON else reason,
            justification=self.justification.toPlainText(),
            owner=self.owner.text(),
            explicit=len(self._rows) == 1,
        )

    def show_problems(self, lines: Sequence[str]) -> None:
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))

    @Slot()
    def _on_form_changed(self) -> None:
        form = self.form()
        excluding = form.applies is AppliesChoice.NO
        self.reason.setEnabled(not excluding)
        if excluding:
            placeholder = "Required: why it does not apply (the auditor will ask)."
        elif len(self._rows) == 1:
            placeholder = "Optional for an inclusion: a note on why it applies."
        else:
            placeholder = "Optional; left empty, each row keeps its own."
        self.justification.setPlaceholderText(placeholder)
        hint = exclusion_hint(form, self._rows)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        count = len(self._rows)
        self.apply_button.setText(
            "Save this row" if count == 1 else f"Apply to {count} selected rows"
        )
        self.apply_button.setEnabled(bool(count) and not form.empty and not hint)

    @Slot()
    def _on_apply_button_clicked(self) -> None:
        if self._rows:
            self.decided.emit(self.form())

    @property
    def rows(self) -> tuple[SoaRow, ...]:
        return self._rows
