"""A scan in a child process: the GUI's scans (and the demo's first one) run here.

botocore parses every answer while holding the GIL; in threads of the GUI process
that froze the window for hundreds of milliseconds. A child process (the "spawn"
start method everywhere, so the PyInstaller bundle works the same: its entry point
calls `multiprocessing.freeze_support()`) runs `app.scan.entry.scan` and stores the
scan itself, through its own connection to the store, exactly as the CLI does.

Two one-way pipes join the processes. The child sends plain picklable messages:
`Progress`, `Rows` (one control's provisional rows), `Log` (its warnings, for the
parent's log), then exactly one of `Finished`, `Failed` or `Stopped`. The parent
sends `CANCEL`; closing its end (the app quit or died) cancels too. A cancelled scan
is stored as incomplete by the child before it says `Stopped`; a child that dies or
is ended leaves its scan "running", which `ChildScan.end` (and the store's next open)
marks incomplete.

Credentials: the request's `sessions` must be picklable (a profile name in a
`functools.partial`, `EndpointSessions` for a local endpoint, `KeySessions` for
resolved temporary keys). It travels through the pipe multiprocessing uses to start
the child, never on disk or on the command line.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from app.aws.login_errors import SignInRequired
from app.controls.results import CheckResult
from app.scan.entry import ScanReport, Trouble, expected_trouble, scan
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import ScanInterrupted
from app.store.database import Database, open_database
from app.store.location import StoreLocation

log = logging.getLogger(__name__)

CANCEL = "cancel"
# How long `end` waits for a cancelled child to store its scan before ending it.
END_GRACE_S = 5.0
CHILD_NICENESS = 10


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    text: str


@dataclass(frozen=True)
class Rows:
    """One control's rows, provisional until the scan is stored (merged across member
    accounts for an organization scan)."""

    control: str
    rows: tuple[CheckResult, ...]


@dataclass(frozen=True)
class Log:
    logger: str
    level: int
    text: str


@dataclass(frozen=True)
class Finished:
    report: ScanReport


@dataclass(frozen=True)
class Failed:
    """Expected trouble (`trouble` set: the message is for the user) or a bug (None:
    `detail` holds the traceback for the log)."""

    message: str
    trouble: Trouble | None
    sign_in_required: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Stopped:
    """Cancelled: the scan is stored as incomplete with the controls already checked."""

    message: str


Message = Progress | Rows | Log | Finished | Failed | Stopped
Final = Finished | Failed | Stopped


@dataclass(frozen=True)
class ChildJob:
    """Everything the child needs; picklable (see the module docstring on credentials)."""

    request: ScanRequest
    store: StoreLocation = field(repr=False)  # a team store's URL may hold its password


class _Sender:
    """Sends from any of the scan's threads; a parent gone means: cancel."""

    def __init__(self, connection: Connection, cancel: threading.Event) -> None:
        self._connection = connection
        self._cancel = cancel
        self._lock = threading.Lock()

    def __call__(self, message: Message) -> None:
        with self._lock:
            try:
                self._connection.send(message)
            except (OSError, ValueError):  # the parent closed its end or died
                self._cancel.set()


class _LogToParent(logging.Handler):
    def __init__(self, send: _Sender) -> None:
        super().__init__(logging.WARNING)
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self._send(Log(record.name, record.levelno, text))


def _listen(commands: Connection, cancel: threading.Event) -> None:
    """Cancel on `CANCEL` or when the parent's end closes (the app quit or died)."""
    try:
        while commands.recv() != CANCEL:
            pass
    except (EOFError, OSError):
        pass
    cancel.set()


def _watch(send: _Sender, cancel: threading.Event, merge: bool) -> ScanWatch:
    seen: dict[str, list[CheckResult]] = {}

    def on_results(control: str, rows: list[CheckResult]) -> None:
        if merge:  # member accounts: the second account's rows must not hide the first's
            seen.setdefault(control, []).extend(rows)
            rows = seen[control]
        send(Rows(control, tuple(rows)))

    return ScanWatch(
        progress=lambda done, total, text: send(Progress(done, total, text)),
        on_results=on_results,
        on_account=lambda i, n, a: send(
            Progress(i - 1, n, f"Account {i} of {n}: {a.name} ({a.account_id})")
        ),
        cancel=cancel,
    )


def final_message(exc: BaseException) -> Final:
    """What the parent is told when the scan raised `exc`."""
    trouble = expected_trouble(exc)
    if trouble is Trouble.INTERRUPTED:
        reason = exc.outcome.error if isinstance(exc, ScanInterrupted) else ""
        return Stopped(reason)
    if trouble is None:
        detail = "".join(traceback.format_exception(exc))
        return Failed(f"{type(exc).__name__}: {exc}", None, detail=detail)
    return Failed(str(exc), trouble, sign_in_required=isinstance(exc, SignInRequired))


def _lower_priority() -> None:
    """Below the app's own priority: on a busy machine the window's event loop comes
    first, and the scan (waiting on AWS most of the time) hardly notices."""
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows
        os.nice(CHILD_NICENESS)


