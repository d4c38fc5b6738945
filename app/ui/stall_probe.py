"""Measures how long the GUI thread's event loop goes without running (a frozen window).

A timer asks to fire every `interval_ms`; the longest gap between two firings is the
worst stall a user would have felt. Used by the tests and `bench/gui_stall.py`.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Slot


class EventLoopProbe(QObject):
    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.worst_gap = 0.0
        self.ticks = 0

    def start(self) -> None:
        self.worst_gap = 0.0
        self.ticks = 0
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        """Stop; returns the worst gap in seconds (the last stretch included)."""
        self._on_timer_timeout()
        self._timer.stop()
        return self.worst_gap

    @Slot()
    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.worst_gap = max(self.worst_gap, now - self._last)
        self._last = now
        self.ticks += 1
