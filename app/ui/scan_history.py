"""Scan history: every scan of the engagement, and what changed since the one before it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

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

from app.scan.compare import common_scope, not_compared
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.errors import StoreError
from app.store.models import ResultRow, Scan
from app.ui.context import AppContext
from app.ui.page_title import page_title

Key = tuple[str, str, str, str, str]  # account, control, check, region, resource


@dataclass(frozen=True)
class ScanLine:
    id: int
    account_id: str
    started_at: datetime
    finished_at: datetime | None
    state: str
    regions: int
    controls: str
    counts: dict[str, int]
    error: str


@dataclass(frozen=True)
class Change:
    control: str
    check: str
    region: str
    resource: str
    before: str  # status, or "" when the row is new
    after: str  # status, or "" when the resource is gone


def _key(row: ResultRow) -> Key:
    return (row.account_id, row.control_id, row.check_id, row.region, row.resource)


def _line(scan: Scan) -> ScanLine:
    counts = Counter(row.status for row in scan.results)
    return ScanLine(
        id=scan.id,
        account_id=scan.account_id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state=scan.state,
        regions=len(scan.regions or ()),
        controls=", ".join(scan.controls) if scan.controls else "all",
        counts=dict(counts),
        error=scan.error,
    )


def scan_lines(ctx: AppContext, engagement_id: int) -> list[ScanLine]:
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        return [_line(scan) for scan in scan_store.scans(session, engagement)]


def changes_since_previous(
    ctx: AppContext, engagement_id: int, scan_id: int
) -> tuple[int | None, list[Change], list[str]]:
    """Rows whose status differs from the previous complete scan of the same account.

    Only what both scans covered is compared (a one-control scan says nothing about the
    other ten, a region scanned once nothing about its resources). Returns (previous
    scan id or None, changes, sentences saying what was not compared).
    """
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        history = scan_store.scans(session, engagement)  # newest first
        chosen = next((s for s in history if s.id == scan_id), None)
        if chosen is None:
            return None, [], []
        older = [
            s
            for s in history
            if s.state == scan_store.COMPLETE
            and s.account_id == chosen.account_id
            and (s.started_at, s.id) < (chosen.started_at, chosen.id)
        ]
        previous = older[0] if older else None
        if previous is None:
            return None, [], []
        scope = common_scope(previous, chosen)
        before = {
            _key(r): r.status for r in previous.results if scope.compares(r.control_id, r.region)
        }
        after = {
            _key(r): r.status for r in chosen.results if scope.compares(r.control_id, r.region)
        }
        changes = [
            Change(key[1], key[2], key[3], key[4], before.get(key, ""), after.get(key, ""))
            for key in sorted(before.keys() | after.keys(), key=lambda k: k[1:])
            if before.get(key, "") != after.get(key, "")
        ]
        return previous.id, changes, not_compared(scope)


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
                self.lines = scan_lines(self.ctx, engagement_id)
            except StoreError as exc:
                self.changes.setPlainText(str(exc))
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            values = (
                line.started_at.strftime("%Y-%m-%d %H:%M:%S"),
                _took(line),
                line.state,
                line.account_id,
                line.controls,
                str(line.regions),
                str(line.counts.get("PASS", 0)),
                str(line.counts.get("FAIL", 0)),
                str(line.counts.get("ERROR", 0)),
                str(line.counts.get("NOT_APPLICABLE", 0)),
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
        if line.state != scan_store.COMPLETE:
            return head + "\nIncomplete and failed scans never count towards a control's status."
        previous, changes, left_out = changes_since_previous(
            self.ctx, self.ctx.engagement_id, line.id
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
