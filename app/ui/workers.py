"""Work off the GUI thread: a runnable that hands back a value or an error, never both.

The pattern follows MusicBrainz Picard's `Runnable`: `run()` catches everything and
reports it, so a failing task can neither kill a pool thread silently nor leave the
GUI waiting. The signals live on a separate `QObject` created on the GUI thread, so
their slots run there (queued) while the function runs on a pool thread.

Workers return plain values; the GUI thread persists them (no ORM session crosses
a thread). The pool is injected (`TaskPool`), so tests can run tasks synchronously.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, Signal

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel; reported via `cancelled`."""


class CancelToken:
    """A flag the GUI sets and the task polls between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def event(self) -> threading.Event:
        """The flag itself, for code that waits on or polls a `threading.Event`."""
        return self._event

    @property
    def is_cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Progress:
    """What a task gets to report progress and see cancellation: `(done, total, text)`."""

    def __init__(self, signals: WorkerSignals, token: CancelToken) -> None:
        self._signals = signals
        self.token = token

    def __call__(self, done: int, total: int, text: str = "") -> None:
        # Never raises: engines call this from their own threads; they poll the token.
        self._signals.progress.emit(done, total, text)

    def item(self, value: object) -> None:
        """Hand one partial result to the GUI while the task goes on (results as they come)."""
        self._signals.item.emit(value)


class WorkerSignals(QObject):
    """The worker's voice. Lives on the GUI thread; emitted from the pool thread."""

    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progress = Signal(int, int, str)
    item = Signal(object)


Task = Callable[[Progress], Any]


class Worker(QRunnable):
    """Runs `task(progress)` once; emits `finished(value)`, `failed(exc)` or `cancelled()`."""

    def __init__(self, task: Task, name: str = "task") -> None:
        super().__init__()
        # The pool must not delete us while the GUI still holds `signals`.
        self.setAutoDelete(False)
        self.name = name
        self.token = CancelToken()
        self.signals = WorkerSignals()
        self._task = task
        self.done = threading.Event()

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        try:
            value = self._task(Progress(self.signals, self.token))
        except Cancelled:
            log.info("%s cancelled", self.name)
            self.signals.cancelled.emit()
        except BaseException as exc:  # everything: a bug must reach the GUI, not vanish
            if self.token.is_cancelled:
                # The task stopped because we asked it to, whatever it raised on the way.
                log.info("%s cancelled (%s)", self.name, type(exc).__name__)
                self.signals.cancelled.emit()
            else:
                log.exception("%s failed", self.name)
                self.signals.failed.emit(exc)
        else:
            if self.token.is_cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(value)
        finally:
            self.done.set()


class TaskPool(Protocol):
    """What the app needs of a pool: `QThreadPool` satisfies it, so does `ImmediatePool`."""

    def start(self, runnable: QRunnable, priority: int = ...) -> None: ...


class ImmediatePool:
    """Runs each task at once on the calling thread: deterministic tests, no threads."""

    def start(self, runnable: QRunnable, priority: int = 0) -> None:
        runnable.run()


class Endable(Protocol):
    """Work outside the pool (a scan's child process) that must end when the app does."""

    def end(self, grace_s: float = ...) -> None: ...


class WorkerRegistry:
    """Keeps running workers alive (Python would collect them) and cancels them on quit,
    with the child processes it tracks."""

    def __init__(self, pool: TaskPool) -> None:
        self._pool = pool
        self._running: set[Worker] = set()
        self._children: list[Endable] = []

    def track(self, child: Endable) -> None:
        self._children.append(child)

    def forget(self, child: Endable) -> None:
        if child in self._children:
            self._children.remove(child)

    def submit(self, worker: Worker) -> Worker:
        self._running.add(worker)

        def forget(*_: object) -> None:
            self._running.discard(worker)

        # Connected to the signals object (a QObject on the GUI thread), so queued.
        worker.signals.finished.connect(forget)
        worker.signals.failed.connect(forget)
        worker.signals.cancelled.connect(forget)
        self._pool.start(worker)
        return worker

    @property
    def running(self) -> frozenset[Worker]:
        return frozenset(self._running)

    def cancel_all(self, wait_seconds: float = 5.0) -> None:
        for worker in list(self._running):
            worker.cancel()
        for child in list(self._children):  # cancelled, given time to store, then ended
            child.end(wait_seconds)
        self._children.clear()
        for worker in list(self._running):
            worker.done.wait(wait_seconds)
