"""The dashboard's "What to do next": the engagement's open steps, each a click away from
the place that fixes it (`step_chosen(NextStep)`; the main window takes the user there).

The list comes from `app.services.next_steps.load_next_steps`, read in a worker (the
service opens a session of the worker's own), so a large engagement never holds up the
GUI.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.controls.control_status import ControlStatus
from app.services.next_steps import NextStep, StepKind, load_next_steps
from app.ui.context import AppContext
from app.ui.newest_read import NewestRead
from app.ui.status_badges import control_look, status_icon

_STEP_ROLE = Qt.ItemDataRole.UserRole + 1
_LOOKS = {
    StepKind.FAILING: ControlStatus.FAILING,
    StepKind.ERROR: ControlStatus.ERROR,
    StepKind.STALE: ControlStatus.STALE,
}


class NextStepsBox(QGroupBox):
    step_chosen = Signal(object)  # NextStep
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("What to do next", parent)
        self.ctx = ctx
        self.steps: tuple[NextStep, ...] = ()
        self.reads = NewestRead(ctx, "what to do next", self)
        self.reads.arrived.connect(self._on_reads_arrived)
        self.reads.failed.connect(self._on_reads_failed)
        self.list = QListWidget()
        self.list.setAccessibleName("What to do next")
        self.list.setAccessibleDescription("Click a step, or press Enter, to go where it is done")
        self.list.setWordWrap(True)
        self.empty = QLabel()
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.list.itemClicked.connect(self._on_list_item_chosen)
        self.list.itemActivated.connect(self._on_list_item_chosen)

    def load(self, engagement_id: int | None) -> None:
        """Read the steps of `engagement_id` (in a worker); None empties the list."""
        if engagement_id is None:
            self.reads.forget()
            self._show((), "")
            return
        db, catalogue = self.ctx.db, self.ctx.catalogue
        self.reads.read(lambda: load_next_steps(db, engagement_id, catalogue))

    @Slot(object)
    def _on_reads_arrived(self, steps: object) -> None:
        if isinstance(steps, list):
            self._show(steps, "Nothing left to do: every step is done. Export the binder.")
        self.loaded.emit()

    @Slot(object)
    def _on_reads_failed(self, error: object) -> None:
        self._show((), f"Cannot work out the next steps: {error}")
        self.loaded.emit()

    def _show(self, steps: Sequence[NextStep], empty_text: str) -> None:
        self.steps = tuple(steps)
        self.list.clear()
        palette = self.palette()
        for step in self.steps:
            item = QListWidgetItem(step.text)
            item.setToolTip(step.detail)
            item.setData(_STEP_ROLE, step)
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, step.detail)
            look = control_look(_LOOKS.get(step.kind, ControlStatus.NOT_CHECKED))
            item.setIcon(status_icon(look, palette))
            self.list.addItem(item)
        self.list.setVisible(bool(self.steps))
        self.empty.setText(empty_text)
        self.empty.setVisible(not self.steps and bool(empty_text))
        self.setVisible(bool(self.steps) or bool(empty_text))

    @Slot(QListWidgetItem)
    def _on_list_item_chosen(self, item: QListWidgetItem) -> None:
        step = item.data(_STEP_ROLE)
        if isinstance(step, NextStep):
            self.step_chosen.emit(step)
