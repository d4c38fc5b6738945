"""The checklist: every control by family, each with its status and kind, and progress
per framework. A filter shows one kind only (automated, manual, inherited); it holds
for the rest of the session, and next / previous on the control page follow it.

A tree (family → control) over a `QStandardItemModel`, so arrow keys, Home/End and
type-ahead work as in any list. Status is icon *and* words; the icons are repainted
from the palette on each refresh, so dark mode stays legible.

While a scan of the shown engagement runs, each control whose results arrive shows
their provisional status ("Failing (scanning…)", `ScanController.live_control`); the
store's status replaces it when the scan ends (the controller empties its live results
before announcing the change, so the refresh reads the store alone).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.controls.catalogue import Catalogue, Control
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.checklist import (
    ControlKind,
    checklist_groups,
    checklist_order,
    kind_words,
    neighbour,
)
from app.services.control_statuses import ChecklistOverview, checklist_overview
from app.services.framework_summary import FrameworkSummary
from app.store.errors import StoreError
from app.ui.context import AppContext
from app.ui.status_badges import RESULT_LOOKS, control_look, status_icon

# After a provisional status: "Failing (scanning…)".
SCANNING_SUFFIX = " (scanning…)"
CONTROL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_KEY_ROLE = Qt.ItemDataRole.UserRole + 2


def progress_text(tally: FrameworkSummary) -> str:
    """E.g. "ISO 27001:2022: 3 of 11 ready (2 passed, 1 exception) · 1 signed off · 4 failing"."""
    ready = tally.passed + tally.exceptions
    parts = [f"{tally.title}: {ready} of {tally.total} ready"]
    for count, word in (
        (tally.signed_off, "signed off"),
        (tally.failing, "failing"),
        (tally.errors, "with errors"),
        (tally.exceptions, "by exception"),
        (tally.not_checked, "not checked"),
        (tally.evidence_attached, "awaiting sign-off"),
        (tally.evidence_missing, "missing evidence"),
        (tally.not_applicable, "not applicable"),
    ):
        if count:
            parts.append(f"{count} {word}")
    return " · ".join(parts)


def _kind_item(control: Control) -> QStandardItem:
    """The kind column: "automated", "manual" or "inherited" (the provider in the tip)."""
    text = "inherited" if control.inherited is not None else kind_words(control)
    item = QStandardItem(text)
    item.setData(control.id, CONTROL_ID_ROLE)
    item.setToolTip(kind_words(control))
    item.setAccessibleText(kind_words(control))
    return item


class ChecklistView(QWidget):
    """Emits `control_selected(control_id)` when the user moves to a control."""

    control_selected = Signal(str)
    kind_changed = Signal()  # the listed controls changed (the kind filter)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._engagement_id: int | None = ctx.engagement_id
        self.statuses: dict[str, ControlStatus] = {}
        # Controls marked not applicable: shown as such whatever their checks say.
        self.excluded: frozenset[str] = frozenset()
        # Provisional statuses from the running scan of this engagement, by control.
        self.live: dict[str, ControlStatus] = {}

        # Which kind of control to show: kept while the app runs (across engagements).
        self.kind = ControlKind.ALL
        self.kind_choice = QComboBox()
        self.kind_choice.setAccessibleName("Show controls of kind")
        for kind in ControlKind:
            self.kind_choice.addItem(kind.label, kind.value)
        self.kind_choice.currentIndexChanged.connect(self._on_kind_choice_changed)

        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["Control", "Status", "Kind"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Checklist of controls")
        self.tree.setAccessibleDescription("Controls grouped by family, with their status")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)

        self.progress_box = QGridLayout()
        self.progress_bars: dict[str, QProgressBar] = {}
        self.progress_labels: dict[str, QLabel] = {}
        self.empty = QLabel("Open or create an engagement to see its checklist.")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        # Control titles are sentences: ask for room so they are rarely cut short.
        self.setMinimumWidth(300)
        layout.addLayout(self.progress_box)
        layout.addWidget(self.empty)
        layout.addWidget(self.kind_choice)
        layout.addWidget(self.tree, 1)

        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        if ctx.scans is not None:
            ctx.scans.results_arrived.connect(self._on_scans_results_arrived)
        self.refresh()

    def sizeHint(self) -> QSize:
        return QSize(420, 600)

    # -- public API ----------------------------------------------------------------------
    @property
    def engagement_id(self) -> int | None:
        return self._engagement_id

    def set_engagement(self, engagement_id: int | None) -> None:
        self._engagement_id = engagement_id
        self.refresh()

    def selected_control(self) -> str | None:
        value = self.tree.currentIndex().data(CONTROL_ID_ROLE)
        return str(value) if value else None

    def select_control(self, control_id: str) -> bool:
        """Make `control_id` current (emits `control_selected`); False if not listed."""
        index = self._index_of(control_id)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        return True

    def set_kind(self, kind: ControlKind) -> None:
        """Show only controls of `kind`; when the current one is hidden, move to the first."""
        self.kind_choice.setCurrentIndex(self.kind_choice.findData(kind.value))

    def visible_order(self) -> list[str]:
        """The control ids as listed now, top to bottom (the kind filter applied)."""
        return checklist_order(self._ctx.catalogue, self.kind)

    def neighbour(self, step: int) -> str | None:
        """The control `step` rows after (negative: before) the current one, or None."""
        return neighbour(self.visible_order(), self.selected_control(), step)

    def step(self, step: int) -> bool:
        """Move to the next (1) or previous (-1) control as listed; False at either end."""
        target = self.neighbour(step)
        return target is not None and self.select_control(target)

    def refresh(self) -> None:
        """Reload the statuses from the store, keeping the current control selected."""
        current = self.selected_control()
        eid = self._engagement_id
        catalogue = self._ctx.catalogue
        overview = ChecklistOverview({}, frozenset(), ())
        if eid is not None:
            try:
                overview = checklist_overview(self._ctx.db, catalogue, eid)
            except StoreError as error:
                self._ctx.say(f"Cannot load the checklist: {error}")
                eid = None
        self.statuses = overview.statuses
        self.excluded = overview.not_applicable
        self.live = self._live_statuses(eid)
        self.empty.setVisible(eid is None)
        self.tree.setVisible(eid is not None)
        self.kind_choice.setVisible(eid is not None)
        self._fill_tree(catalogue)
        self._fill_progress(overview.tallies)
        self._restore_selection(current)

    # -- building ------------------------------------------------------------------------
    def _fill_tree(self, catalogue: Catalogue) -> None:
        self.model.removeRows(0, self.model.rowCount())
        palette = self.palette()
        for group in checklist_groups(catalogue, self.kind):
            controls, title = group.controls, group.title
            family_item = QStandardItem(f"{title} ({len(controls)})")
            family_item.setSelectable(False)
            font = family_item.font()
            font.setBold(True)
            family_item.setFont(font)
            family_item.setAccessibleText(f"{title}, {len(controls)} controls")
            spacers = [QStandardItem(""), QStandardItem("")]
            for spacer in spacers:
                spacer.setSelectable(False)
            for control in controls:
                name = QStandardItem(control.title)
                name.setData(control.id, CONTROL_ID_ROLE)
                name.setToolTip(f"{control.title}\n\n{control.summary}\n\n(id: {control.id})")
                status = QStandardItem()
                status.setData(control.id, CONTROL_ID_ROLE)
                self._show_status(name, status, palette)
                family_item.appendRow([name, status, _kind_item(control)])
            self.model.appendRow([family_item, *spacers])
        self.tree.expandAll()

    def _show_status(self, name: QStandardItem, status: QStandardItem, palette: QPalette) -> None:
        """The control's status in `status` (icon and words), live while a scan runs."""
        control_id = str(name.data(CONTROL_ID_ROLE))
        key = self.statuses.get(control_id, ControlStatus.NOT_CHECKED)
        look = control_look(key)
        label = look.label
        if control_id in self.excluded:
            look = RESULT_LOOKS[Status.NOT_APPLICABLE]
            label = look.label
        elif control_id in self.live:
            key = self.live[control_id]
            look = control_look(key)
            label = look.label + SCANNING_SUFFIX
        status.setIcon(status_icon(look, palette))
        status.setText(label)
        status.setData(key.value, STATUS_KEY_ROLE)
        status.setAccessibleText(label)
        kind = kind_words(self._ctx.catalogue.get(control_id))
        name.setAccessibleText(f"{name.text()} ({kind}): {label}")

    def status_text(self, control_id: str) -> str:
        """What the checklist shows as the control's status (for tests and screen readers)."""
        index = self._index_of(control_id)
        return str(index.siblingAtColumn(1).data()) if index.isValid() else ""

    def _scanning(self, engagement_id: int) -> bool:
        scans = self._ctx.scans
        return scans is not None and scans.live_engagement_id == engagement_id

    def _live_statuses(self, engagement_id: int | None) -> dict[str, ControlStatus]:
        """The running scan's provisional statuses so far, if it scans `engagement_id`
        (judged again: an exception may have been added or revoked meanwhile)."""
        scans = self._ctx.scans
        if scans is None or engagement_id is None or not self._scanning(engagement_id):
            return {}
        live = (scans.live_control(control_id) for control_id in scans.live_results)
        return {c.control_id: c.status for c in live if c is not None}

    def _fill_progress(self, tallies: Sequence[FrameworkSummary]) -> None:
        for bar in self.progress_bars.values():
            bar.deleteLater()
        for label in self.progress_labels.values():
            label.deleteLater()
        self.progress_bars, self.progress_labels = {}, {}
        for row, tally in enumerate(tallies):
            key = tally.framework
            ready = tally.passed + tally.exceptions
            total = tally.applicable
            name = tally.title
            label = QLabel(progress_text(tally))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            bar = QProgressBar()
            bar.setRange(0, max(total, 1))
            bar.setValue(ready)
            bar.setFormat(f"{ready} / {total}")
            bar.setAccessibleName(f"{name} progress")
            bar.setAccessibleDescription(label.text())
            bar.setMaximumHeight(14)
            self.progress_box.addWidget(label, row * 2, 0)
            self.progress_box.addWidget(bar, row * 2 + 1, 0)
            self.progress_bars[key], self.progress_labels[key] = bar, label

    def _index_of(self, control_id: str) -> QModelIndex:
        for family_row in range(self.model.rowCount()):
            family = self.model.item(family_row, 0)
            for row in range(family.rowCount()):
                child = family.child(row, 0)
                if child is not None and child.data(CONTROL_ID_ROLE) == control_id:
                    return child.index()
        return QModelIndex()

    def changeEvent(self, event: QEvent) -> None:
        # Light/dark switch while running: repaint the status icons in the new colours.
        if event.type() == QEvent.Type.PaletteChange and self.model.rowCount():
            current = self.selected_control()
            self._fill_tree(self._ctx.catalogue)
            self._restore_selection(current)
        super().changeEvent(event)

    def _restore_selection(self, control_id: str | None) -> None:
        """Re-select after a rebuild without announcing it: the user did not move."""
        if control_id:
            blocked = self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(self._index_of(control_id))
            self.tree.selectionModel().blockSignals(blocked)

    # -- slots ---------------------------------------------------------------------------
    def _on_kind_choice_changed(self, _index: int) -> None:
        self.kind = ControlKind(str(self.kind_choice.currentData()))
        current = self.selected_control()
        self._fill_tree(self._ctx.catalogue)
        shown = self.visible_order()
        if current in shown:
            self._restore_selection(current)
        elif shown and self._engagement_id is not None:
            self.select_control(shown[0])  # the page follows: never a hidden control
        self.kind_changed.emit()

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        control_id = current.data(CONTROL_ID_ROLE)
        if control_id:
            self.control_selected.emit(str(control_id))

    def _on_ctx_engagement_changed(self, engagement_id: object) -> None:
        self.set_engagement(engagement_id if isinstance(engagement_id, int) else None)

    def _on_ctx_data_changed(self, engagement_id: int) -> None:
        if engagement_id == self._engagement_id:
            self.refresh()

    def _on_scans_results_arrived(self, control_id: str, _rows: object) -> None:
        scans, eid = self._ctx.scans, self._engagement_id
        if scans is None or eid is None or not self._scanning(eid):
            return
        live = scans.live_control(control_id)
        if live is None:
            return
        self.live[control_id] = live.status
        index = self._index_of(control_id)
        if not index.isValid():
            return
        name = self.model.itemFromIndex(index)
        status = self.model.itemFromIndex(index.siblingAtColumn(1))
        if name is not None and status is not None:
            self._show_status(name, status, self.palette())
