"""Opening the store: checks, backup, migration, engine. `open_database` is the way in.

The store is an SQLite file or a PostgreSQL server (`app.store.location`). For a file,
order matters, so that a file we refuse is never written to:
1. look at the file read-only (header, `PRAGMA quick_check`, schema revision);
2. refuse what is not ours or is newer than this app;
3. back up an existing file whose schema is behind, then migrate it (one transaction);
4. build the engine (WAL, foreign keys, busy timeout) and mark crashed scans incomplete.
A server store follows the same steps without the backup, so an older schema there is
upgraded only when asked (`app.store.server`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.store import server
from app.store.dbfile import FileState, backup_database, inspect_file
from app.store.errors import EditConflict, NewerSchema, StoreError
from app.store.limits import check_before_flush
from app.store.location import StoreLocation, parse_location
from app.store.migrate import head_revision, known_revisions, script_directory
from app.store.rescue import find_rescue
from app.store.scans import mark_interrupted_scans, this_runner
from app.store.sqlite_engine import known_write_problem, make_engine, migrate_file

__all__ = ["Database", "make_engine", "open_database"]


@dataclass
class Database:
    """An open store. Use `session()` for a unit of work; `close()` when done."""

    location: StoreLocation
    engine: Engine
    sessions: sessionmaker[Session]
    revision: str
    # The copy taken before this open migrated the file, if it did (SQLite only).
    backup_path: Path | None = None
    # What this open migrated from: None (nothing to do), () (a new, empty store got the
    # schema) or the revisions an existing store had.
    upgraded_from: tuple[str, ...] | None = None
    interrupted_scans: list[int] = field(default_factory=list)
    # Server stores: the connection holding this process's presence lock.
    presence: Connection | None = None

    @property
    def path(self) -> Path:
        """The SQLite file (a `TypeError` for a server store: use `location`)."""
        return self.location.sqlite_path

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error.

        Objects stay readable after the block (no expiry on commit), so the UI can show
        what it just saved without another query. Expected database trouble (locked,
        full, unreachable server) comes out as a `StoreError` saying nothing was saved.
        """
        session = self.sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as error:
            with suppress(DBAPIError):  # a dead connection cannot roll back; fine
                session.rollback()
            known = self._known_problem(error)
            if known is None:
                raise
            raise known from error
        except StaleDataError as error:  # a versioned row changed under this session
            session.rollback()
            raise EditConflict(
                "Someone else changed this record while you were editing it; your change was "
                "not saved. Reload it and apply your change again."
            ) from error
        except BaseException:
            with suppress(DBAPIError):
                session.rollback()
            raise
        finally:
            session.close()

    def _known_problem(self, error: DBAPIError) -> StoreError | None:
        if self.location.is_server:
            return server.server_problem(self.location, error)
        if isinstance(error, OperationalError):
            return known_write_problem(self.location.sqlite_path, error)
        return None

    def close(self) -> None:
        if self.presence is not None:
            with suppress(DBAPIError):
                self.presence.close()
            self.presence = None
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


def _refuse_unknown(location: StoreLocation, state: FileState, known: set[str]) -> None:
    unknown = [rev for rev in state.revisions if rev not in known]
    if unknown:
        what = "team store" if location.is_server else "database"
        then = "nothing was changed" if location.is_server else "the file was not changed"
        raise NewerSchema(
            f"The {what} {location.display} was written by a newer version of Audit Binder "
            f"(schema revision {', '.join(unknown)}). Upgrade Audit Binder to open it; {then}."
        )


def open_database(
    where: Path | str | StoreLocation,
    *,
    migrations: Path | None = None,
    busy_timeout_ms: int = 5000,
    upgrade: bool = False,
) -> Database:
    """Open (creating or upgrading as needed) the store at `where`: a path or a URL.

    Raises `CorruptDatabase`, `NotAnAuditBinderDatabase`, `NewerSchema`,
    `DatabaseLocked`, `MigrationFailed`, `StoreUnreachable`, `UpgradeNotAsked` or
    `StoreError`; in each case a store that existed was not modified. A file is
    backed up and upgraded by itself; a server store is upgraded only with `upgrade`
    (`audit-binder db upgrade`). `migrations` overrides the shipped script directory
    (tests use it to simulate a newer app).
    """
    location = parse_location(where)
    if location.is_server:
        return _open_server(location, migrations, upgrade)
    return _open_file(location, migrations, busy_timeout_ms)


def _open_file(location: StoreLocation, migrations: Path | None, busy_timeout_ms: int) -> Database:
    path = location.sqlite_path.absolute()
    location = StoreLocation(path=path)
    script = script_directory(migrations)
    head = head_revision(script)
    state = inspect_file(path, busy_timeout_ms)
    _refuse_unknown(location, state, known_revisions(script))
    backup: Path | None = None
    if state.is_new:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Client findings live here: readable by the user only (SQLite's -wal and
            # -shm files copy these permissions).
            path.touch(mode=0o600, exist_ok=True)
        except OSError as error:
            raise StoreError(f"Cannot create the folder for {path}: {error}.") from error
        migrate_file(path, migrations, busy_timeout_ms, None)
    elif state.revisions != (head,):
        backup = backup_database(path, state.revisions[0] if state.revisions else "base")
        migrate_file(path, migrations, busy_timeout_ms, backup)
    engine = make_engine(path, busy_timeout_ms=busy_timeout_ms)
    database = Database(
        location=location,
        engine=engine,
        sessions=_sessions(engine),
        revision=head,
        backup_path=backup,
        upgraded_from=state.revisions if state.revisions != (head,) else None,
    )
    return _after_open(database, None)


def _open_server(location: StoreLocation, migrations: Path | None, upgrade: bool) -> Database:
    script = script_directory(migrations)
    head = head_revision(script)
    engine = server.make_server_engine(location)
    try:
        state = server.inspect_server(engine, location)
        _refuse_unknown(location, state, known_revisions(script))
        before = None
        if state.revisions != (head,):
            if not state.is_new and not upgrade:
                raise server.upgrade_refused(location, state.revisions, head)
            before = server.migrate_server(
                engine, location, head, upgrade=upgrade, migrations=migrations
            )
        database = Database(
            location=location,
            engine=engine,
            sessions=_sessions(engine),
            revision=head,
            upgraded_from=before,
            presence=server.hold_presence(engine, this_runner()),
        )
    except DBAPIError as error:
        engine.dispose()
        raise server.server_problem(location, error) or error from error
    except BaseException:
        engine.dispose()
        raise
    return _after_open(database, server.present_check)


def _sessions(engine: Engine) -> sessionmaker[Session]:
    sessions = sessionmaker(engine, expire_on_commit=False)
    event.listen(sessions, "before_flush", check_before_flush)
    return sessions


def _after_open(
    database: Database, present: Callable[[Session], Callable[[str], bool]] | None
) -> Database:
    """Mark scans whose process died as incomplete; close the store on any failure."""
    try:
        with database.session() as session:
            alive = present(session) if present is not None else None
            rescued = functools.partial(find_rescue, database.location)
            interrupted = mark_interrupted_scans(session, alive, rescued)
            database.interrupted_scans = [s.id for s in interrupted]
    except BaseException:
        database.close()
        raise
    return database
