"""One control of one engagement: what it is, its results, how to fix it, evidence, sign-off.

The page composes small panels; each panel only shows values and says what the user
asked for. The page hands each request to the services (`app.services.control_page`
reads, `control_edits` writes: short-lived sessions on the GUI thread), then reloads,
so what is on screen is always what is in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.controls.control_status import ControlStatus
from app.services import control_edits
from app.services.control_edits import (
    ApplicabilityRequest,
    ExceptionRequest,
    SignOffRequest,
)
from app.services.control_model import ControlSnapshot, ResultLine
from app.services.control_page import line_with_evidence, load_snapshot
from app.services.control_period import ControlPeriod, load_control_period
from app.store.errors import EditConflict, StoreError
from app.ui.control_page.attachment_files import EvidenceFileActions
from app.ui.control_page.edit_bases import EditBases
from app.ui.control_page.evidence_edits import EvidenceEdits
from app.ui.control_page.evidence_panel import EvidencePanel
from app.ui.control_page.exceptions_panel import ExceptionsPanel
from app.ui.control_page.header import ControlHeader
from app.ui.control_page.overview_panel import OverviewPanel
from app.ui.control_page.period_box import PeriodBox
from app.ui.control_page.remediation_panel import RemediationPanel, restyle
from app.ui.control_page.results_panel import ResultsPanel, results_tab_text
from app.ui.control_page.scan_follow import ScanFollower
from app.ui.control_page.sign_off_panel import SignOffPanel

if TYPE_CHECKING:
    from app.ui.context import AppContext


class ControlPage(QWidget):
    """`show_control(engagement_id, control_id)`; emits `run_requested(control_id)`
    when the user asks for a scan and `changed()` after any edit it stored."""

    run_requested = Signal(str)
    changed = Signal()
    step_requested = Signal(int)  # -1 previous control, 1 next (as the checklist lists them)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._engagement_id: int | None = None
        self._control_id: str | None = None
        # Controls the user unlocked in this session: (engagement, control).
        self._unlocked: set[tuple[int, str]] = set()
        self.snapshot: ControlSnapshot | None = None
        self.period_data: ControlPeriod | None = None
        # The (engagement, control) on screen, and unsaved notes per control.
        self._shown: tuple[int, str] | None = None
        self._drafts: dict[tuple[int, str], str] = {}
        self._bases = EditBases()
        self._last_error: StoreError | None = None
        # Set while we announce our own edit, so our data_changed handler does not reload twice.
        self._own_change = False
        self._needs_refresh = False

        self.header = ControlHeader()
        self.period = PeriodBox()
        self.overview = OverviewPanel()
        self.results = ResultsPanel()
        self.remediation = RemediationPanel()
        self.evidence = EvidencePanel()
        self.exceptions = ExceptionsPanel()
        self.sign_off = SignOffPanel()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Control sections")
        for panel, title in (
            (self.overview, "Overview"),
            (self.results, "Results"),
            (self.remediation, "Remediation"),
            (self.evidence, "Evidence && notes"),
            (self.exceptions, "Exceptions"),
            (self.sign_off, "Sign-off"),
        ):
            self.tabs.addTab(panel, title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.period)
        layout.addWidget(self.tabs, 1)
        self.setEnabled(False)

        self.header.run_requested.connect(self._on_header_run_requested)
        self.results.run_requested.connect(self._on_header_run_requested)
        self.header.unlock_requested.connect(self._on_header_unlock_requested)
        self.header.step_requested.connect(self.step_requested)
        self.evidence_edits = EvidenceEdits(self)
        self.evidence.files_chosen.connect(self.evidence_edits.add_files)
        self.evidence.blob_added.connect(self.evidence_edits.add_blob)
        self.evidence.notes_saved.connect(self._on_evidence_notes_saved)
        self.evidence.remove_requested.connect(self.evidence_edits.remove)
        self.evidence.effective_chosen.connect(self.evidence_edits.set_effective)
        requests = self.evidence.requests
        requests.schedule_chosen.connect(self.evidence_edits.set_schedule)
        requests.add_requested.connect(self.evidence_edits.add_request)
        requests.remove_requested.connect(self.evidence_edits.remove_request)
        self.files = EvidenceFileActions(ctx, self, self.header.say, lambda: self._engagement_id)
        self.evidence.open_requested.connect(self.files.open)
        self.evidence.save_requested.connect(self.files.save_copy)
        self.evidence.problem.connect(self.header.say)
        self.exceptions.added.connect(self._on_exceptions_added)
        self.exceptions.revoke_requested.connect(self._on_exceptions_revoke_requested)
        self.sign_off.signed.connect(self._on_sign_off_signed)
        self.overview.applicability.saved.connect(self._on_applicability_saved)
        self.results.load_evidence = self._with_evidence
        ctx.data_changed.connect(self._on_ctx_data_changed)
        self.follower = ScanFollower(self, ctx.scans) if ctx.scans is not None else None

    # -- public API ----------------------------------------------------------------------
    @property
    def control_id(self) -> str | None:
        return self._control_id

    @property
    def engagement_id(self) -> int | None:
        return self._engagement_id

    def show_control(self, engagement_id: int, control_id: str) -> None:
        first_look = (engagement_id, control_id) != (self._engagement_id, self._control_id)
        if first_look and self._shown is not None and self.evidence.notes_dirty:
            # Keep unsaved notes of the control we leave; they come back with it.
            self._drafts[self._shown] = self.evidence.notes.toPlainText()
        self._engagement_id = engagement_id
        self._control_id = control_id
        self.header.say("")
        self.refresh()
        if first_look and self.snapshot is not None:
            self.overview.show_control(self.snapshot.control)
            self.remediation.show_steps(self.snapshot.control.remediation)

    def refresh(self) -> None:
        """Reload everything from the store and show it."""
        if self._engagement_id is None or self._control_id is None:
            return
        unlocked = (self._engagement_id, self._control_id) in self._unlocked
        eid, cid = self._engagement_id, self._control_id
        try:
            snapshot = load_snapshot(self.ctx.db, self.ctx.catalogue, eid, cid, unlocked=unlocked)
        except (StoreError, KeyError) as error:
            self.snapshot = None
            self.setEnabled(False)
            self.header.say(f"Cannot show this control: {error}")
            return
        if snapshot.status is ControlStatus.STALE:
            # Stale already: the unlock did its job; nothing is locked any more.
            self._unlocked.discard((eid, cid))
        same = self._shown == (eid, cid)
        if same and self.evidence.notes_dirty:
            # A reload (a scan finished, another screen changed something) must not
            # throw away what the user is typing.
            self._drafts[(eid, cid)] = self.evidence.notes.toPlainText()
        editing = (eid, cid) in self._drafts or (same and self.overview.applicability.dirty)
        self._bases.shown((eid, cid), snapshot.state_version, editing=editing)
        self.snapshot = snapshot
        try:
            self.period_data = load_control_period(self.ctx.db, self.ctx.catalogue, eid, cid)
        except StoreError as error:
            self.period_data = None
            self.header.say(f"Cannot work out this control's audit period: {error}")
        self._shown = (eid, cid)
        self.setEnabled(True)
        self._render(snapshot, reset_forms=not same)
        if self.follower is not None:
            self.follower.show_live()  # opened during a scan: its rows so far

    # -- rendering -----------------------------------------------------------------------
    def _render(self, snapshot: ControlSnapshot, *, reset_forms: bool = False) -> None:
        key = (snapshot.engagement_id, snapshot.control.id)
        self.header.show_snapshot(snapshot)
        if snapshot.control.automated:
            self.results.show_results(snapshot.scans, snapshot.results, snapshot.delta)
        else:
            self.results.show_manual()
        self.evidence.show_evidence(
            snapshot.control.manual_evidence,
            snapshot.attachments,
            snapshot.notes,
            draft=self._drafts.pop(key, None),
            requests=self.period_data.requests if self.period_data else (),
        )
        self.period.show_period(self.period_data, snapshot.control.title)
        self.exceptions.show_exceptions(snapshot.exceptions, reset=reset_forms)
        self.overview.applicability.show_state(
            snapshot.owner,
            snapshot.applicable,
            snapshot.applicability_reason,
            keep_edits=not reset_forms,
        )
        self.sign_off.show_sign_offs(snapshot, reset=reset_forms)
        locked = snapshot.locked
        self.evidence.set_locked(locked)
        self.exceptions.set_locked(locked)
        self.overview.applicability.set_locked(locked)
        self.tabs.setTabText(
            1,
            results_tab_text(snapshot.scans, snapshot.results)
            if snapshot.control.automated
            else "Results (manual control)",
        )
        self.tabs.setTabText(3, f"Evidence && notes ({len(snapshot.attachments)})")
        active = sum(1 for e in snapshot.exceptions if e.revoked_at is None)
        self.tabs.setTabText(4, f"Exceptions ({active})")
        running = self.ctx.scans is not None and bool(self.ctx.scans.is_running)
        self.set_running(running)

    def _with_evidence(self, line: ResultLine) -> ResultLine:
        """What the results table calls when a row is selected: the row with its evidence."""
        try:
            return line_with_evidence(self.ctx.db, line)
        except StoreError as error:
            self.header.say(f"Cannot read the evidence of this row: {error}")
            return line

    # -- store writes --------------------------------------------------------------------
    def write(self, what: str, action: Callable[[int, str, str], object]) -> bool:
        """Run one edit (a service call, its own session); on success tell everyone and reload."""
        if self._engagement_id is None or self._control_id is None:
            return False
        eid, cid = self._engagement_id, self._control_id
        try:
            action(eid, cid, self.ctx.actor)
        except StoreError as error:
            self._last_error = error
            self.header.say(f"Could not {what}: {error}")
            return False
        self.stored(eid)
        return True

    def stored(self, engagement_id: int) -> None:
        """After an edit stored (here or in a dialog): tell everyone, then reload."""
        self.header.say("")
        self._own_change = True
        try:
            self.ctx.notify_data_changed(engagement_id)
        finally:
            self._own_change = False
        self.refresh()
        self.changed.emit()

    def _on_evidence_notes_saved(self, notes: str) -> None:
        self._save_state(
            "save the notes",
            lambda eid, cid, actor, base: control_edits.save_notes(
                self.ctx.db, eid, cid, notes, actor, base
            ),
        )

    def _on_applicability_saved(self, request: ApplicabilityRequest) -> None:
        if self.snapshot is None or self.snapshot.locked:
            return
        self._save_state(
            "save the owner and applicability",
            lambda eid, cid, actor, base: control_edits.set_applicability(
                self.ctx.db, eid, cid, request, actor, base
            ),
        )

    def _save_state(self, what: str, action: Callable[..., object]) -> None:
        """A write of the control's state, checked against the version the editor began
        from; a conflict keeps the user's text and says a second save replaces theirs."""
        key = (self._engagement_id or 0, self._control_id or "")
        base = self._bases.base(key)
        self._last_error = None
        done = self.write(what, lambda eid, cid, who: action(eid, cid, who, base))
        conflict = self._last_error if isinstance(self._last_error, EditConflict) else None
        if conflict is not None:
            self.refresh()
            self.header.say(
                f"Could not {what}: {conflict} Your version is still here: save it again to "
                "replace theirs."
            )
        if self.snapshot is not None and (done or conflict is not None):
            self._bases.accept(key, self.snapshot.state_version)

    def _on_exceptions_added(self, request: ExceptionRequest) -> None:
        done = self.write(
            "add the exception",
            lambda eid, cid, actor: control_edits.add_exception(
                self.ctx.db, eid, cid, request, actor
            ),
        )
        if done:
            self.exceptions.show_exceptions(
                self.snapshot.exceptions if self.snapshot else (), reset=True
            )

    def _on_exceptions_revoke_requested(self, exception_id: int) -> None:
        self.write(
            "revoke the exception",
            lambda eid, _cid, actor: control_edits.revoke_exception(
                self.ctx.db, eid, exception_id, actor
            ),
        )

    def _on_sign_off_signed(self, request: SignOffRequest) -> None:
        catalogue = self.ctx.catalogue
        done = self.write(
            "sign off",
            lambda eid, cid, _actor: control_edits.sign_off(
                self.ctx.db, catalogue, eid, cid, request
            ),
        )
        if done:
            self._unlocked.discard((self._engagement_id or 0, self._control_id or ""))
            self.refresh()
            if self.snapshot is not None:
                self.sign_off.show_sign_offs(self.snapshot, reset=True)

    def _on_header_unlock_requested(self) -> None:
        if not self.ctx.prompts.confirm(
            self,
            "Unlock signed-off control",
            "This control is signed off. If you unlock it, any change you make will make the "
            "sign-off stale: it is kept as it was, and the control needs a new sign-off.\n\n"
            "Unlock it?",
            action="Unlock",
        ):
            return
        done = self.write(
            "unlock the control",
            lambda eid, cid, actor: control_edits.record_unlock(self.ctx.db, eid, cid, actor),
        )
        if done and self._engagement_id is not None and self._control_id:
            self._unlocked.add((self._engagement_id, self._control_id))
            self.refresh()

    def set_running(self, running: bool) -> None:
        self.header.set_running(running)
        self.results.empty_run.setEnabled(not running)

    # -- scans ---------------------------------------------------------------------------
    def _on_header_run_requested(self) -> None:
        if self._control_id is None or self._engagement_id is None:
            return
        if self.snapshot is None or not self.snapshot.control.automated:
            return  # a manual control: no scan can judge it
        # The shell connects this to its ScanController, which runs the scan in a worker.
        self.run_requested.emit(self._control_id)

    def _on_ctx_data_changed(self, engagement_id: int) -> None:
        if engagement_id != self._engagement_id or self._own_change:
            return
        if self.isVisible():
            self.refresh()
        else:
            self._needs_refresh = True

    def changeEvent(self, event: QEvent) -> None:
        # Light/dark switch while running: status icons are painted for the palette.
        if event.type() == QEvent.Type.PaletteChange:
            restyle(self)
            if self.snapshot is not None:
                self._render(self.snapshot)
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        if self._needs_refresh:
            self._needs_refresh = False
            self.refresh()
        super().showEvent(event)
