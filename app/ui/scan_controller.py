"""Run checks (all of them or some) in a child process, report progress, refresh the screens.

The scan runs in a child process (`app.scan.child`): botocore parsing AWS's answers
there cannot stall the window. The child stores the scan itself, through its own
connection to the store (the same path as the CLI, so a GUI scan and `audit-binder
scan` store identical records). The GUI thread reads the child's messages from a pipe
on a short timer, never blocking: progress `(done, total, text)`, each control's rows
as soon as they are known, then the `ScanOutcome` (or `MembersSummary`).

Results as they arrive are re-emitted as `results_arrived(control_id, rows)`. They are
provisional until the scan is stored: `live_results` holds them for screens opened
meanwhile, and is emptied before the final `data_changed`, so every screen then
re-reads the store. `live_control(control_id)` judges them for the screens
(`app.services.live_results`) against the engagement's exceptions, read once when the
scan starts and again after the engagement's data changed (an exception added or
revoked meanwhile), so no screen reads the store per control.

Cancel asks the child to stop; it stores the scan as incomplete with the controls
already checked. Closing the app ends the child (`WorkerRegistry`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.aws.clients import ClientHook, SessionFactory
from app.aws.organizations import MemberAccount
from app.aws.portable_sessions import portable
from app.controls.results import CheckResult
from app.scan.accounts import MembersSummary
from app.scan.child import (
    ChildJob,
    ChildScan,
    Failed,
    Finished,
    Log,
    Message,
    Progress,
    Rows,
    Stopped,
    final_message,
    parent_log,
)
from app.scan.request import OrgScope, ScanRequest
from app.scan.runner import ScanOutcome
from app.services.live_results import LiveControl, LiveResults
from app.store.errors import StoreError
from app.ui.context import AppContext, actor, get_engagement

log = logging.getLogger(__name__)

POLL_MS = 15  # how often the GUI thread looks at the pipe
POLL_BUDGET_S = 0.008  # at most this long per look: the window stays responsive
CANCELLED = (
    "Scan cancelled; it is kept in the history as incomplete, with the controls already checked."
)


class ScanController(QObject):
    scan_started = Signal(int)  # engagement id
    scan_progress = Signal(int, int, str)
    result_arrived = Signal(object)  # CheckResult, once the outcome is stored
    # (control id, tuple[CheckResult, ...]): one control's rows while the scan goes on.
    results_arrived = Signal(str, object)
    scan_finished = Signal(int)  # engagement id, after it was stored
    scan_failed = Signal(str)  # why, in words a person can act on

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._child: ChildScan | None = None
        self._cancelling = False
        self._engagement_id: int | None = None
        self.last_outcome: ScanOutcome | None = None
        self.last_members: MembersSummary | None = None
        self.last_error = ""
        # The running scan's rows per control, not stored yet (provisional).
        self.live_results: dict[str, tuple[CheckResult, ...]] = {}
        # What judges them (the engagement's exceptions); None: not read yet, or gone.
        self._live: LiveResults | None = None
        # Added to every scan's AWS clients (picklable: they go to the child), e.g. the
        # tests' fault injection.
        self.client_hooks: tuple[ClientHook, ...] = ()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        # Connected before any screen's (the main window builds the controller first),
        # so a screen refreshing on the same signal already judges with the new exceptions.
        ctx.data_changed.connect(self._on_ctx_data_changed)

    @property
    def live_engagement_id(self) -> int | None:
        """The engagement the running scan is for (None when no scan runs)."""
        return self._engagement_id if self._child is not None else None

    @property
    def is_running(self) -> bool:
        return self._child is not None

    def live_control(self, control_id: str) -> LiveControl | None:
        """The running scan's provisional status and rows of `control_id`; None when none
        arrived yet (or the engagement went away: the scan's end will tell)."""
        rows = self.live_results.get(control_id)
        engagement_id = self.live_engagement_id
        judge = self._judge(engagement_id) if engagement_id is not None else None
        if rows is None or judge is None:
            return None
        return judge.control(control_id, rows)

    def _judge(self, engagement_id: int) -> LiveResults | None:
        """The engagement's exceptions, read if not in hand (None if it is gone)."""
        if self._live is None:
            try:
                self._live = LiveResults.load(self.ctx.db, engagement_id)
            except StoreError:
                return None
        return self._live

    def _sessions(self, why: str) -> SessionFactory | None:
        """The signed-in identity's sessions, ready for the child; None (said why) if none."""
        if self._child is not None:
            self.ctx.say("A scan is already running; wait for it or cancel it.")
            return None
        who = self.ctx.signed_in
        if who is None or who.make_session is None:
            self.ctx.session_expired.emit(why)
            self.ctx.say(why)
            return None
        try:
            return portable(who.make_session)
        except Exception as exc:  # expired or missing credentials: as a failed scan says it
            final = final_message(exc)
            if isinstance(final, Failed):
                self._failed(final)
            return None

    def run_checks(self, engagement_id: int, control_ids: Sequence[str] | None = None) -> bool:
        """Start a scan of the signed-in account into the engagement; False if it cannot."""
        sessions = self._sessions("Sign in first: the checks run as the signed-in AWS identity.")
        who = self.ctx.signed_in
        if sessions is None or who is None:
            return False
        try:
            info = get_engagement(self.ctx, engagement_id)
        except StoreError as exc:
            self.ctx.say(str(exc))
            return False
        in_scope = {a.account_id for a in info.accounts}
        if in_scope and who.account_id not in in_scope:
            self.ctx.say(
                f"Signed in to account {who.account_id}, which is not among this engagement's "
                f"accounts ({', '.join(sorted(in_scope))}); its results are stored all the same."
            )
        request = ScanRequest(
            sessions,
            info.name,
            controls=tuple(control_ids) if control_ids else None,
            profile=who.profile or None,
            actor=actor(self.ctx),
            hooks=self.client_hooks,
        )
        return self._start(request, engagement_id, f"Running checks on {info.name}…")

    def run_members(
        self,
        engagement_id: int,
        *,
        role: str,
        account_ids: Sequence[str],
        external_id: str | None = None,
        accounts: Sequence[MemberAccount] | None = None,
    ) -> bool:
        """Scan organization member accounts through `role` (app.scan.accounts), one
        after the other, into the engagement; False if it cannot start."""
        why = "Sign in first: member accounts are reached from the signed-in account."
        sessions = self._sessions(why)
        who = self.ctx.signed_in
        if sessions is None or who is None:
            return False
        org = OrgScope(
            role,
            tuple(account_ids),
            external_id or None,
            tuple(accounts) if accounts is not None else None,
        )
        request = ScanRequest(
            sessions,
            engagement_id,
            profile=who.profile or None,
            actor=actor(self.ctx),
            org=org,
            hooks=self.client_hooks,
        )
        message = f"Scanning {len(account_ids)} member account(s) as {role}…"
        return self._start(request, engagement_id, message)

    def _start(self, request: ScanRequest, engagement_id: int, message: str) -> bool:
        try:
            child = ChildScan(ChildJob(request, self.ctx.db.location))
        except Exception as exc:  # no process could be started, or the request not pickled
            log.exception("could not start the scan process")
            self.ctx.say(f"The scan could not start: {exc}")
            return False
        self._child = child
        self._cancelling = False
        self._engagement_id = engagement_id
        self.live_results = {}
        self._live = None
        self._judge(engagement_id)  # once now, not when the first rows arrive
        self.ctx.workers.track(child)
        self._timer.start()
        self.scan_started.emit(engagement_id)
        self.ctx.say(message)
        return True

    def cancel(self) -> None:
        if self._child is not None:
            self._cancelling = True
            self._child.cancel()
            self.ctx.say("Cancelling the scan…")

    @Slot()
    def _on_timer_timeout(self) -> None:
        child = self._child
        if child is None:
            self._timer.stop()
            return
        for message in child.messages(POLL_BUDGET_S):
            self._handle(message)
        if self._child is child and child.final is not None:  # ended from outside (quit)
            self._handle(child.final)

    def _handle(self, message: Message) -> None:
        if isinstance(message, Progress):
            self.scan_progress.emit(message.done, message.total, message.text)
        elif isinstance(message, Rows):
            if not self._cancelling:  # a cancelled scan's rows do not count: not shown
                self.live_results[message.control] = message.rows
                self.results_arrived.emit(message.control, message.rows)
        elif isinstance(message, Log):
            parent_log(message)
        elif isinstance(message, Finished):
            if isinstance(message.report, MembersSummary):
                self._members_finished(message.report)
            else:
                self._finished(message.report)
        elif isinstance(message, Stopped) or self._cancelling:
            self._cancelled()
        else:
            self._failed(message)

    def _done(self) -> int | None:
        engagement_id = self._engagement_id
        if self._child is not None:
            self.ctx.workers.forget(self._child)
        self._child = None
        self._engagement_id = None
        self._timer.stop()
        # Before data_changed: the screens re-read the store, not the provisional rows.
        self.live_results = {}
        self._live = None
        return engagement_id

    def _on_ctx_data_changed(self, engagement_id: int) -> None:
        if engagement_id == self.live_engagement_id:
            self._live = None  # exceptions may have changed: read them again when asked

    def _finished(self, outcome: ScanOutcome) -> None:
        engagement_id = self._done()
        if engagement_id is None:
            return
        self.last_outcome = outcome
        for result in outcome.results:
            self.result_arrived.emit(result)
        counts = ", ".join(f"{n} {status.lower()}" for status, n in sorted(outcome.counts.items()))
        skipped = (
            f"; {len(outcome.skipped_regions)} region(s) skipped" if outcome.skipped_regions else ""
        )
        self.ctx.say(
            f"Scan finished: {len(outcome.results)} results ({counts or 'none'}) in "
            f"{len(outcome.regions)} region(s){skipped}."
        )
        self.ctx.notify_data_changed(engagement_id)
        self.scan_finished.emit(engagement_id)

    def _members_finished(self, summary: MembersSummary) -> None:
        engagement_id = self._done()
        if engagement_id is None:
            return
        self.last_members = summary
        for member in summary.scanned:
            for result in member.outcome.results if member.outcome else ():
                self.result_arrived.emit(result)
        message = f"Scanned {len(summary.scanned)} of {len(summary.members)} member account(s)."
        if summary.failed:
            failed = "; ".join(
                f"{m.account.name} ({m.account.account_id}): {' '.join(m.error.split())}"
                for m in summary.failed
            )
            message += f" Not scanned (stored as failed scans): {failed}"
            self.last_error = message
        self.ctx.say(message)
        self.ctx.notify_data_changed(engagement_id)
        self.scan_finished.emit(engagement_id)

    def _failed(self, failure: Failed) -> None:
        engagement_id = self._done()
        if failure.sign_in_required:
            message = failure.message
            self.ctx.session_expired.emit(message)
        elif failure.trouble is not None:
            message = failure.message
        else:
            # A bug, not expected trouble: log it in full; the scan row says "failed".
            log.error("scan failed: %s\n%s", failure.message, failure.detail)
            message = f"The scan failed unexpectedly ({failure.message}). See the log."
        self.last_error = message
        self.ctx.say(message)
        if engagement_id is not None:
            # The failed scan is in the history; screens showing it re-read.
            self.ctx.notify_data_changed(engagement_id)
        self.scan_failed.emit(message)

    def _cancelled(self) -> None:
        engagement_id = self._done()
        self.last_error = CANCELLED
        self.ctx.say(CANCELLED)
        if engagement_id is not None:
            self.ctx.notify_data_changed(engagement_id)
        self.scan_failed.emit(CANCELLED)
