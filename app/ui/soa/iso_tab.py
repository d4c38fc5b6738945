"""The ISO 27001 tab: filters, the 93 rows by theme, and beside them the bulk form, the
controls behind the current row and the approval.

Composition only: the screen (`app/ui/soa/screen.py`) loads and stores.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_model import SoaRow
from app.services.soa_view import ISO_COLUMNS, TableLine, iso_groups
from app.ui.soa.approval_box import ApprovalBox
from app.ui.soa.controls_list import ControlsList
from app.ui.soa.criteria_tree import CriteriaTree, beside
from app.ui.soa.decide_form import DecideForm
from app.ui.soa.filter_bar import SoaFilterBar

_APPLIES_COLUMN = 2


def _button(text: str, name: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    return button


class IsoTab(QWidget):
    control_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[str, SoaRow] = {}
        self.filters = SoaFilterBar()
        self.export_csv_button = _button(
            "Export CSV…", "Export the table as CSV", "The 93 rows as a UTF-8 CSV file"
        )
        self.export_xlsx_button = _button(
            "Export XLSX…", "Export the table as XLSX", "The 93 rows as an Excel workbook"
        )
        self.import_button = _button(
            "Import…",
            "Import decisions from a CSV or XLSX file",
            "Set the decisions from a CSV or XLSX in the same columns (all or nothing)",
        )
        self.tree = CriteriaTree(
            ISO_COLUMNS,
            name="Annex A controls",
            undecided_column=_APPLIES_COLUMN,
            widths=(70, 0, 74, 140, 96, 100, 80),
        )
        self.form = DecideForm()
        self.controls = ControlsList()
        self.approval = ApprovalBox()

        split = beside(self.tree, (self.form, self.controls, self.approval))

        top = QHBoxLayout()
        top.addWidget(self.filters, 1)
        for button in (self.export_csv_button, self.export_xlsx_button, self.import_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.filters.changed.connect(self._on_filters_changed)
        self.tree.selection_changed.connect(self._on_tree_selection_changed)
        self.tree.line_activated.connect(self._on_tree_line_activated)
        self.controls.control_requested.connect(self.control_requested)

    def show_rows(self, rows: Sequence[SoaRow]) -> None:
        self._rows = {row.criterion_id: row for row in rows}
        self._on_filters_changed()

    def selected_rows(self) -> list[SoaRow]:
        return [self._rows[line.criterion_id] for line in self.tree.selected_lines()]

    @Slot()
    def _on_filters_changed(self) -> None:
        self.tree.set_groups(iso_groups(self._rows.values(), self.filters.current()))

    @Slot()
    def _on_tree_selection_changed(self) -> None:
        rows = self.selected_rows()
        same = [r.criterion_id for r in rows] == [r.criterion_id for r in self.form.rows]
        self.form.set_rows(rows, keep_edits=same and bool(rows))
        self.controls.show_line(self.tree.current_line())

    @Slot(object)
    def _on_tree_line_activated(self, line: object) -> None:
        if isinstance(line, TableLine) and len(line.controls) == 1:
            self.control_requested.emit(line.controls[0].id)
        elif isinstance(line, TableLine):
            self.controls.list.setFocus()
