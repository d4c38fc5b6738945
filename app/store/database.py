"""Opening the store: checks, backup, migration, engine. `open_database` is the way in.

Order matters, so that a file we refuse is never written to:
1. look at the file read-only (header, `PRAGMA quick_check`, schema revision);
2. refuse what is not ours or is newer than this app;
3. back up an existing file whose schema is behind, then migrate it (one transaction);
4. build the engine (WAL, foreign keys, busy timeout) and mark crashed scans incomplete.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.store.dbfile import backup_database, inspect_file
from app.store.errors import DatabaseLocked, MigrationFailed, NewerSchema, StoreError
from app.store.migrate import head_revision, known_revisions, script_directory, upgrade_to_head
from app.store.rescue import find_rescue
from app.store.scans import mark_interrupted_scans


def _is_lock_error(error: BaseException) -> bool:
    text_ = str(error).lower()
    return "database is locked" in text_ or "database is busy" in text_


def _locked(path: Path) -> DatabaseLocked:
    return DatabaseLocked(
        f"The database {path} is busy: another program (another Audit Binder window or a "
        "scan from the command line?) is writing to it. Wait for it to finish, then try again."
    )


def _known_write_problem(path: Path, error: OperationalError) -> StoreError | None:
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
        connection.exec_driver_sql("BEGIN")

    return engine


@dataclass
class Database:
    """An open store. Use `session()` for a unit of work; `close()` when done."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    revision: str
    # The copy taken before this open migrated the file, if it did.
    backup_path: Path | None = None
    interrupted_scans: list[int] = field(default_factory=list)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error.

        Objects stay readable after the block (no expiry on commit), so the UI can show
        what it just saved without another query.
        """
        session = self.sessions()
        try:
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            known = _known_write_problem(self.path, error)
            if known is None:
                raise
            raise known from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _migrate(
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


def open_database(
    path: Path | str,
    *,
    migrations: Path | None = None,
    busy_timeout_ms: int = 5000,
) -> Database:
    """Open (creating or upgrading as needed) the store at `path`.

    Raises `CorruptDatabase`, `NotAnAuditBinderDatabase`, `NewerSchema`,
    `DatabaseLocked`, `MigrationFailed` or `StoreError`; in each case a file that
    existed was not modified. `migrations` overrides the shipped script directory
    (tests use it to simulate a newer app).
    """
    path = Path(path).expanduser().absolute()
    script = script_directory(migrations)
    head = head_revision(script)
    state = inspect_file(path, busy_timeout_ms)
    unknown = [rev for rev in state.revisions if rev not in known_revisions(script)]
    if unknown:
        raise NewerSchema(
            f"The database {path} was written by a newer version of Audit Binder "
            f"(schema revision {', '.join(unknown)}). Upgrade Audit Binder to open it; "
            "the file was not changed."
        )
    backup: Path | None = None
    if state.is_new:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Client findings live here: readable by the user only (SQLite's -wal and
            # -shm files copy these permissions).
            path.touch(mode=0o600, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the folder for {path}: {error}.") from error
        _migrate(path, migrations, busy_timeout_ms, None)
    elif state.revisions != (head,):
        backup = backup_database(path, state.revisions[0] if state.revisions else "base")
        _migrate(path, migrations, busy_timeout_ms, backup)
    engine = make_engine(path, busy_timeout_ms=busy_timeout_ms)
    database = Database(
        path=path,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        revision=head,
        backup_path=backup,
    )
    try:
        with database.session() as session:
            rescued = functools.partial(find_rescue, path)
            database.interrupted_scans = [s.id for s in mark_interrupted_scans(session, rescued)]
    except BaseException:
        engine.dispose()
        raise
    return database
