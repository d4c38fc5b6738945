"""Run checks (all of them or some) off the GUI thread, report progress, refresh the screens.

The engine's `run_scan` does the whole job in the worker: it talks to AWS through a
session made for this task (boto3 sessions are not thread-safe), and stores the
scan through its own short-lived ORM sessions in that thread (the same path as the
CLI, so a GUI scan and `audit-binder scan` store identical records). The GUI thread
only receives plain values: progress `(done, total, text)` and the `ScanOutcome`.

Results as they arrive: the engine checks each control as soon as its inventory is
in and calls `on_results` on the scan's thread; we pass the rows (frozen
`CheckResult`s) through the worker's `item` signal, queued to the GUI thread, and
re-emit them as `results_arrived(control_id, rows)`. They are provisional until the
scan is stored: `live_results` holds them for screens opened meanwhile, and is
emptied before the final `data_changed`, so every screen then re-reads the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.aws.identity import ScanUnavailable
from app.aws.login_errors import SignInError, SignInRequired
from app.controls.results import CheckResult
from app.scan.accounts import MembersSummary, scan_members
from app.scan.runner import ScanOutcome, run_scan
from app.store.errors import StoreError
from app.ui.context import AppContext
from app.ui.engagement_store import actor, get_engagement
from app.ui.workers import Progress, Worker

log = logging.getLogger(__name__)


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
        self._worker: Worker | None = None
        self._engagement_id: int | None = None
        self.last_outcome: ScanOutcome | None = None
        self.last_members: MembersSummary | None = None
        self.last_error = ""
        # The running scan's rows per control, not stored yet (provisional).
        self.live_results: dict[str, tuple[CheckResult, ...]] = {}

    @property
    def live_engagement_id(self) -> int | None:
        """The engagement the running scan is for (None when no scan runs)."""
        return self._engagement_id if self._worker is not None else None

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def run_checks(self, engagement_id: int, control_ids: Sequence[str] | None = None) -> bool:
        """Start a scan of the signed-in account into the engagement; False if it cannot."""
        if self._worker is not None:
            self.ctx.say("A scan is already running; wait for it or cancel it.")
            return False
        who = self.ctx.signed_in
        if who is None or who.make_session is None:
            reason = "Sign in first: the checks run as the signed-in AWS identity."
            self.ctx.session_expired.emit(reason)
            self.ctx.say(reason)
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
        make_session = who.make_session
        db = self.ctx.db
        name = info.name
        scan_actor = actor(self.ctx)
        profile = who.profile or None
        controls = tuple(control_ids) if control_ids else None

        def task(progress: Progress) -> ScanOutcome:
            return run_scan(
                make_session,
                db,
                name,
                controls=controls,
                progress=progress,
                cancel=progress.token.event,
                profile=profile,
                actor=scan_actor,
                # On the scan's thread: hand the rows over (queued), do nothing else there.
                on_results=lambda control, rows: progress.item((control, tuple(rows))),
            )

        worker = Worker(task, name=f"scan of {name}")
        self._launch(worker, engagement_id, f"Running checks on {name}…")
        worker.signals.finished.connect(self._on_worker_finished)
        self.ctx.submit(worker)
        return True

    def run_members(
        self,
        engagement_id: int,
        *,
        role: str,
        account_ids: Sequence[str],
        external_id: str | None = None,
        accounts: Sequence[Any] | None = None,
    ) -> bool:
        """Scan organization member accounts through `role` (app.scan.accounts), one
        after the other, into the engagement; False if it cannot start."""
        if self._worker is not None:
            self.ctx.say("A scan is already running; wait for it or cancel it.")
            return False
        who = self.ctx.signed_in
        if who is None or who.make_session is None:
            reason = "Sign in first: member accounts are reached from the signed-in account."
            self.ctx.session_expired.emit(reason)
            self.ctx.say(reason)
            return False
        make_session = who.make_session
        db = self.ctx.db
        scan_actor = actor(self.ctx)
        wanted = tuple(account_ids)
        listed = tuple(accounts) if accounts is not None else None

        def task(progress: Progress) -> MembersSummary:
            # Rows per control across accounts: the second account's must not hide the first's.
            seen: dict[str, list[CheckResult]] = {}
            lock = threading.Lock()

            def on_results(control: str, rows: list[CheckResult]) -> None:
                with lock:
                    seen.setdefault(control, []).extend(rows)
                    merged = tuple(seen[control])
                progress.item((control, merged))

            return scan_members(
                make_session,
                db,
                engagement_id,
                role=role,
                account_ids=wanted,
                external_id=external_id or None,
                progress=progress,
                cancel=progress.token.event,
                on_results=on_results,
                on_account=lambda i, n, a: progress(
                    i - 1, n, f"Account {i} of {n}: {a.name} ({a.account_id})"
                ),
                accounts=listed,
                actor=scan_actor,
                profile=who.profile or None,
            )

        worker = Worker(task, name=f"scan of {len(wanted)} member account(s)")
        self._launch(worker, engagement_id, f"Scanning {len(wanted)} member account(s) as {role}…")
        worker.signals.finished.connect(self._on_members_finished)
        self.ctx.submit(worker)
        return True

    def _launch(self, worker: Worker, engagement_id: int, message: str) -> None:
        """Wire a scan worker's shared signals and announce it; the caller connects
        `finished` to its own slot, then submits."""
        worker.signals.progress.connect(self._on_worker_progress)
        worker.signals.item.connect(self._on_worker_item)
        worker.signals.failed.connect(self._on_worker_failed)
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self._worker = worker
        self._engagement_id = engagement_id
        self.live_results = {}
        self.scan_started.emit(engagement_id)
        self.ctx.say(message)

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.ctx.say("Cancelling the scan…")

    @Slot(int, int, str)
    def _on_worker_progress(self, done: int, total: int, text: str) -> None:
        self.scan_progress.emit(done, total, text)

    @Slot(object)
    def _on_worker_item(self, value: object) -> None:
        worker = self._worker
        if worker is None or worker.token.is_cancelled:
            return  # a cancelled scan's rows do not count (stored incomplete): not shown
        if not isinstance(value, tuple) or len(value) != 2:
            return
        control, rows = value
        self.live_results[str(control)] = tuple(rows)
        self.results_arrived.emit(str(control), tuple(rows))

    def _done(self) -> int | None:
        engagement_id = self._engagement_id
        self._worker = None
        self._engagement_id = None
        # Before data_changed: the screens re-read the store, not the provisional rows.
        self.live_results = {}
        return engagement_id

    @Slot(object)
    def _on_worker_finished(self, outcome: Any) -> None:
        engagement_id = self._done()
        if not isinstance(outcome, ScanOutcome) or engagement_id is None:
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

    @Slot(object)
    def _on_members_finished(self, summary: Any) -> None:
        engagement_id = self._done()
        if not isinstance(summary, MembersSummary) or engagement_id is None:
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

    @Slot(object)
    def _on_worker_failed(self, error: object) -> None:
        engagement_id = self._done()
        if isinstance(error, SignInRequired):
            message = str(error)
            self.ctx.session_expired.emit(message)
        elif isinstance(error, SignInError | ScanUnavailable):
            message = str(error)
        else:
            # A bug, not expected trouble: log it in full; the scan row says "failed".
            log.error("scan failed", exc_info=error if isinstance(error, BaseException) else None)
            message = (
                f"The scan failed unexpectedly ({type(error).__name__}: {error}). See the log."
            )
        self.last_error = message
        self.ctx.say(message)
        if engagement_id is not None:
            # The failed scan is in the history; screens showing it re-read.
            self.ctx.notify_data_changed(engagement_id)
        self.scan_failed.emit(message)

    @Slot()
    def _on_worker_cancelled(self) -> None:
        engagement_id = self._done()
        message = (
            "Scan cancelled; it is kept in the history as incomplete, with the controls "
            "already checked."
        )
        self.last_error = message
        self.ctx.say(message)
        if engagement_id is not None:
            self.ctx.notify_data_changed(engagement_id)
        self.scan_failed.emit(message)
