"""The SOC 2 tab: the categories in scope (security always), and their criteria.

SOC 2 is scoped by category, never criterion by criterion: ticking a category brings
all of its criteria in. Emits `scope_changed(list of category keys)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.controls.catalogue import SOC2_CATEGORIES
from app.services.soa_model import Soc2Row
from app.services.soa_view import SOC2_COLUMNS, TableLine, soc2_groups
from app.store.engagements import SECURITY
from app.ui.soa.controls_list import ControlsList
from app.ui.soa.criteria_tree import CriteriaTree, beside


class Soc2Tab(QWidget):
    scope_changed = Signal(list)
    control_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        categories = QHBoxLayout()
        categories.addWidget(QLabel("Categories in scope:"))
        for key, title in SOC2_CATEGORIES.items():
            box = QCheckBox(title)
            box.setAccessibleName(f"SOC 2 category {title}")
            if key == SECURITY:
                box.setChecked(True)
                box.setEnabled(False)
                box.setToolTip("Security (the common criteria) is in every SOC 2 examination.")
            else:
                box.toggled.connect(self._on_box_toggled)
            self.boxes[key] = box
            categories.addWidget(box)
        categories.addStretch(1)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setAccessibleName("SOC 2 scope note")
        self.tree = CriteriaTree(
            SOC2_COLUMNS, name="SOC 2 criteria in scope", widths=(70, 0, 130, 100, 180)
        )
        self.controls = ControlsList()
        split = beside(self.tree, (self.controls,))
        layout = QVBoxLayout(self)
        layout.addLayout(categories)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        self.tree.selection_changed.connect(self._on_tree_selection_changed)
        self.tree.line_activated.connect(self._on_tree_line_activated)
        self.controls.control_requested.connect(self.control_requested)

    def show_rows(
        self, rows: Sequence[Soc2Row], categories: Sequence[str], frameworks: Sequence[str]
    ) -> None:
        for key, box in self.boxes.items():
            blocked = box.blockSignals(True)
            box.setChecked(key == SECURITY or key in categories)
            box.blockSignals(blocked)
        self.tree.set_groups(soc2_groups(rows))
        chosen = ", ".join(SOC2_CATEGORIES[k] for k in SOC2_CATEGORIES if k in categories)
        note = (
            f"{len(rows)} criteria in scope ({chosen}). Each is in scope as a whole; its "
            "implementation follows the controls behind it."
        )
        if frameworks and "soc2" not in frameworks:
            note += " SOC 2 is not one of this engagement's frameworks (edit the engagement)."
        self.note.setText(note)

    def chosen(self) -> list[str]:
        return [key for key, box in self.boxes.items() if box.isChecked()]

    @Slot()
    def _on_box_toggled(self) -> None:
        self.scope_changed.emit(self.chosen())

    @Slot()
    def _on_tree_selection_changed(self) -> None:
        self.controls.show_line(self.tree.current_line())

    @Slot(object)
    def _on_tree_line_activated(self, line: object) -> None:
        if isinstance(line, TableLine) and len(line.controls) == 1:
            self.control_requested.emit(line.controls[0].id)
