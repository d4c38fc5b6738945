"""The SQLite side of the store: the engine (WAL, busy timeout, write locks), the
migration of a file, and SQLite's errors as user-facing problems."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from app.store.errors import DatabaseLocked, MigrationFailed, StoreError
from app.store.migrate import upgrade_to_head


def _is_lock_error(error: BaseException) -> bool:
    text_ = str(error).lower()
    return "database is locked" in text_ or "database is busy" in text_


def _locked(path: Path) -> DatabaseLocked:
    return DatabaseLocked(
        f"The database {path} is busy: another program (another Audit Binder window or a "
        "scan from the command line?) is writing to it. Wait for it to finish, then try again."
    )


def known_write_problem(path: Path, error: OperationalError) -> StoreError | None:
    text_ = str(error.orig).lower()
    if _is_lock_error(error):
        return _locked(path)
    if "disk is full" in text_ or "disk i/o error" in text_:
        return StoreError(
            f"Could not write to {path} ({error.orig}); nothing was saved. "
            "Free some disk space and try again."
        )
    if "readonly" in text_ or "read-only" in text_:
        return StoreError(f"{path} is read-only; nothing was saved. Check the file's permissions.")
    return None


def make_engine(path: Path, *, busy_timeout_ms: int = 5000, foreign_keys: bool = True) -> Engine:
    """An engine whose connections use WAL, the busy timeout and (normally) foreign keys.

    The driver's own transaction handling is switched off and SQLAlchemy emits BEGIN,
    so DDL is transactional too (a failed migration rolls back completely).

    A transaction starts as a reader. Its first write first ends that read-only part and
    begins again with `BEGIN IMMEDIATE`, which waits (busy timeout) for the write lock.
    Without it, a transaction that read before another program committed could not
    write at all ("database is locked" at once, however long the timeout): a scan
    starting while a colleague signs off would fail. Reads before the first write
    see what was committed then, like PostgreSQL's READ COMMITTED; the store's own
    checks (row versions, the sign-off lock) do not rely on more.
    """
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # Off only while migrating: batch mode copies and drops tables, and dropping a
        # parent table with foreign keys on would cascade-delete its children.
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.info[_WRITING] = False
        connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _before_write(
        connection: Any, cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> tuple[str, Any]:
        if connection.info.get(_WRITING, True) or _reads(statement):
            return statement, parameters
        connection.info[_WRITING] = True
        raw = cursor.connection
        raw.execute("COMMIT")  # nothing written yet: only the read snapshot ends
        raw.execute("BEGIN IMMEDIATE")
        return statement, parameters

    return engine


_WRITING = "audit_binder_writing"
# Statements that neither write nor need the write lock; anything else takes it first.
_READ_WORDS = frozenset({"SELECT", "PRAGMA", "EXPLAIN", "BEGIN", "COMMIT", "ROLLBACK", "END"})


def _reads(statement: str) -> bool:
    words = statement.split(None, 1)
    return bool(words) and words[0].upper() in _READ_WORDS


def migrate_file(
    path: Path, migrations: Path | None, busy_timeout_ms: int, backup: Path | None
) -> None:
    engine = make_engine(path, busy_timeout_ms=busy_timeout_ms, foreign_keys=False)
    try:
        with engine.begin() as connection:
            upgrade_to_head(connection, migrations)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise MigrationFailed(f"the upgraded data breaks {len(broken)} references")
    except OperationalError as error:
        if _is_lock_error(error):
            raise _locked(path) from error
        raise _migration_failed(path, backup, error) from error
    except Exception as error:  # any failure inside a revision: report it, keep the backup
        raise _migration_failed(path, backup, error) from error
    finally:
        engine.dispose()


def _migration_failed(path: Path, backup: Path | None, error: Exception) -> MigrationFailed:
    where = f" A copy from before the attempt is at {backup}." if backup else ""
    return MigrationFailed(
        f"Upgrading the database {path} failed ({error}); it was rolled back.{where} "
        "Please report this with the log file."
    )
