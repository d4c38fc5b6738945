"""The automated results tab: filter box, status filter, sortable table, evidence, delta."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.controls.results import Status
from app.evidence import iso_utc
from app.services.control_model import ResultDelta, ResultLine, ScanInfo
from app.store.scan_state import ScanState
from app.ui.control_page.evidence_viewer import EvidenceViewer
from app.ui.control_page.remediation_panel import plain_label
from app.ui.control_page.results_model import (
    COLUMNS,
    LINE_ROLE,
    STATUS_COLUMN,
    AnyIndex,
    ResultsFilterProxy,
    ResultsTableModel,
    status_label,
)
from app.ui.status_badges import RESULT_LOOKS

STATUS_FILTERS = (
    ("All statuses", ""),
    *((look.label, key.value) for key, look in RESULT_LOOKS.items()),
)


RESOURCE_COLUMN = 3
# Widest a column gets by itself (pixels); the user can drag it wider.
COLUMN_CAPS = {1: 220, 3: 420}


class MiddleElideDelegate(QStyledItemDelegate):
    """ARNs differ at their end: keep both the service prefix and the resource id visible."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


NOT_CHECKED_TEXT = (
    "Not checked yet — press “Run checks for this control” to look at every resource it "
    "covers in the signed-in account. Nothing in AWS is changed; the results appear here "
    "as soon as the scan is stored."
)


def scans_summary(scans: Sequence[ScanInfo], lines: Sequence[ResultLine]) -> str:
    if not scans:
        return NOT_CHECKED_TEXT
    if not lines:
        numbers = ", ".join(f"#{s.scan_id}" for s in scans)
        return (
            f"Scan {numbers} covered this control but recorded no result for it. If you "
            "expected resources here, check the engagement's regions and run the checks again."
        )
    fails = sum(1 for line in lines if line.status is Status.FAIL and not line.accepted)
    accepted = sum(1 for line in lines if line.accepted)
    errors = sum(1 for line in lines if line.status is Status.ERROR)
    when = ", ".join(
        f"scan #{s.scan_id} of {s.account_id} at {iso_utc(s.started_at)}"
        + ("" if s.state is ScanState.COMPLETE else f" ({s.state})")
        for s in scans
    )
    risks = f", {accepted} accepted by an exception" if accepted else ""
    return (
        f"{_plural(len(lines), 'resource')} judged: {fails} failing{risks}, "
        f"{_plural(errors, 'error')}. From {when}."
    )


def live_summary(lines: Sequence[ResultLine]) -> str:
    fails = sum(1 for line in lines if line.status is Status.FAIL and not line.accepted)
    errors = sum(1 for line in lines if line.status is Status.ERROR)
    return (
        f"Provisional — from the scan still running: {_plural(len(lines), 'resource')} judged, "
        f"{fails} failing, {_plural(errors, 'error')}. Not stored yet: the rows are kept "
        "(and the delta computed) when the scan finishes."
    )


MANUAL_CONTROL_TEXT = (
    "A manual control: no automated check judges it. Its evidence is what you attach "
    "and write under Evidence & notes, and its sign-off."
)


def results_tab_text(scans: Sequence[ScanInfo], lines: Sequence[ResultLine]) -> str:
    if not scans:
        return "Results (not checked)"
    fails = sum(1 for line in lines if line.status is Status.FAIL and not line.accepted)
    accepted = sum(1 for line in lines if line.accepted)
    more = f", {accepted} accepted" if accepted else ""
    return f"Results ({len(lines)}, {fails} failing{more})"


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


def text_width(metrics: QFontMetrics, texts: Iterable[str], sample: int = 24) -> int:
    """The widest of `texts` in pixels, measuring only the `sample` longest distinct ones
    (the widest string is almost always among the longest)."""
    longest = heapq.nlargest(sample, set(texts), key=len)
    return max((metrics.horizontalAdvance(text) for text in longest), default=0)


