"""A tree view over `GroupedLinesModel`: theme rows spanning the table, criteria below.

Several rows can be selected (Shift, Ctrl, Ctrl+A); selecting a theme row selects its
criteria for the bulk form. The selection survives a reload (kept by criterion id).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QScrollArea,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_view import LineGroup, TableLine
from app.ui.soa.grouped_model import GroupedLinesModel


class CriteriaTree(QTreeView):
    """Emits `selection_changed()` and `line_activated(TableLine)` (Enter, double-click)."""

    selection_changed = Signal()
    line_activated = Signal(object)

    def __init__(
        self,
        columns: Sequence[str],
        *,
        name: str,
        stretch: int = 1,
        undecided_column: int = -1,
        widths: Sequence[int] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.lines_model = GroupedLinesModel(columns, undecided_column)
        self.setModel(self.lines_model)
        self.setAccessibleName(name)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setAlternatingRowColors(True)
        # Theme rows are headings, not branches to open: the room goes to the columns.
        self.setRootIsDecorated(False)
        self.setIndentation(10)
        self.setItemsExpandable(False)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        # Starting widths in pixels (0: leave it to the stretch); the user can drag them.
        for column, width in enumerate(widths):
            if width and column != stretch:
                header.resizeSection(column, width)
        self.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.activated.connect(self._on_activated)

    def set_groups(self, groups: Sequence[LineGroup]) -> None:
        """Show new lines, keeping the selected criteria and the current one selected."""
        kept = [line.criterion_id for line in self.selected_lines()]
        current = self.current_line()
        blocked = self.selectionModel().blockSignals(True)
        self.lines_model.set_groups(groups)
        for row in range(self.lines_model.rowCount()):
            self.setFirstColumnSpanned(row, QModelIndex(), True)
        self.expandAll()
        self._select(kept, current.criterion_id if current is not None else "")
        self.selectionModel().blockSignals(blocked)
        self.selection_changed.emit()

    def _select(self, ids: Sequence[str], current: str) -> None:
        chosen = QItemSelection()
        for criterion_id in ids:
            index = self.lines_model.index_of(criterion_id)
            if index.isValid():
                chosen.select(index, index.siblingAtColumn(self.lines_model.columnCount() - 1))
        # The current row first: whoever hears of the new selection reads it.
        index = self.lines_model.index_of(current)
        if index.isValid():
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(chosen, flags)

    def select_ids(self, ids: Sequence[str]) -> None:
        self._select(ids, ids[0] if ids else "")
        if ids:
            self.scrollTo(self.lines_model.index_of(ids[0]))

    def selected_lines(self) -> list[TableLine]:
        """Selected criteria, a selected theme standing for all of its own, in table order."""
        chosen = {
            line.criterion_id
            for index in self.selectionModel().selectedRows(0)
            for line in self.lines_model.lines_at(index)
        }
        order = [line for group in self.lines_model.groups for line in group.lines]
        return [line for line in order if line.criterion_id in chosen]

    def current_line(self) -> TableLine | None:
        return self.lines_model.line(self.currentIndex())

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.selection_changed.emit()

    def _on_activated(self, index: QModelIndex) -> None:
        line = self.lines_model.line(index)
        if line is not None:
            self.line_activated.emit(line)


def beside(tree: CriteriaTree, panels: Sequence[QWidget]) -> QSplitter:
    """The table, and the panels in a column to its right (scrolling when short of room)."""
    side = QWidget()
    column = QVBoxLayout(side)
    column.setContentsMargins(0, 0, 0, 0)
    for panel in panels:
        column.addWidget(panel)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidget(side)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setMinimumWidth(300)
    split = QSplitter(Qt.Orientation.Horizontal)
    split.addWidget(tree)
    split.addWidget(scroll)
    split.setStretchFactor(0, 3)
    split.setStretchFactor(1, 1)
    split.setChildrenCollapsible(False)
    return split
