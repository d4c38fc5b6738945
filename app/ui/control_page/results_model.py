"""The automated results as a Qt table model, and the proxy that filters and sorts it."""

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

from app.ui.control_page.snapshot import ResultLine
from app.ui.status_badges import result_look, status_icon

COLUMNS = ("Status", "Check", "Region", "Resource", "Detail")
STATUS_COLUMN = 0
# The row's `ResultLine`, for the evidence viewer.
LINE_ROLE = Qt.ItemDataRole.UserRole + 1
# A key that sorts what needs attention (FAIL, ERROR) before PASS.
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex


class ResultsTableModel(QAbstractTableModel):
    """Read-only rows of `ResultLine`; the status column shows icon and words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[ResultLine] = []
        self._icons: dict[str, QIcon] = {}

    def set_lines(self, lines: Sequence[ResultLine]) -> None:
        self.beginResetModel()
        self._lines = list(lines)
        # Rebuilt on each load, so a palette change (dark mode) shows after a refresh.
        self._icons = {}
        self.endResetModel()

    def line(self, row: int) -> ResultLine:
        return self._lines[row]

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

    def _icon(self, status: str) -> QIcon:
        if status not in self._icons:
            self._icons[status] = status_icon(result_look(status))
        return self._icons[status]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == LINE_ROLE:
            return line
        if role == STATUS_ROLE:
            return line.status
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
            if column == STATUS_COLUMN:
                look = result_look(line.status)
                return look.rank if role == SORT_ROLE else look.label
            value = (line.check_id, line.region, line.resource, line.detail)[column - 1]
            return value.lower() if role == SORT_ROLE else value
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS_COLUMN:
            return self._icon(line.status)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == STATUS_COLUMN:
            return f"{result_look(line.status).label}: {line.resource}"
        return None


class ResultsFilterProxy(QSortFilterProxyModel):
    """Free-text filter over check, region, resource and detail, plus a status filter."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._status = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: str) -> None:
        """`""` shows every status; else one `Status` value (e.g. "FAIL")."""
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, ResultsTableModel):
            return True
        line = model.line(source_row)
        if self._status and line.status != self._status:
            return False
        if not self._text:
            return True
        haystack = " ".join((line.check_id, line.region, line.resource, line.detail)).lower()
        return all(word in haystack for word in self._text.split())
