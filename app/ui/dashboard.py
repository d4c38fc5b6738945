"""The dashboard: per framework, controls passed / failing / exceptions / not checked, and
what to do next (each step a click away from where it is done)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.controls.control_status import ControlStatus
from app.services.engagements import dashboard_counts
from app.services.framework_summary import FrameworkSummary
from app.store.errors import StoreError
from app.ui.bar_chart import Bar, Segment, StackedBarChart
from app.ui.context import AppContext, get_engagement
from app.ui.next_steps_box import NextStepsBox
from app.ui.overdue_box import OverdueBox
from app.ui.page_title import page_title

_COLUMNS = (
    ("Passed", "passed", ControlStatus.PASSING),
    ("Failing", "failing", ControlStatus.FAILING),
    ("Errors", "errors", ControlStatus.ERROR),
    ("Exceptions", "exceptions", ControlStatus.EXCEPTION),
    ("Not checked", "not_checked", ControlStatus.NOT_CHECKED),
    ("Evidence attached", "evidence_attached", ControlStatus.EVIDENCE_ATTACHED),
    ("Evidence missing", "evidence_missing", ControlStatus.EVIDENCE_MISSING),
)


def bars_for(counts: list[FrameworkSummary]) -> tuple[Bar, ...]:
    return tuple(
        Bar(
            label=f"{c.title}: {c.passed} of {c.applicable} controls passed",
            segments=tuple(
                Segment(label, getattr(c, key), status) for label, key, status in _COLUMNS
            ),
        )
        for c in counts
    )


class DashboardPanel(QWidget):
    binder_requested = Signal()
    step_chosen = Signal(object)  # a NextStep of the list

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.counts: list[FrameworkSummary] = []
        self.setAccessibleName("Dashboard")
        layout = QVBoxLayout(self)
        self.title = page_title("Dashboard")
        layout.addWidget(self.title)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)

        self.overall = QProgressBar()
        self.overall.setAccessibleName("Overall progress")
        self.overall.setFormat("%v of %m controls passed or signed off")
        self.overall.setTextVisible(True)
        layout.addWidget(self.overall)

        self.table_box = QGroupBox("Controls by framework")
        self.grid = QGridLayout(self.table_box)
        layout.addWidget(self.table_box)

        self.chart = StackedBarChart()
        layout.addWidget(self.chart)

        buttons = QHBoxLayout()
        self.run_button = QPushButton("&Run all checks")
        self.run_button.setAccessibleName("Run all checks")
        self.run_button.setToolTip("Scan the signed-in account, read-only (F5)")
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.binder_button = QPushButton("Export &binder…")
        self.binder_button.setAccessibleName("Export the evidence binder")
        self.binder_button.setToolTip("Write the PDF evidence binder (Ctrl+E)")
        self.binder_button.clicked.connect(self.binder_requested)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.binder_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.next_steps = NextStepsBox(ctx)
        self.next_steps.step_chosen.connect(self.step_chosen)
        self.overdue = OverdueBox(ctx)
        self.overdue.step_chosen.connect(self.step_chosen)
        to_do = QHBoxLayout()
        to_do.addWidget(self.next_steps, 3)
        to_do.addWidget(self.overdue, 2)
        layout.addLayout(to_do, 1)

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

    @Slot()
    def _on_run_button_clicked(self) -> None:
        if self.ctx.engagement_id is not None and self.ctx.scans is not None:
            self.ctx.scans.run_checks(self.ctx.engagement_id)

    def refresh(self) -> None:
        engagement_id = self.ctx.engagement_id
        self.run_button.setEnabled(engagement_id is not None)
        self.binder_button.setEnabled(engagement_id is not None)
        self.next_steps.load(engagement_id)
        self.overdue.load(engagement_id)
        if engagement_id is None:
            self._show([], "Open an engagement to see its progress.")
            return
        try:
            info = get_engagement(self.ctx, engagement_id)
            counts = dashboard_counts(self.ctx.db, self.ctx.catalogue, engagement_id)
        except StoreError as exc:
            self._show([], str(exc))
            return
        last = info.last_scan.strftime("%Y-%m-%d %H:%M UTC") if info.last_scan else "never"
        self._show(
            counts,
            f"{info.name} — {info.client or 'no client set'} · audit period {info.period_text}"
            f" · last scan {last}",
        )

    def _show(self, counts: list[FrameworkSummary], subtitle: str) -> None:
        self.counts = counts
        self.subtitle.setText(subtitle)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        headers = ["Framework", *(label for label, _, _ in _COLUMNS), "Not applicable"]
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            if column:
                label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.grid.addWidget(label, 0, column)
        for row, c in enumerate(counts, start=1):
            values = [c.title, *(str(getattr(c, key)) for _, key, _ in _COLUMNS)]
            values.append(str(c.not_applicable))
            for column, text in enumerate(values):
                label = QLabel(text)
                label.setAccessibleName(f"{c.title} {headers[column]}")
                if column:
                    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.addWidget(label, row, column)
        self.table_box.setVisible(bool(counts))
        self.chart.set_bars(bars_for(counts))
        self.chart.setVisible(bool(counts))
        # Overall: distinct controls are what a founder works through; frameworks share them.
        applicable = max((c.applicable for c in counts), default=0)
        passed = max((c.passed for c in counts), default=0)
        self.overall.setRange(0, max(applicable, 1))
        self.overall.setValue(passed)
        self.overall.setVisible(bool(counts))
