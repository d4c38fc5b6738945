"""The automated results as a Qt table model, and the proxy that filters it.

Built for thousands of rows: the cell texts and sort keys are computed once per load,
and sorting happens in the model on a Python list (one `sorted` call) rather than in
the proxy, whose C++ sort would call back into Python for every comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QIcon

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.control_model import ResultLine
from app.ui.status_badges import CONTROL_LOOKS, result_look, status_icon

COLUMNS = ("Status", "Check", "Region", "Resource", "Detail")
STATUS_COLUMN = 0
# The row's `ResultLine`, for the evidence viewer.
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


ACCEPTED_LOOK = CONTROL_LOOKS[ControlStatus.EXCEPTION]
ACCEPTED_RANK = 1.5  # between ERROR (1) and PASS (2)


def status_label(line: ResultLine) -> str:
    label = "Fail (accepted)" if line.accepted else result_look(line.status).label
    return f"{label} (provisional)" if line.provisional else label


def _cells(line: ResultLine) -> tuple[str, str, str, str, str]:
    return (status_label(line), line.check_id, line.region, line.resource, line.detail)


def _sort_key(line: ResultLine, column: int) -> tuple[object, ...]:
    if column == STATUS_COLUMN:
        # What needs attention (FAIL, ERROR) first; an accepted failure after the errors.
        rank = ACCEPTED_RANK if line.accepted else result_look(line.status).rank
        return (rank, line.resource.lower())
    text = (line.check_id, line.region, line.resource, line.detail)[column - 1]
    return (text.lower(), line.resource.lower())


class ResultsTableModel(QAbstractTableModel):
    """Read-only rows of `ResultLine`; the status column shows icon and words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[ResultLine] = []
        self._cells: list[tuple[str, str, str, str, str]] = []
        self._search: list[str] = []
        self._icons: dict[str, QIcon] = {}
        self._sort_column = STATUS_COLUMN
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_lines(self, lines: Sequence[ResultLine]) -> None:
        self.beginResetModel()
        self._lines = self._sorted(lines)
        self._fill_cells()
        # Rebuilt on each load, so a palette change (dark mode) shows after a refresh.
        self._icons = {}
        self.endResetModel()

    def _sorted(self, lines: Sequence[ResultLine]) -> list[ResultLine]:
        column = self._sort_column
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return sorted(lines, key=lambda line: _sort_key(line, column), reverse=descending)

    def _fill_cells(self) -> None:
        self._cells = [_cells(line) for line in self._lines]
        self._search = [" ".join(cells[1:]).lower() for cells in self._cells]

    def line(self, row: int) -> ResultLine:
        return self._lines[row]

    def search_text(self, row: int) -> str:
        """What the free-text filter looks in, lower case."""
        return self._search[row]

    @property
    def sort_column(self) -> int:
        return self._sort_column

    def replace_line(self, line: ResultLine) -> None:
        """Swap in a richer copy of a row (its evidence, once loaded); same position."""
        for row, old in enumerate(self._lines):
            if old.row_id == line.row_id:
                self._lines[row] = line
                return

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = column, order
        persistent = self.persistentIndexList()
        kept = [(self._lines[index.row()], index.column()) for index in persistent]
        self._lines = self._sorted(self._lines)
        self._fill_cells()
        where = {id(line): row for row, line in enumerate(self._lines)}
        self.changePersistentIndexList(
            persistent, [self.index(where[id(line)], column) for line, column in kept]
        )
        self.layoutChanged.emit()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _icon(self, line: ResultLine) -> QIcon:
        key = "accepted" if line.accepted else line.status
        if key not in self._icons:
            look = ACCEPTED_LOOK if line.accepted else result_look(line.status)
            self._icons[key] = status_icon(look)
        return self._icons[key]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called for every visible cell on every paint: keep it to lookups.
        row = index.row()
        if not 0 <= row < len(self._lines):
            return None
        if role in (_DISPLAY, _TOOLTIP):
            return self._cells[row][index.column()]
        if role == LINE_ROLE:
            return self._lines[row]
        if role == STATUS_ROLE:
            return self._lines[row].status
        column = index.column()
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS_COLUMN:
            return self._icon(self._lines[row])
        if role == Qt.ItemDataRole.AccessibleTextRole and column == STATUS_COLUMN:
            return f"{self._cells[row][0]}: {self._lines[row].resource}"
        return None


class ResultsFilterProxy(QSortFilterProxyModel):
    """Free-text filter over check, region, resource and detail, plus a status filter.

    Sorting is handed to the source model (see the module docstring); the proxy keeps
    its order, so what it shows is the model's order minus what the filters hide.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text: list[str] = []
        self._status: Status | None = None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, ResultsTableModel):
            model.sort(column, order)
        else:
            super().sort(column, order)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: Status | None) -> None:
        """None shows every status; else only rows of that one."""
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ResultsTableModel):
            return True
        if self._status is not None and model.line(source_row).status is not self._status:
            return False
        if not self._text:
            return True
        haystack = model.search_text(source_row)
        return all(word in haystack for word in self._text)