def child_main(job: ChildJob, events: Connection, commands: Connection) -> None:
    """The child process: run the scan, say how it went, exit."""
    _lower_priority()
    cancel = threading.Event()
    send = _Sender(events, cancel)
    logging.getLogger().addHandler(_LogToParent(send))
    threading.Thread(target=_listen, args=(commands, cancel), daemon=True).start()
    result: Final
    try:
        with open_database(job.store) as db:
            watch = _watch(send, cancel, merge=job.request.org is not None)
            result = Finished(scan(job.request, db, watch))
    except BaseException as exc:  # everything reaches the parent, as a message
        result = final_message(exc)
    send(result)
    events.close()


class ChildScan:
    """The parent's handle on a scan child: messages in, cancel out, end on quit."""

    def __init__(self, job: ChildJob) -> None:
        context = multiprocessing.get_context("spawn")
        self._events, child_events = context.Pipe(duplex=False)
        child_commands, self._commands = context.Pipe(duplex=False)
        self.store = job.store
        self.process = context.Process(
            target=child_main,
            args=(job, child_events, child_commands),
            name="audit-binder-scan",
            daemon=True,  # never outlives the app, even one that crashed
        )
        self.process.start()
        # The child holds its own copies now; ours would hide its exit from `poll`.
        child_events.close()
        child_commands.close()
        self.final: Final | None = None

    @property
    def running(self) -> bool:
        return self.final is None

    def fileno(self) -> int:
        """The pipe the messages arrive on (readable when one is waiting)."""
        return self._events.fileno()

    def wait(self, timeout_s: float) -> None:
        """Block up to `timeout_s` for a message (not for the GUI thread)."""
        if self.final is None:
            self._events.poll(timeout_s)

    def cancel(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # it has already gone
            self._commands.send(CANCEL)

    def messages(self, budget_s: float = 0.01) -> Iterator[Message]:
        """The messages waiting now (for about `budget_s` at most): never blocks. A
        child gone without its final message yields `Failed` after marking its scan."""
        deadline = time.monotonic() + budget_s
        while self.final is None and time.monotonic() < deadline:
            try:
                if not self._events.poll():
                    return
                message: Message = self._events.recv()
            except (EOFError, OSError, pickle.UnpicklingError):  # it died (mid-message)
                message = self._died()
            if isinstance(message, Finished | Failed | Stopped):
                self.final = message
                self._close()
            yield message

    def end(self, grace_s: float = END_GRACE_S) -> None:
        """Cancel, give the child `grace_s` to store its scan as incomplete, then end it."""
        if self.final is not None:
            return
        self.cancel()
        self.process.join(grace_s)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(grace_s)
        for message in self.messages(budget_s=1.0):  # its last words, if it said them
            if isinstance(message, Log):
                parent_log(message)
        if self.final is None:
            self.final = self._died()
            self._close()

    def _died(self) -> Failed:
        self.process.join(1.0)
        code = self.process.exitcode
        marked = mark_dead_scans(self.store)
        return Failed(
            f"The scan process stopped unexpectedly (exit code {code}); "
            f"{marked}. Run the checks again.",
            Trouble.INTERRUPTED,
        )

    def _close(self) -> None:
        self._events.close()
        self._commands.close()


def mark_dead_scans(store: StoreLocation) -> str:
    """Mark the scans of processes that are gone as incomplete (opening the store does
    it); what came of it, in words."""
    try:
        with open_database(store) as db:
            marked = db.interrupted_scans
    except Exception as exc:  # the store's own trouble: its next open marks them
        log.warning("could not mark the interrupted scan: %s", exc)
        return "it will show as incomplete the next time the app starts"
    return "it is kept as incomplete" if marked else "nothing was stored"


def run_in_child(
    request: ScanRequest,
    db: Database,
    progress: Callable[[int, int, str], None] | None = None,
) -> ScanReport:
    """Run `request` in a child process and wait for it (the demo's first scan, so the
    bundle's check exercises this path); raises `ChildFailed` unless it finished."""
    child = ChildScan(ChildJob(request, db.location))
    try:
        while child.running:
            child.wait(0.2)
            for message in child.messages(budget_s=1.0):
                if isinstance(message, Progress) and progress is not None:
                    progress(message.done, message.total, message.text)
                elif isinstance(message, Log):
                    parent_log(message)
    except BaseException:
        child.end()
        raise
    if isinstance(child.final, Finished):
        return child.final.report
    raise ChildFailed(child.final)


class ChildFailed(Exception):
    """A child scan that did not finish: its final message says why."""

    def __init__(self, final: Final | None) -> None:
        message = final.message if isinstance(final, Failed | Stopped) else ""
        super().__init__(message or "The scan was cancelled.")
        self.final = final


def parent_log(message: Log) -> None:
    """Write a child's log record into the parent's log."""
    logging.getLogger(message.logger).log(message.level, "[scan process] %s", message.text)
