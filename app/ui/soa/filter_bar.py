"""Search and filters above the SoA table (decision, implementation, theme)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from app.controls.catalogue import THEME_TITLES
from app.services.implementation import Implementation
from app.services.soa_model import DecisionFilter, SoaFilter

_DECISIONS = (
    ("Any decision", DecisionFilter.ALL),
    ("Undecided", DecisionFilter.UNDECIDED),
    ("Applies", DecisionFilter.INCLUDED),
    ("Excluded", DecisionFilter.EXCLUDED),
)
_ISO_THEMES = ("organizational", "people", "physical", "technological")


class SoaFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setAccessibleName("Search the Statement of Applicability")
        self.search.setPlaceholderText("Search id, title, reason, owner, control…")
        self.search.setClearButtonEnabled(True)
        self.decision = QComboBox()
        self.decision.setAccessibleName("Show rows by decision")
        for text, value in _DECISIONS:
            self.decision.addItem(text, value.value)
        self.implementation = QComboBox()
        self.implementation.setAccessibleName("Show rows by implementation")
        self.implementation.addItem("Any implementation", "")
        for status in Implementation:
            self.implementation.addItem(status.label.capitalize(), status.value)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Show rows of one theme")
        self.theme.addItem("Every theme", "")
        for key in _ISO_THEMES:
            self.theme.addItem(THEME_TITLES[key], key)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        find = QLabel("&Find:")
        find.setBuddy(self.search)
        layout.addWidget(find)
        layout.addWidget(self.search, 1)
        for combo in (self.decision, self.implementation, self.theme):
            layout.addWidget(combo)
            combo.currentIndexChanged.connect(self._on_changed)
        self.search.textChanged.connect(self._on_changed)

    def current(self) -> SoaFilter:
        implementation = str(self.implementation.currentData() or "")
        return SoaFilter(
            text=self.search.text(),
            decision=DecisionFilter(str(self.decision.currentData())),
            implementation=Implementation(implementation) if implementation else None,
            theme=str(self.theme.currentData() or ""),
        )

    def show_only(self, decision: DecisionFilter) -> None:
        """Reset the other filters and show rows with this decision (e.g. the undecided)."""
        blocked = self.blockSignals(True)
        self.search.clear()
        self.implementation.setCurrentIndex(0)
        self.theme.setCurrentIndex(0)
        self.decision.setCurrentIndex(self.decision.findData(decision.value))
        self.blockSignals(blocked)
        self.changed.emit()

    @Slot()
    def _on_changed(self) -> None:
        self.changed.emit()
