"""One control of one engagement: what it is, its results, how to fix it, evidence, sign-off.

The page composes small panels; each panel only shows values and says what the user
asked for. The page does the store work (short-lived sessions on the GUI thread),
then reloads, so what is on screen is always what is in the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.store.errors import StoreError
from app.ui.control_page import edits
from app.ui.control_page.applicability_box import ApplicabilityRequest
from app.ui.control_page.attachment_files import EvidenceFileActions
from app.ui.control_page.evidence_panel import EvidencePanel
from app.ui.control_page.exceptions_panel import ExceptionRequest, ExceptionsPanel
from app.ui.control_page.file_reading import ReadFile
from app.ui.control_page.header import ControlHeader
from app.ui.control_page.live_results import live_control
from app.ui.control_page.overview_panel import OverviewPanel
from app.ui.control_page.remediation_panel import RemediationPanel, restyle
from app.ui.control_page.results_panel import ResultsPanel, results_tab_text
from app.ui.control_page.sign_off_panel import SignOffPanel, SignOffRequest
from app.ui.control_page.snapshot import ControlSnapshot
from app.ui.control_page.status import control_status
from app.ui.control_page.store_access import evidence_reader, load_snapshot
from app.ui.engagement_store import actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.ui.context import AppContext

T = TypeVar("T")


class ControlPage(QWidget):
    """`show_control(engagement_id, control_id)`; emits `run_requested(control_id)`
    when the user asks for a scan and `changed()` after any edit it stored."""

    run_requested = Signal(str)
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._engagement_id: int | None = None
        self._control_id: str | None = None
        # Controls the user unlocked in this session: (engagement, control).
        self._unlocked: set[tuple[int, str]] = set()
        self.snapshot: ControlSnapshot | None = None
        # The (engagement, control) on screen, and unsaved notes per control.
        self._shown: tuple[int, str] | None = None
        self._drafts: dict[tuple[int, str], str] = {}
        # Set while we announce our own edit, so our data_changed handler does not reload twice.
        self._own_change = False
        self._needs_refresh = False

        self.header = ControlHeader()
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
        layout.addWidget(self.tabs, 1)
        self.setEnabled(False)

        self.header.run_requested.connect(self._on_header_run_requested)
        self.results.run_requested.connect(self._on_header_run_requested)
        self.header.unlock_requested.connect(self._on_header_unlock_requested)
        self.evidence.files_chosen.connect(self._on_evidence_files_chosen)
        self.evidence.blob_added.connect(self._on_evidence_blob_added)
        self.evidence.notes_saved.connect(self._on_evidence_notes_saved)
        self.evidence.remove_requested.connect(self._on_evidence_remove_requested)
        self.files = EvidenceFileActions(ctx, self, self.header.say, lambda: self._engagement_id)
        self.evidence.open_requested.connect(self.files.open)
        self.evidence.save_requested.connect(self.files.save_copy)
        self.evidence.problem.connect(self.header.say)
        self.exceptions.added.connect(self._on_exceptions_added)
        self.exceptions.revoke_requested.connect(self._on_exceptions_revoke_requested)
        self.sign_off.signed.connect(self._on_sign_off_signed)
        self.overview.applicability.saved.connect(self._on_applicability_saved)
        self.results.load_evidence = evidence_reader(ctx.db, self.header.say)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        scans = ctx.scans
        if scans is not None:
            scans.scan_started.connect(self._on_scans_scan_started)
            scans.scan_progress.connect(self._on_scans_scan_progress)
            scans.scan_finished.connect(self._on_scans_scan_finished)
            scans.scan_failed.connect(self._on_scans_scan_failed)
            scans.results_arrived.connect(self._on_scans_results_arrived)

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
            with self._ctx.db.session() as session:
                status = control_status(session, self._ctx.catalogue, eid, cid)
                snapshot = load_snapshot(
                    session,
                    self._ctx.catalogue,
                    eid,
                    cid,
                    status=status.key,
                    stale_reason=status.stale_reason,
                    unlocked=unlocked,
                )
        except (StoreError, KeyError) as error:
            self.snapshot = None
            self.setEnabled(False)
            self.header.say(f"Cannot show this control: {error}")
            return
        if snapshot.status == "stale":
            # Stale already: the unlock did its job; nothing is locked any more.
            self._unlocked.discard((eid, cid))
        same = self._shown == (eid, cid)
        if same and self.evidence.notes_dirty:
            # A reload (a scan finished, another screen changed something) must not
            # throw away what the user is typing.
            self._drafts[(eid, cid)] = self.evidence.notes.toPlainText()
        self.snapshot = snapshot
        self._shown = (eid, cid)
        self.setEnabled(True)
        self._render(snapshot, reset_forms=not same)
        self._show_live()  # opened during a scan: its rows so far

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
        )
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
        running = self._ctx.scans is not None and bool(self._ctx.scans.is_running)
        self._set_running(running)

    # -- store writes --------------------------------------------------------------------
    def _write(self, what: str, action: Callable[[Session, int, str, str], T]) -> T | None:
        """Run one edit in its own session; on success tell everyone and reload."""
        if self._engagement_id is None or self._control_id is None:
            return None
        eid, cid = self._engagement_id, self._control_id
        try:
            with self._ctx.db.session() as session:
                value = action(session, eid, cid, actor(self._ctx))
        except StoreError as error:
            self.header.say(f"Could not {what}: {error}")
            return None
        self.header.say("")
        self._own_change = True
        try:
            self._ctx.notify_data_changed(eid)
        finally:
            self._own_change = False
        self.refresh()
        self.changed.emit()
        return value

    def _on_evidence_files_chosen(self, paths: Sequence[str]) -> None:
        if self.snapshot is not None and not self.snapshot.locked:
            item, description = (
                self.evidence.current_evidence_item,
                self.evidence.current_description,
            )
            self.files.read(paths, lambda files: self._store_files(files, item, description))

    def _store_files(self, files: Sequence[ReadFile], item: str, description: str) -> None:
        done = self._write(
            "add the evidence",
            lambda s, eid, cid, actor: [
                edits.add_attachment(
                    s, eid, cid, f.name, f.content, f.media_type, item, actor, description
                )
                for f in files
            ],
        )
        if done is not None and self.evidence.current_description == description:
            # Described files are in; the next ones need their own words.
            self.evidence.description.clear()

    def _on_evidence_blob_added(self, name: str, content: bytes, media_type: str) -> None:
        if self.snapshot is None or self.snapshot.locked:
            return
        self._store_files(
            [ReadFile(name, content, media_type)],
            self.evidence.current_evidence_item,
            self.evidence.current_description,
        )

    def _on_evidence_remove_requested(self, attachment_id: int, name: str) -> None:
        if self.snapshot is None or self.snapshot.locked:
            return
        if not self._ctx.prompts.confirm(
            self,
            "Remove evidence file",
            f"Remove '{name}' from this engagement? The audit log keeps its name and SHA-256; "
            "a sign-off that covered it becomes stale.",
            action="Remove",
        ):
            return
        self._write(
            "remove the file",
            lambda s, eid, cid, actor: edits.remove_attachment(s, eid, attachment_id, actor),
        )

    def _on_evidence_notes_saved(self, notes: str) -> None:
        self._write(
            "save the notes",
            lambda s, eid, cid, actor: edits.save_notes(s, eid, cid, notes, actor),
        )

    def _on_applicability_saved(self, request: ApplicabilityRequest) -> None:
        if self.snapshot is None or self.snapshot.locked:
            return
        self._write(
            "save the owner and applicability",
            lambda s, eid, cid, actor: edits.set_applicability(s, eid, cid, request, actor),
        )

    def _on_exceptions_added(self, request: ExceptionRequest) -> None:
        done = self._write(
            "add the exception",
            lambda s, eid, cid, actor: edits.add_exception(s, eid, cid, request, actor),
        )
        if done is not None:
            self.exceptions.show_exceptions(
                self.snapshot.exceptions if self.snapshot else (), reset=True
            )

    def _on_exceptions_revoke_requested(self, exception_id: int) -> None:
        self._write(
            "revoke the exception",
            lambda s, eid, cid, actor: edits.revoke_exception(s, eid, exception_id, actor),
        )

    def _on_sign_off_signed(self, request: SignOffRequest) -> None:
        catalogue = self._ctx.catalogue
        done = self._write(
            "sign off",
            lambda s, eid, cid, actor: edits.sign_off(s, catalogue, eid, cid, request, actor),
        )
        if done is not None:
            self._unlocked.discard((self._engagement_id or 0, self._control_id or ""))
            self.refresh()
            if self.snapshot is not None:
                self.sign_off.show_sign_offs(self.snapshot, reset=True)

    def _on_header_unlock_requested(self) -> None:
        if not self._ctx.prompts.confirm(
            self,
            "Unlock signed-off control",
            "This control is signed off. If you unlock it, any change you make will make the "
            "sign-off stale: it is kept as it was, and the control needs a new sign-off.\n\n"
            "Unlock it?",
            action="Unlock",
        ):
            return
        done = self._write(
            "unlock the control",
            lambda s, eid, cid, actor: edits.record_unlock(s, eid, cid, actor),
        )
        if done is not None and self._engagement_id is not None and self._control_id:
            self._unlocked.add((self._engagement_id, self._control_id))
            self.refresh()

    def _set_running(self, running: bool) -> None:
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

    def _on_scans_scan_started(self, engagement_id: int) -> None:
        self._set_running(True)
        if engagement_id == self._engagement_id:
            self.header.say("Checking… the new results appear here once the scan is stored.")

    def _on_scans_scan_progress(self, done: int, total: int, text: str) -> None:
        if self.header.message.text().startswith("Checking"):
            self.header.say(f"Checking… {done} of {total}" + (f": {text}" if text else ""))

    def _on_scans_scan_finished(self, engagement_id: int) -> None:
        self._set_running(False)
        if engagement_id == self._engagement_id:
            # The new rows arrive through ctx.data_changed, emitted just before this.
            self.header.say("")

    def _on_scans_scan_failed(self, message: str) -> None:
        self._set_running(False)
        if self.header.message.text().startswith("Checking"):
            self.header.say(message)

    def _on_scans_results_arrived(self, control_id: str, _rows: object) -> None:
        if control_id == self._control_id:
            self._show_live()

    def _show_live(self) -> None:
        """The running scan's rows of this control (ScanController.live_results), if any."""
        scans, eid, cid = self._ctx.scans, self._engagement_id, self._control_id
        rows = scans.live_results.get(cid or "") if scans is not None else None
        if rows is None or eid is None or cid is None or self.snapshot is None:
            return
        if scans is None or scans.live_engagement_id != eid:
            return
        try:
            with self._ctx.db.session() as session:
                live = live_control(session, eid, cid, rows)
        except StoreError:
            return
        self.results.show_live(self.snapshot.scans, live.lines)
        self.tabs.setTabText(1, f"Results ({len(live.lines)}, provisional)")

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
