"""Scan history: every scan of the engagement, and what changed since the one before it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.controls.results import Status
from app.services.scan_history import ScanLine, changes_since_previous, scan_lines
from app.store.errors import StoreError
from app.store.scan_state import ScanState
from app.ui.context import AppContext
from app.ui.page_title import page_title

_COLUMNS = (
    "Started (UTC)",
    "Took",
    "State",
    "Account",
    "Controls",
    "Regions",
    "Pass",
    "Fail",
    "Errors",
    "N/A",
    "Note",
)
_NUMBERS = frozenset({"Regions", "Pass", "Fail", "Errors", "N/A"})


def _took(line: ScanLine) -> str:
    if line.finished_at is None:
        return "—"
    seconds = max(0, int((line.finished_at - line.started_at).total_seconds()))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class ScanHistoryPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.lines: list[ScanLine] = []
        self.setAccessibleName("Scan history")
        layout = QVBoxLayout(self)
        title = page_title("Scan history")
        layout.addWidget(title)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName("Scans")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        split.addWidget(self.table)
        lower = QWidget()
        below = QVBoxLayout(lower)
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(QLabel("<b>What changed since the previous scan</b>"))
        self.changes = QPlainTextEdit()
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("Changes since the previous scan")
        below.addWidget(self.changes, 1)
        split.addWidget(lower)
        layout.addWidget(split, 1)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        self.refresh()

    @Slot(int)
    def _on_ctx_data_changed(self, engagement_id: int) -> None:
        if engagement_id == self.ctx.engagement_id:
            self.refresh()

    @Slot(object)
    def _on_ctx_engagement_changed(self, _engagement_id: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        engagement_id = self.ctx.engagement_id
        self.lines = []
        if engagement_id is not None:
            try:
                self.lines = scan_lines(self.ctx.db, engagement_id)
            except StoreError as exc:
                self.changes.setPlainText(str(exc))
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            values = (
                line.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                _took(line),
                line.state.value,
                line.account_id,
                line.controls,
                str(line.regions),
                str(line.counts.get(Status.PASS, 0)),
                str(line.counts.get(Status.FAIL, 0)),
                str(line.counts.get(Status.ERROR, 0)),
                str(line.counts.get(Status.NOT_APPLICABLE, 0)),
                line.error,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if _COLUMNS[column] in _NUMBERS:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if line.error:
                    item.setToolTip(line.error)
                self.table.setItem(row, column, item)
        if self.lines:
            self.table.selectRow(0)
            # Selecting the row already selected emits nothing: describe it anyway.
            self._on_table_selection_changed()
        else:
            self.changes.setPlainText(
                "No scans yet. Run the checks (F5) to record the first one."
                if engagement_id is not None
                else "Open an engagement to see its scans."
            )

    @Slot()
    def _on_table_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.ctx.engagement_id is None:
            return
        line = self.lines[rows[0].row()]
        self.changes.setPlainText(self.describe(line))

    def describe(self, line: ScanLine) -> str:
        assert self.ctx.engagement_id is not None
        head = f"Scan #{line.id} of account {line.account_id}: {line.state}."
        if line.error:
            head += f" {line.error}"
        if line.state is not ScanState.COMPLETE:
            return head + "\nIncomplete and failed scans never count towards a control's status."
        previous, changes, left_out = changes_since_previous(
            self.ctx.db, self.ctx.engagement_id, line.id
        )
        if previous is None:
            return head + "\nThe first complete scan of this account: nothing to compare with."
        head = "\n".join([head, *left_out])
        if not changes:
            return head + f"\nNo change since scan #{previous}."
        text = [head, f"{len(changes)} change(s) since scan #{previous}:"]
        for change in changes:
            before = change.before or "new"
            after = change.after or "gone"
            text.append(
                f"  {change.control} / {change.check} [{change.region}] {change.resource}: "
                f"{before} → {after}"
            )
        return "\n".join(text)
