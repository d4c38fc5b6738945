"""The checklist screen: the controls on the left, the chosen control's page on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from app.ui.checklist_view import ChecklistView
from app.ui.context import AppContext
from app.ui.control_page.page import ControlPage


class ChecklistPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Checklist")
        self.checklist = ChecklistView(ctx)
        self.page = ControlPage(ctx)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.checklist)
        split.addWidget(self.page)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        # Room for the control titles; the page takes the rest.
        split.setSizes([380, 820])
        self.splitter = split
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.checklist.control_selected.connect(self._on_checklist_control_selected)
        self.page.run_requested.connect(self._on_page_run_requested)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        self._on_ctx_engagement_changed(ctx.engagement_id)

    @Slot(str)
    def _on_checklist_control_selected(self, control_id: str) -> None:
        if self.ctx.engagement_id is not None:
            self.page.show_control(self.ctx.engagement_id, control_id)

    @Slot(str)
    def _on_page_run_requested(self, control_id: str) -> None:
        if self.ctx.engagement_id is not None and self.ctx.scans is not None:
            self.ctx.scans.run_checks(self.ctx.engagement_id, [control_id])

    @Slot(object)
    def _on_ctx_engagement_changed(self, engagement_id: object) -> None:
        if not isinstance(engagement_id, int):
            return
        # Open on a control, so the page is never an empty grey box.
        control_id = self.checklist.selected_control() or self.ctx.catalogue.ids[0]
        self.checklist.select_control(control_id)
        self.page.show_control(engagement_id, control_id)