class ResultsPanel(QWidget):
    """Shows the latest population of the control, its evidence and what changed."""

    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Reads a row's evidence from the store when the user selects it (set by the page).
        self.load_evidence: Callable[[ResultLine], ResultLine] | None = None
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
        # Compact rows: a big scan shows more of itself at once.
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
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
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(table_box)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        # Instead of an empty table: what to do next, and the button to do it.
        self.empty_text = plain_label("", name="emptyState")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setAccessibleName("No results")
        self.empty_run = QPushButton("Run checks for this control")
        self.empty_run.setAccessibleName("Run checks for this control now")
        self.empty_run.clicked.connect(self.run_requested)
        self.empty_box = QWidget()
        empty_layout = QVBoxLayout(self.empty_box)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_text)
        empty_layout.addWidget(self.empty_run, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.empty_box.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.delta)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.empty_box, 1)
        self.setTabOrder(self.filter_box, self.status_filter)
        self.setTabOrder(self.status_filter, self.table)

    def show_results(
        self, scans: Sequence[ScanInfo], lines: Sequence[ResultLine], delta: ResultDelta
    ) -> None:
        self.model.set_lines(lines)
        self.summary.setText(scans_summary(scans, lines))
        self.empty_text.setText(self.summary.text())
        self.empty_run.setVisible(True)
        self.summary.setVisible(bool(lines))
        self.splitter.setVisible(bool(lines))
        self.empty_box.setVisible(not lines)
        # One check only (most controls): its name in every row tells nothing.
        self.table.setColumnHidden(1, len({line.check_id for line in lines}) <= 1)
        self.delta.setText(delta_summary(delta))
        self.delta.setVisible(bool(scans))
        self.viewer.show_line(None)
        self._size_columns(lines)
        self._update_count()

    def show_manual(self) -> None:
        """A manual control: no scan judges it, so no results and nothing to run."""
        self.show_results((), (), ResultDelta(previous=None))
        self.empty_text.setText(MANUAL_CONTROL_TEXT)
        self.empty_run.setVisible(False)

    def show_live(self, scans: Sequence[ScanInfo], lines: Sequence[ResultLine]) -> None:
        """The running scan's rows for this control, marked provisional until stored."""
        self.show_results(scans, lines, ResultDelta(previous=None))
        self.summary.setText(live_summary(lines))
        self.summary.setVisible(True)
        self.delta.setVisible(False)

    def _size_columns(self, lines: Sequence[ResultLine]) -> None:
        """Widths from the texts themselves: `resizeColumnsToContents` asks the model for
        every cell of up to 1,000 rows, seconds for a big scan; measuring the distinct
        strings once takes milliseconds."""
        metrics = self.table.fontMetrics()
        header = QFontMetrics(self.table.horizontalHeader().font())
        padding = 28  # cell margins, the grid line and the header's sort arrow
        columns = (
            [status_label(line) for line in lines] + ["Status"],
            [line.check_id for line in lines],
            [line.region for line in lines],
            [line.resource for line in lines],
        )
        for column, texts in enumerate(columns):
            width = max(text_width(metrics, texts), header.horizontalAdvance(COLUMNS[column]))
            if column == STATUS_COLUMN:
                width += max(self.table.iconSize().width(), 16) + 4
            width += padding
            cap = COLUMN_CAPS.get(column, width)
            if column == RESOURCE_COLUMN:
                # Leave the Detail column room on a narrow window (ARNs elide in the middle).
                cap = max(200, min(cap, int(self.table.viewport().width() * 0.45)))
            self.table.setColumnWidth(column, min(width, cap))

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
        chosen = self.status_filter.currentData()
        self.proxy.set_status(Status(chosen) if chosen else None)
        self._update_count()

    def _with_evidence(self, line: ResultLine | None) -> ResultLine | None:
        if line is None or line.evidence_loaded or self.load_evidence is None:
            return line
        loaded = self.load_evidence(line)
        self.model.replace_line(loaded)
        return loaded

    def _on_table_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self.viewer.show_line(self._with_evidence(self.selected_line()))

    def _on_table_activated(self, index: QModelIndex) -> None:
        line = index.data(LINE_ROLE)
        self.viewer.show_line(self._with_evidence(line if isinstance(line, ResultLine) else None))
        self.viewer.text.setFocus()
