"""Evidence files in and out: reading the user's files in a worker; opening, or saving a
copy of, a stored one.

The bytes are checked against the SHA-256 recorded when the file was added, then
written in a worker (a file can be 50 MB). "Open" writes a read-only copy to a fresh
temporary folder and hands it to the system's program for that type, so editing the
copy can never be mistaken for editing the evidence.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path, PureWindowsPath

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.services.control_page import StoredFile, attachment_file
from app.store.errors import StoreError
from app.ui.context import AppContext
from app.ui.control_page.file_reading import FileReadError, ReadFile, read_files
from app.ui.workers import Progress, Worker

TEMP_PREFIX = "audit-binder-evidence-"


class CopyError(Exception):
    """The copy cannot be made; the message says why, for the user."""


def safe_file_name(name: str) -> str:
    """A bare file name for the copy: no folders, never empty or a dot name."""
    bare = PureWindowsPath(Path(name).name).name.replace("\x00", "").strip()
    return bare if bare not in ("", ".", "..") else "evidence"


def checked_content(stored: StoredFile) -> bytes:
    """The stored bytes, if they still hash to what was recorded when they were added."""
    if hashlib.sha256(stored.content).hexdigest() != stored.sha256:
        raise CopyError(
            f"The stored copy of '{stored.name}' no longer matches the SHA-256 recorded when it "
            "was added; the database may be damaged. Nothing was written."
        )
    return stored.content


def write_copy(path: Path, content: bytes, *, read_only: bool = False) -> Path:
    """Write `content` to `path` whole or not at all (a temporary name, then a rename)."""
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(content)
        if read_only:
            partial.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CopyError(f"Could not write {path}: {error.strerror or error}.") from error
    return path


def temp_copy_path(name: str) -> Path:
    """A path in a folder of its own, so two files of the same name never collide."""
    return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)) / safe_file_name(name)


class _FilesRead(QObject):
    """Where one read's answer goes: the caller's `then`, or a message."""

    def __init__(
        self,
        then: Callable[[list[ReadFile]], None],
        say: Callable[[str], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._then = then
        self._say = say

    def on_finished(self, value: object) -> None:
        self.deleteLater()
        if isinstance(value, list):
            self._then(value)

    def on_failed(self, error: object) -> None:
        self.deleteLater()
        if isinstance(error, FileReadError):
            self._say(str(error))
        else:
            self._say(f"Could not read the files: {error}")


class EvidenceFileActions(QObject):
    """Open / Save a copy for the control page; reports through `say`."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget,
        say: Callable[[str], None],
        engagement: Callable[[], int | None],
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._widget = parent
        self._say = say
        self._engagement = engagement

    # -- adding: files read off the GUI thread, stored on it --------------------------
    def read(self, paths: Sequence[str], then: Callable[[list[ReadFile]], None]) -> None:
        """Read `paths` in a worker, then hand the files to `then` on the GUI thread."""
        chosen = list(paths)

        def task(progress: Progress) -> list[ReadFile]:
            return read_files(chosen, progress)

        worker = Worker(task, name="read evidence files")
        reply = _FilesRead(then, self._say, self)
        # Slots of a GUI-thread QObject: they run queued on the GUI thread, where the store
        # session is opened; a lambda would run on the pool thread.
        worker.signals.finished.connect(reply.on_finished)
        worker.signals.failed.connect(reply.on_failed)
        self._say(f"Reading {len(chosen)} file(s)…")
        self._ctx.submit(worker)

    # -- reading back: open or save a copy ----------------------------------------------
    def _read(self, attachment_id: int) -> StoredFile | None:
        engagement_id = self._engagement()
        if engagement_id is None:
            return None
        try:
            return attachment_file(self._ctx.db, engagement_id, attachment_id)
        except StoreError as error:
            self._say(f"Cannot read the evidence file: {error}")
            return None

    def open(self, attachment_id: int, _name: str = "") -> None:
        stored = self._read(attachment_id)
        if stored is None:
            return

        def task(progress: Progress) -> Path:
            return write_copy(temp_copy_path(stored.name), checked_content(stored), read_only=True)

        worker = Worker(task, name="open evidence file")
        worker.signals.finished.connect(self._on_open_written)
        self._start(worker, stored.name)

    def save_copy(self, attachment_id: int, name: str) -> None:
        target = self._ctx.prompts.save_path(
            self._widget,
            "Save a copy of the evidence file",
            Path.home() / safe_file_name(name),
            "All files (*)",
        )
        if target is None:
            return
        stored = self._read(attachment_id)
        if stored is None:
            return

        def task(progress: Progress) -> Path:
            return write_copy(target, checked_content(stored))

        worker = Worker(task, name="save a copy of an evidence file")
        worker.signals.finished.connect(self._on_copy_saved)
        self._start(worker, stored.name)

    def _start(self, worker: Worker, name: str) -> None:
        # Bound methods of this GUI-thread QObject: the slots run queued on the GUI thread.
        worker.signals.failed.connect(self._on_failed)
        self._say(f"Writing '{name}'…")
        self._ctx.submit(worker)

    def _on_open_written(self, value: object) -> None:
        if not isinstance(value, Path):
            return
        if self._ctx.prompts.open_file(value):
            self._say(
                f"Opened a read-only copy of '{value.name}' (its SHA-256 checked). "
                "Changing the copy does not change the evidence."
            )
        else:
            self._say(
                f"No program on this computer opens '{value.name}'. "
                "Use “Save a copy…” to put it where you can open it."
            )

    def _on_copy_saved(self, value: object) -> None:
        if isinstance(value, Path):
            self._say(f"Saved a copy of '{value.name}' to {value} (its SHA-256 checked).")

    def _on_failed(self, error: object) -> None:
        if isinstance(error, CopyError):
            self._say(str(error))
        else:
            self._say(f"Could not write the copy: {error}")
