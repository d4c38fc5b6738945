"""The automated results tab: filter box, status filter, sortable table, evidence, delta."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.controls.results import iso_utc
from app.ui.control_page.evidence_viewer import EvidenceViewer
from app.ui.control_page.results_model import (
    LINE_ROLE,
    STATUS_COLUMN,
    AnyIndex,
    ResultsFilterProxy,
    ResultsTableModel,
)
from app.ui.control_page.snapshot import ResultDelta, ResultLine, ScanInfo
from app.ui.status_badges import RESULT_LOOKS

STATUS_FILTERS = (
    ("All statuses", ""),
    *((look.label, key.value) for key, look in RESULT_LOOKS.items()),
)


RESOURCE_COLUMN = 3


class MiddleElideDelegate(QStyledItemDelegate):
    """ARNs differ at their end: keep both the service prefix and the resource id visible."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def scans_summary(scans: Sequence[ScanInfo], lines: Sequence[ResultLine]) -> str:
    if not scans:
        return "Not checked yet. Run the checks to see every resource this control covers."
    if not lines:
        numbers = ", ".join(f"#{s.scan_id}" for s in scans)
        return f"Scan {numbers} covered this control but recorded no result for it."
    fails = sum(1 for line in lines if line.status == "FAIL")
    errors = sum(1 for line in lines if line.status == "ERROR")
    when = ", ".join(
        f"scan #{s.scan_id} of {s.account_id} at {iso_utc(s.started_at)}"
        + ("" if s.state == "complete" else f" ({s.state})")
        for s in scans
    )
    return (
        f"{_plural(len(lines), 'resource')} judged, {fails} failing, "
        f"{_plural(errors, 'error')}. From {when}."
    )


def delta_summary(delta: ResultDelta) -> str:
    if delta.previous is None:
        return "No earlier scan of this control to compare with."
    since = f"Since scan #{delta.previous.scan_id} ({iso_utc(delta.previous.started_at)}): "
    if delta.is_empty:
        return since + "nothing changed."
    bits = []
    for label, rows in (
        ("newly failing", delta.newly_failing),
        ("fixed", delta.fixed),
        ("new", delta.appeared),
        ("gone", delta.disappeared),
    ):
        if rows:
            names = ", ".join(r.resource.rsplit("/", 1)[-1] for r in rows[:3])
            more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
            bits.append(f"{len(rows)} {label} ({names}{more})")
    return since + "; ".join(bits) + "."


class ResultsPanel(QWidget):
    """Shows the latest population of the control, its evidence and what changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.delta = QLabel()
        self.delta.setWordWrap(True)
        self.delta.setTextFormat(Qt.TextFormat.PlainText)
        self.delta.setAccessibleName("Changes since the previous scan")

        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by resource, region, check or detail")
        self.filter_box.setAccessibleName("Filter results")
        self.filter_box.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Show results with status")
        for label, value in STATUS_FILTERS:
            self.status_filter.addItem(label, value)

        self.model = ResultsTableModel(self)
        self.proxy = ResultsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Automated results")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setItemDelegateForColumn(RESOURCE_COLUMN, MiddleElideDelegate(self.table))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.sortByColumn(STATUS_COLUMN, Qt.SortOrder.AscendingOrder)
        self.shown_count = QLabel()
        self.shown_count.setTextFormat(Qt.TextFormat.PlainText)

        self.viewer = EvidenceViewer()
        self.filter_box.textChanged.connect(self._on_filter_box_text_changed)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.activated.connect(self._on_table_activated)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_box, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.shown_count)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(filters)
        table_layout.addWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(table_box)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.delta)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.filter_box, self.status_filter)
        self.setTabOrder(self.status_filter, self.table)

    def show_results(
        self, scans: Sequence[ScanInfo], lines: Sequence[ResultLine], delta: ResultDelta
    ) -> None:
        self.model.set_lines(lines)
        self.summary.setText(scans_summary(scans, lines))
        self.delta.setText(delta_summary(delta))
        self.delta.setVisible(bool(scans))
        self.viewer.show_line(None)
        self.table.resizeColumnsToContents()
        for column, cap in ((1, 200), (3, 380)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), cap))
        self._update_count()

    def selected_line(self) -> ResultLine | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        line = rows[0].data(LINE_ROLE)
        return line if isinstance(line, ResultLine) else None

    def _update_count(self) -> None:
        self.shown_count.setText(f"{self.proxy.rowCount()} of {self.model.rowCount()} shown")

    def _on_filter_box_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _on_status_filter_changed(self, _index: int) -> None:
        self.proxy.set_status(str(self.status_filter.currentData() or ""))
        self._update_count()

    def _on_table_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.viewer.show_line(self.selected_line())

    def _on_table_activated(self, index: QModelIndex) -> None:
        line = index.data(LINE_ROLE)
        self.viewer.show_line(line if isinstance(line, ResultLine) else None)
        self.viewer.text.setFocus()
