"""The Statement of Applicability screen: decide, filter, approve, export and import.

Reading the rows derives every row's implementation from its controls (a few hundred
milliseconds on a large engagement), so it runs in a worker (`load_view` opens a session
of the worker's own) and hands back plain values (`SoaView`). Changes are stored on the
GUI thread through `app.services.soa_edits` and `soa_files`, each in one short-lived
session, then announced (`ctx.notify_data_changed`) so every screen, this one included,
reads again. A decision changed elsewhere since it was read is refused, never
overwritten; the screen then reads again to show it. It reads only while it is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.soa_edits import approve_decisions, save_decisions, save_soc2_scope
from app.services.soa_files import export_table, import_table
from app.services.soa_model import DecisionFilter, SoaRejected
from app.services.soa_table import status_text
from app.services.soa_view import BulkForm, SoaView, load_view, problem_lines
from app.store.database import Database
from app.store.errors import EditConflict, StoreError
from app.ui.newest_read import NewestRead
from app.ui.page_title import page_title
from app.ui.soa.iso_tab import IsoTab
from app.ui.soa.soc2_tab import Soc2Tab

if TYPE_CHECKING:
    from app.ui.context import AppContext

T = TypeVar("T")
_MAX_LINES = 25  # problems listed on screen; the rest are counted
_FILTERS = {".csv": "CSV, UTF-8 (*.csv)", ".xlsx": "Excel workbook (*.xlsx)"}
_OPEN_FILTER = "Spreadsheet (*.csv *.xlsx);;All files (*)"


class SoaScreen(QWidget):
    control_requested = Signal(str)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: SoaView | None = None
        self._dirty = True
        # Reading derives every row's implementation: in a worker, the newest read wins.
        self.reads = NewestRead(ctx, "read the Statement of Applicability", self)
        self.reads.arrived.connect(self._on_reads_arrived)
        self.reads.failed.connect(self._on_reads_failed)
        self.setAccessibleName("Statement of Applicability")
        self.title = page_title("Statement of Applicability")
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Annex A controls decided")
        self.progress.setTextVisible(True)
        self.status = QLabel()
        self.status.setAccessibleName("Version and approval")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("inlineMessage")
        self.message.setAccessibleName("Statement of Applicability message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.iso = IsoTab()
        self.soc2 = Soc2Tab()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Frameworks")
        self.tabs.addTab(self.iso, "ISO 27001 Annex A")
        self.tabs.addTab(self.soc2, "SOC 2 criteria")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        state_row = QHBoxLayout()
        state_row.addWidget(self.progress, 1)
        state_row.addWidget(self.status, 2)
        layout.addLayout(state_row)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)

        self.iso.form.decided.connect(self._on_form_decided)
        self.iso.approval.approved.connect(self._on_approval_approved)
        self.iso.export_csv_button.clicked.connect(lambda: self.export_table(".csv"))
        self.iso.export_xlsx_button.clicked.connect(lambda: self.export_table(".xlsx"))
        self.iso.import_button.clicked.connect(self.import_table)
        self.iso.control_requested.connect(self.control_requested)
        self.soc2.control_requested.connect(self.control_requested)
        self.soc2.scope_changed.connect(self._on_soc2_scope_changed)
        ctx.engagement_changed.connect(self._on_ctx_engagement_changed)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        self._show(None)

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read again now if shown, else when next shown."""
        self._dirty = True
        if self.isVisible():
            self._load()

    def _load(self) -> None:
        self._dirty = False
        engagement_id = self.ctx.engagement_id
        if engagement_id is None:
            self.reads.forget()
            self._show(None)
            return
        catalogue = self.ctx.catalogue
        db = self.ctx.db
        self.reads.read(lambda: load_view(db, engagement_id, catalogue))

    @Slot(object)
    def _on_reads_arrived(self, view: object) -> None:
        if isinstance(view, SoaView) and view.engagement_id == self.ctx.engagement_id:
            self._show(view)
        self.loaded.emit()

    @Slot(object)
    def _on_reads_failed(self, error: object) -> None:
        self._show(None)
        self.say([f"Cannot read the Statement of Applicability: {error}"])
        self.loaded.emit()

    def _show(self, view: SoaView | None) -> None:
        self.view = view
        self.setEnabled(view is not None)
        if view is None:
            self.subtitle.setText("Open an engagement to decide its Statement of Applicability.")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("—")
            self.status.setText("")
            self.iso.show_rows(())
            self.iso.approval.show_state(None)
            self.soc2.show_rows((), (), ())
            return
        state = view.state
        self.subtitle.setText(f"{view.engagement_name} · {state.excluded} excluded")
        self.progress.setRange(0, max(state.total, 1))
        self.progress.setValue(state.decided)
        self.progress.setFormat(state.progress)
        self.progress.setAccessibleDescription(state.progress)
        status = status_text(state)
        draft = "" if state.complete else "; the binder marks it DRAFT until approved"
        self.status.setText(f"{status[0].upper()}{status[1:]}{draft}.")
        self.iso.show_rows(view.rows)
        self.iso.approval.show_state(view.state)
        self.soc2.show_rows(view.soc2_rows, view.soc2_categories, view.frameworks)
        self.tabs.setTabText(0, f"ISO 27001 Annex A ({len(view.rows)})")
        self.tabs.setTabText(1, f"SOC 2 criteria ({len(view.soc2_rows)})")

    def say(self, lines: list[str]) -> None:
        shown = lines[:_MAX_LINES]
        if len(lines) > _MAX_LINES:
            shown.append(f"… and {len(lines) - _MAX_LINES} more.")
        self.message.setText("\n".join(shown))
        self.message.setVisible(bool(lines))

    # -- where the dashboard sends the user -------------------------------------------------------
    def show_undecided(self) -> None:
        self.tabs.setCurrentWidget(self.iso)
        self.iso.filters.show_only(DecisionFilter.UNDECIDED)
        self.iso.tree.setFocus()

    def show_approval(self) -> None:
        self.tabs.setCurrentWidget(self.iso)
        self.iso.approval.reviewer.setFocus()

    # -- storing --------------------------------------------------------------------------------
    def _store(
        self,
        what: str,
        action: Callable[[Database, int, str], T],
        show: Callable[[list[str]], None] | None = None,
    ) -> T | None:
        """`action(db, engagement_id, actor)`, a service storing one change; on success
        every screen reads again.

        A refusal is shown with `show` (the screen's message by default). A conflict (a
        decision changed elsewhere since it was read) makes every screen read again too,
        so what was changed meanwhile is shown; the form keeps what the user typed.
        """
        engagement_id = self.ctx.engagement_id
        show = show or self.say
        if engagement_id is None:
            return None
        try:
            value = action(self.ctx.db, engagement_id, self.ctx.actor)
        except SoaRejected as refused:
            show([f"Could not {what}. {refused}", *problem_lines(refused.problems)])
            return None
        except EditConflict as conflict:
            show([f"Could not {what}. {conflict}", "The table now shows that change."])
            self.ctx.notify_data_changed(engagement_id)
            return None
        except (StoreError, OSError) as error:
            show([f"Could not {what}: {error}"])
            return None
        self.ctx.notify_data_changed(engagement_id)
        return value

    @Slot(object)
    def _on_form_decided(self, form: object) -> None:
        if not isinstance(form, BulkForm):
            return
        rows = self.iso.form.rows  # as read: their versions refuse a change made meanwhile
        catalogue = self.ctx.catalogue
        self.say([])
        changed = self._store(
            "save the decision",
            lambda db, e, who: save_decisions(db, e, catalogue, rows, form.change(), who),
            self.iso.form.show_problems,
        )
        if changed is not None:
            count = len(changed)
            plural = "s" if count != 1 else ""
            self.ctx.say(f"{count} decision{plural} changed." if count else "Nothing changed.")
            self.iso.form.set_rows(self.iso.form.rows)

    @Slot(str, str, str)
    def _on_approval_approved(self, reviewer: str, role: str, comment: str) -> None:
        catalogue, view = self.ctx.catalogue, self.view
        if view is None:
            return
        done = self._store(
            "approve",
            lambda db, e, _who: approve_decisions(
                db, e, catalogue, reviewer=reviewer, role=role, comment=comment, seen=view.rows
            ),
        )
        if done is not None:
            self.iso.approval.clear_comment()
            self.iso.approval.say(f"Approved: version {done.version}.")
            self.say([])

    @Slot(list)
    def _on_soc2_scope_changed(self, categories: list[str]) -> None:
        self._store(
            "change the SOC 2 scope",
            lambda db, e, who: save_soc2_scope(db, e, categories, who),
        )

    def export_table(self, suffix: str) -> None:
        view = self.view
        if view is None:
            return
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in view.engagement_name)
        suggested = Path.home() / f"{safe.strip('-') or 'engagement'}-soa{suffix}"
        chosen = self.ctx.prompts.save_path(self, "Export the SoA", suggested, _FILTERS[suffix])
        if chosen is None:
            return
        try:
            written = export_table(view.rows, view.state, view.engagement_name, chosen, suffix)
        except (StoreError, OSError) as error:
            self.say([f"Could not export: {error}"])
            return
        self.say([f"Exported the {len(view.rows)} rows to {written}."])
        self.ctx.say(f"Exported to {written}")

    def import_table(self) -> None:
        engagement_id = self.ctx.engagement_id
        if engagement_id is None:
            return
        source = self.ctx.prompts.open_path(self, "Import SoA decisions", _OPEN_FILTER)
        if source is None:
            return
        catalogue = self.ctx.catalogue
        outcome = self._store(
            f"import {source.name}",
            lambda db, e, who: import_table(db, e, catalogue, source, who),
        )
        if outcome is not None:
            changed = len(outcome.changed)
            self.say(
                [
                    f"Imported {source.name}: {changed} decision{'s' if changed != 1 else ''} "
                    f"changed, {outcome.unchanged} unchanged; {outcome.state.progress}."
                ]
            )

    # -- news ---------------------------------------------------------------------------------
    @Slot(object)
    def _on_ctx_engagement_changed(self, _engagement_id: object) -> None:
        self.say([])
        self.refresh()

    @Slot(int)
    def _on_ctx_data_changed(self, engagement_id: int) -> None:
        if engagement_id == self.ctx.engagement_id:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._load()
