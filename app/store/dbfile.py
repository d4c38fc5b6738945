"""Looking at a database file before anything writes to it, and backing it up.

Everything here opens the file read-only (`mode=ro`), so a file we refuse (not
SQLite, damaged, from a newer app, from another program) is left byte-for-byte as
it was, and the backup is taken before any migration touches the original.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.store.errors import (
    CorruptDatabase,
    DatabaseLocked,
    NotAnAuditBinderDatabase,
    StoreError,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100


@dataclass(frozen=True)
class FileState:
    """What is in a database file. `revisions` is empty for a new (or empty) file."""

    is_new: bool
    revisions: tuple[str, ...]


def _read_only(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    return sqlite3.connect(
        path.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout_ms / 1000
    )


def _translate(path: Path, error: sqlite3.Error) -> StoreError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLocked(
            f"The database {path} is busy: another program (another Audit Binder window or "
            "scan?) is writing to it. Wait for it to finish or close it, then try again."
        )
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
        return CorruptDatabase(
            f"The database {path} is damaged ({error}). It was left untouched: restore it "
            "from a backup (files named '*.backup-*' beside it) or open another file."
        )
    return StoreError(f"Cannot read the database {path}: {error}. Check the file's permissions.")


def inspect_file(path: Path, busy_timeout_ms: int = 5000) -> FileState:
    """Say whether `path` is new or which schema revision it holds, without writing.

    Raises `CorruptDatabase` (not SQLite, or damaged), `NotAnAuditBinderDatabase`,
    `DatabaseLocked`, or `StoreError` (unreadable).
    """
    if not path.exists():
        return FileState(is_new=True, revisions=())
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file. Choose a file name.")
    if not path.is_file():  # /dev/null, a pipe, a socket: SQLite cannot keep data there
        raise StoreError(f"{path} is not a regular file, so it cannot hold a database.")
    if path.stat().st_size == 0:
        # SQLite itself treats an empty file as an empty database.
        return FileState(is_new=True, revisions=())
    with path.open("rb") as stream:
        header = stream.read(_HEADER_SIZE)
    if len(header) < _HEADER_SIZE or not header.startswith(SQLITE_MAGIC):
        raise CorruptDatabase(
            f"{path} is not an Audit Binder database (it is not an SQLite file). "
            "It was left untouched; choose another file or start a new database."
        )
    try:
        connection = _read_only(path, busy_timeout_ms)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                # quick_check's lines contain newlines; the message is shown on one line.
                raise sqlite3.DatabaseError(
                    "; ".join(" ".join(str(p).split()) for p in problems[:3])
                )
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revisions: tuple[str, ...] = ()
            if "alembic_version" in tables:
                revisions = tuple(
                    str(row[0])
                    for row in connection.execute("SELECT version_num FROM alembic_version")
                )
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise _translate(path, error) from error
    if not tables:
        return FileState(is_new=True, revisions=())
    if "alembic_version" not in tables:
        raise NotAnAuditBinderDatabase(
            f"{path} is an SQLite database written by another program, not by Audit Binder. "
            "It was left untouched; choose another file."
        )
    return FileState(is_new=False, revisions=revisions)


def backup_name(path: Path, revision: str, moment: datetime) -> Path:
    """`<stem>.backup-rev-<revision>-<UTC time><suffix>` beside the original."""
    safe_revision = re.sub(r"[^A-Za-z0-9_.-]", "_", revision) or "base"
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.stem}.backup-rev-{safe_revision}-{stamp}{path.suffix}")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(
            f"{path.stem}.backup-rev-{safe_revision}-{stamp}-{counter}{path.suffix}"
        )
    return candidate


def backup_database(path: Path, revision: str, busy_timeout_ms: int = 5000) -> Path:
    """Copy `path` with SQLite's online backup API (consistent even in WAL mode)."""
    target = backup_name(path, revision, datetime.now(UTC))
    try:
        target.touch(mode=0o600, exist_ok=False)  # as private as the original
    except OSError as error:
        raise _backup_failed(path, target, error) from error
    try:
        source = _read_only(path, busy_timeout_ms)
        try:
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except (sqlite3.Error, OSError) as error:
        target.unlink(missing_ok=True)
        raise _backup_failed(path, target, error) from error
    return target


def _backup_failed(path: Path, target: Path, error: Exception) -> StoreError:
    return StoreError(
        f"Could not back up {path} to {target} before upgrading it ({error}); "
        "nothing was changed. Check free disk space and permissions."
    )
