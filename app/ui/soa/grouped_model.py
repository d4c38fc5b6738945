"""A two-level item model: theme groups, then one row per criterion (`TableLine`s).

One model for the whole table (no widget per row), so a view scrolls, selects and
types ahead as usual. A group's row spans the table and reads "Title (n)".
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from app.services.soa_view import LineGroup, TableLine

CRITERION_ROLE = Qt.ItemDataRole.UserRole + 1
_GROUP = 0  # internalId of a group's index; a line's is its group's row + 1

Index = QModelIndex | QPersistentModelIndex


class GroupedLinesModel(QAbstractItemModel):
    def __init__(self, columns: Sequence[str], undecided_column: int = -1) -> None:
        super().__init__()
        self._columns = tuple(columns)
        self._groups: tuple[LineGroup, ...] = ()
        # The column whose text is shown in italics while a row is undecided.
        self._undecided_column = undecided_column

    def set_groups(self, groups: Sequence[LineGroup]) -> None:
        self.beginResetModel()
        self._groups = tuple(groups)
        self.endResetModel()

    @property
    def groups(self) -> tuple[LineGroup, ...]:
        return self._groups

    # -- reading back ---------------------------------------------------------------------
    def line(self, index: Index) -> TableLine | None:
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self._groups[index.internalId() - 1].lines[index.row()]

    def lines_at(self, index: Index) -> tuple[TableLine, ...]:
        """The line at `index`, or every line of the group at `index`."""
        if not index.isValid():
            return ()
        if index.internalId() == _GROUP:
            return self._groups[index.row()].lines
        line = self.line(index)
        return (line,) if line is not None else ()

    def index_of(self, criterion_id: str) -> QModelIndex:
        for number, group in enumerate(self._groups):
            for row, line in enumerate(group.lines):
                if line.criterion_id == criterion_id:
                    return self.createIndex(row, 0, number + 1)
        return QModelIndex()

    def line_count(self) -> int:
        return sum(len(group.lines) for group in self._groups)

    # -- QAbstractItemModel ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self._groups[parent.row()].lines)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(index, role)
        line = self.line(index)
        if line is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = line.cells[column]
            # Titles and reasons are sentences: one line in the table, whole in the tip.
            return " ".join(text.split()) if role == Qt.ItemDataRole.DisplayRole else text
        if role == Qt.ItemDataRole.ToolTipRole:
            return line.tips[column] or None
        if role == CRITERION_ROLE:
            return line.criterion_id
        if role == Qt.ItemDataRole.FontRole and line.undecided and column == self._undecided_column:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def _group_data(self, index: Index, role: int) -> object:
        if index.column() != 0:
            return None
        group = self._groups[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{group.title} ({len(group.lines)})"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None
