"""The dashboard's "Overdue evidence": recurring evidence whose due date has passed with no
file effective for it (a quarter's access review never attached), the oldest first; a
click opens the control's evidence tab on that request (`step_chosen(NextStep)`, the
same route as "What to do next")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.controls.control_status import ControlStatus
from app.services.control_period import overdue_items
from app.services.next_steps import NextStep, StepKind
from app.services.recurring_model import OverdueItem
from app.store.errors import StoreError
from app.ui.status_badges import control_look, status_icon

if TYPE_CHECKING:
    from app.ui.context import AppContext

_STEP_ROLE = Qt.ItemDataRole.UserRole + 1


def overdue_summary(items: Sequence[OverdueItem]) -> str:
    """'3 due dates overdue across 2 controls; the oldest by 158 days.'"""
    if not items:
        return "No recurring evidence is overdue."
    controls = len({item.control_id for item in items})
    dates = "1 due date" if len(items) == 1 else f"{len(items)} due dates"
    across = "1 control" if controls == 1 else f"{controls} controls"
    oldest = max(item.days for item in items)
    return f"{dates} overdue across {across}; the oldest by {oldest} day{'s' * (oldest != 1)}."


class OverdueBox(QGroupBox):
    step_chosen = Signal(object)  # NextStep: the control's evidence tab, on the request

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Overdue evidence", parent)
        self.ctx = ctx
        self.items: tuple[OverdueItem, ...] = ()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Overdue evidence in numbers")
        self.list = QListWidget()
        self.list.setAccessibleName("Overdue evidence")
        self.list.setAccessibleDescription("Click one, or press Enter, to open its control")
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.list.itemClicked.connect(self._on_list_item_chosen)
        self.list.itemActivated.connect(self._on_list_item_chosen)

    def load(self, engagement_id: int | None) -> None:
        if engagement_id is None:
            self._show(())
            self.setVisible(False)
            return
        self.setVisible(True)
        try:
            found = overdue_items(self.ctx.db, self.ctx.catalogue, engagement_id)
        except StoreError as error:
            self._show(())
            self.summary.setText(f"Cannot work out what is overdue: {error}")
            return
        self._show(found)

    def _title(self, control_id: str) -> str:
        try:
            return self.ctx.catalogue.get(control_id).title
        except KeyError:  # a request of a control a later catalogue dropped
            return control_id

    def _show(self, items: Sequence[OverdueItem]) -> None:
        self.items = tuple(items)
        self.setTitle(f"Overdue evidence ({len(self.items)})")
        self.summary.setText(overdue_summary(self.items))
        self.list.clear()
        icon = status_icon(control_look(ControlStatus.ERROR), self.palette())
        for item in self.items:
            title = self._title(item.control_id)
            entry = QListWidgetItem(icon, f"{item.title} ({title}): {item.words}")
            entry.setToolTip(f"{item.recurrence.label}; open “{title}” to attach it")
            entry.setData(Qt.ItemDataRole.AccessibleDescriptionRole, entry.toolTip())
            step = NextStep(
                StepKind.MISSING_EVIDENCE,
                entry.text(),
                control_id=item.control_id,
                evidence_item=item.item_id,
            )
            entry.setData(_STEP_ROLE, step)
            self.list.addItem(entry)
        self.list.setVisible(bool(self.items))

    @Slot(QListWidgetItem)
    def _on_list_item_chosen(self, entry: QListWidgetItem) -> None:
        step = entry.data(_STEP_ROLE)
        if isinstance(step, NextStep):
            self.step_chosen.emit(step)
