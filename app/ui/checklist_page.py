"""The checklist screen: the controls on the left, the chosen control's page on the right.

Next / previous control (the page's buttons, Alt+Right / Alt+Left or Ctrl+] / Ctrl+[)
walk the checklist as it is listed, its kind filter applied.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QWidget

from app.services.checklist import ControlKind
from app.ui.checklist_view import ChecklistView
from app.ui.context import AppContext
from app.ui.control_page.header import NEXT_KEYS, PREVIOUS_KEYS
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
        # Room for the control titles beside status and kind; the page takes the rest.
        split.setSizes([390, 810])
        self.splitter = split
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.previous_action = self._step_action("Previous control", PREVIOUS_KEYS, -1)
        self.next_action = self._step_action("Next control", NEXT_KEYS, 1)
        self.checklist.control_selected.connect(self._on_checklist_control_selected)
        self.page.run_requested.connect(self._on_page_run_requested)
        self.page.step_requested.connect(self.step)
        self.checklist.kind_changed.connect(self._show_neighbours)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        self._on_ctx_engagement_changed(ctx.engagement_id)

    def _step_action(self, text: str, keys: tuple[str, ...], step: int) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in keys])
        # Anywhere on this screen (the tree, the page, a tab's field), not elsewhere.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: self.step(step))
        self.addAction(action)
        return action

    @Slot(int)
    def step(self, step: int) -> bool:
        """Go to the next (1) or previous (-1) control as listed; False at either end."""
        return self.checklist.step(step)

    def open_control(self, control_id: str, section: str = "", evidence_item: str = "") -> bool:
        """Show a control, from another screen: listed (the kind filter is widened when it
        hides it) and on the tab named by `section` ("results", "evidence", "exceptions",
        "sign_off"; anything else keeps the tab). False for an unknown control."""
        if control_id not in self.ctx.catalogue.ids or self.ctx.engagement_id is None:
            return False
        if control_id not in self.checklist.visible_order():
            self.checklist.set_kind(ControlKind.ALL)
        if self.checklist.selected_control() != control_id:
            self.checklist.select_control(control_id)
        page = self.page
        panel = {
            "results": page.results,
            "evidence": page.evidence,
            "exceptions": page.exceptions,
            "sign_off": page.sign_off,
        }.get(section)
        if panel is not None:
            page.tabs.setCurrentWidget(panel)
        if evidence_item:
            page.evidence.choose_item(evidence_item)
        return True

    def _show_neighbours(self) -> None:
        catalogue = self.ctx.catalogue
        before, after = self.checklist.neighbour(-1), self.checklist.neighbour(1)
        self.page.header.set_neighbours(
            catalogue.get(before).title if before else None,
            catalogue.get(after).title if after else None,
        )
        self.previous_action.setEnabled(before is not None)
        self.next_action.setEnabled(after is not None)

    @Slot(str)
    def _on_checklist_control_selected(self, control_id: str) -> None:
        if self.ctx.engagement_id is not None:
            self.page.show_control(self.ctx.engagement_id, control_id)
        self._show_neighbours()

    @Slot(str)
    def _on_page_run_requested(self, control_id: str) -> None:
        if self.ctx.engagement_id is not None and self.ctx.scans is not None:
            self.ctx.scans.run_checks(self.ctx.engagement_id, [control_id])

    @Slot(object)
    def _on_ctx_engagement_changed(self, engagement_id: object) -> None:
        if not isinstance(engagement_id, int):
            return
        # Open on a control, so the page is never an empty grey box.
        control_id = self.checklist.selected_control() or self.checklist.visible_order()[0]
        self.checklist.select_control(control_id)
        self.page.show_control(engagement_id, control_id)
        self._show_neighbours()
