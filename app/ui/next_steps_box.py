"""The dashboard's "What to do next": the engagement's open steps, each a click away from
the place that fixes it (`step_chosen(NextStep)`; the main window takes the user there).

The list comes from `app.services.next_steps`, read in a worker with a session of its
own, so a large engagement never holds up the GUI.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.services.next_steps import NextStep, StepKind, next_steps
from app.store.engagements import get_engagement
from app.store.errors import StoreError
from app.ui.context import AppContext
from app.ui.status_badges import ControlStatusKey, control_look, status_icon
from app.ui.workers import Progress, Worker

_STEP_ROLE = Qt.ItemDataRole.UserRole + 1
_LOOKS = {
    StepKind.FAILING: ControlStatusKey.FAILING,
    StepKind.ERROR: ControlStatusKey.ERROR,
    StepKind.STALE: ControlStatusKey.STALE,
}


class NextStepsBox(QGroupBox):
    step_chosen = Signal(object)  # NextStep
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("What to do next", parent)
        self.ctx = ctx
        self.steps: tuple[NextStep, ...] = ()
        self._loading = 0
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
        self._loading += 1
        number = self._loading
        if engagement_id is None:
            self._show((), "")
            return
        db, catalogue = self.ctx.db, self.ctx.catalogue

        def task(_progress: Progress) -> list[NextStep]:
            with db.session() as session:  # the worker's own session
                engagement = get_engagement(session, engagement_id)
                return next_steps(session, engagement, catalogue)

        worker = Worker(task, name="what to do next")
        worker.signals.finished.connect(lambda steps: self._on_loaded(number, steps))
        worker.signals.failed.connect(lambda error: self._on_failed(number, error))
        self.ctx.submit(worker)

    def _on_loaded(self, number: int, steps: object) -> None:
        if number == self._loading and isinstance(steps, list):
            self._show(steps, "Nothing left to do: every step is done. Export the binder.")
        self.loaded.emit()

    def _on_failed(self, number: int, error: object) -> None:
        if number != self._loading:
            return
        if not isinstance(error, StoreError):
            raise error if isinstance(error, BaseException) else RuntimeError(str(error))
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
            look = control_look(_LOOKS.get(step.kind, ControlStatusKey.NOT_CHECKED))
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
