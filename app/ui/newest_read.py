"""Read from the store in a worker, and keep only the newest answer.

A screen that reads again on every change (a scan stored, a decision saved) may have a
read under way when it asks for the next one; only the newest one's answer is
delivered (`arrived(value)`), older ones are dropped. The read is a service call
(`app/services`, given the `Database`: it opens a session of the pool thread's own) and
returns plain values, so no ORM object crosses threads. Expected trouble (`StoreError`)
arrives as `failed(error)`; anything else is a bug and is raised on the GUI thread,
where the excepthook reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from app.store.errors import StoreError
from app.ui.workers import Worker

if TYPE_CHECKING:
    from app.ui.context import AppContext


class _Reply(QObject):
    """One read's answer, taken on the GUI thread (this object lives there: queued slots)."""

    def __init__(self, owner: NewestRead, number: int) -> None:
        super().__init__(owner)
        self._owner = owner
        self._number = number

    @Slot(object)
    def on_finished(self, value: object) -> None:
        self._owner.deliver(self._number, value, None)
        self.deleteLater()

    @Slot(object)
    def on_failed(self, error: object) -> None:
        self._owner.deliver(self._number, None, error)
        self.deleteLater()


class NewestRead(QObject):
    arrived = Signal(object)
    failed = Signal(object)  # a StoreError

    def __init__(self, ctx: AppContext, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._name = name
        self._newest = 0

    def read(self, action: Callable[[], object]) -> None:
        """Run `action()` in a worker; its value arrives unless a newer read began."""
        self._newest += 1
        worker = Worker(lambda _progress: action(), name=self._name)
        reply = _Reply(self, self._newest)
        worker.signals.finished.connect(reply.on_finished)
        worker.signals.failed.connect(reply.on_failed)
        self._ctx.submit(worker)

    def forget(self) -> None:
        """Drop the answers of the reads under way."""
        self._newest += 1

    def deliver(self, number: int, value: object, error: object) -> None:
        if number != self._newest:
            return
        if error is None:
            self.arrived.emit(value)
        elif isinstance(error, StoreError):
            self.failed.emit(error)
        else:
            raise error if isinstance(error, BaseException) else RuntimeError(str(error))
