"""What `audit-binder scan` says on the terminal: progress, Ctrl-C, the result documents.

Shared by the single-account scan and the organization scan (`scan_org`).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from app.scan.document import write_document


@contextmanager
def ctrl_c_cancels(cancel: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the scan to stop at its next AWS call (so it is stored as
    incomplete promptly, with no call sent after it); a second one interrupts at once.

    Without this a KeyboardInterrupt reaches only the main thread, and the worker
    threads go on sending every queued call before the scan can end.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\naudit-binder scan: stopping (Ctrl-C again to quit now)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class StderrProgress:
    """One updating line on a terminal; a line per tenth of the work otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, total: int, message: str) -> None:
        if self._tty:
            self._stream.write(f"\r\x1b[K[{done}/{total}] {message[:100]}")
            self._stream.flush()
            return
        tenth = done * 10 // max(total, 1)
        if tenth != self._last_tenth or done <= 2:
            self._last_tenth = tenth
            self._stream.write(f"[{done}/{total}] {message}\n")

    def end(self) -> None:
        if self._tty:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


def emit_json(target: Path | None, document: Any) -> str | None:
    """Write the result document(s) to `target` ('-': stdout); the problem, if any."""
    if target is None:
        return None
    if str(target) == "-":
        print(json.dumps(document, indent=2))
        return None
    try:
        write_document(document, target)
    except OSError as exc:
        return f"could not write {target}: {exc.strerror or exc}."
    return None


def say(message: object) -> None:
    print(f"audit-binder scan: {message}", file=sys.stderr)


def json_or_say(target: Path | None, document: Any) -> None:
    """--json for a scan that did not end normally: written all the same."""
    problem = emit_json(target, document)
    if problem is not None:
        say(problem)
