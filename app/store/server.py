"""A PostgreSQL store (a team's shared store): reaching it, looking, migrating, locks.

Compared with an SQLite file:
- there is no automatic backup, so an existing schema is upgraded only when asked
  (`audit-binder db upgrade`); a new, empty database gets the schema at once;
- migrations run in one transaction under an advisory lock, so two apps starting at
  once do not both migrate;
- each open store holds a shared "presence" advisory lock named after this process
  (`host:pid`), so another machine can tell a scan still running here from one whose
  process died (on one machine the process table says it; across machines it cannot);
- server errors become one-line `StoreError`s that never carry the password.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from app.store.dbfile import FileState
from app.store.errors import (
    DatabaseLocked,
    InvalidInput,
    MigrationFailed,
    NotAnAuditBinderDatabase,
    StoreError,
    StoreUnreachable,
    UpgradeNotAsked,
)
from app.store.location import StoreLocation
from app.store.migrate import upgrade_to_head

# Advisory lock keys (two int4): this app's namespace, then what is locked.
LOCK_NAMESPACE = 0x41420001  # "AB", 1
PRESENCE_NAMESPACE = 0x41420002
MIGRATION_KEY = 0
CONNECT_TIMEOUT_S = 10
# SQLSTATE classes: 08 connection exception, 57P0x server shutting down / crashed.
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
_BUSY_STATES = ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock timeout


def make_server_engine(location: StoreLocation) -> Engine:
    """An engine for the server: connections checked before use (a restarted server),
    a connect timeout and an application name unless the URL sets them."""
    url = location.connect_url()
    options: dict[str, object] = {}
    if "connect_timeout" not in url.query:
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in url.query:
        options["application_name"] = "audit-binder"
    return create_engine(url, pool_pre_ping=True, connect_args=options)


def _sqlstate(error: DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", "") or "")


def _reason(location: StoreLocation, error: BaseException) -> str:
    """The server's message on one line, without the password should it echo it."""
    source = getattr(error, "orig", None) or error
    reason = " ".join(str(source).split()) or type(source).__name__
    password = location.connect_url().password
    if password:
        reason = reason.replace(str(password), "***")
    return reason


def server_problem(location: StoreLocation, error: DBAPIError) -> StoreError | None:
    """The user-facing problem behind a server error, or None when it is a bug."""
    state, reason = _sqlstate(error), _reason(location, error)
    where = location.display
    if state.startswith(_BUSY_STATES):
        return DatabaseLocked(
            f"The team store {where} is busy (another writer holds what this change needs: "
            f"{reason}); nothing was saved. Try again."
        )
    if state in ("22001", "22021", "22P05") or "NUL" in reason:
        return InvalidInput(f"The team store refused a value ({reason}); nothing was saved.")
    # Connection errors carry no SQLSTATE (libpq gives only the text): look at both.
    lowered = reason.lower()
    if (
        state in ("28P01", "28000")
        or "authentication failed" in lowered
        or ("no password supplied" in lowered)
    ):
        return StoreUnreachable(
            f"The team store {where} refused the sign-in ({reason}). Check the user name and "
            "the password (keyring, ~/.pgpass or a service file); nothing was changed."
        )
    if state == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return StoreUnreachable(
            f"The team store {where} has no such database ({reason}). Ask its administrator "
            "to create it (createdb), or correct the URL; nothing was changed."
        )
    unreachable = error.connection_invalidated or state.startswith(_CONNECTION_STATES)
    if unreachable or (isinstance(error, OperationalError) and not state):
        return StoreUnreachable(
            f"The team store {where} cannot be reached ({reason}); nothing was saved. "
            "Check that the server runs and the network, then try again."
        )
    return None


def _state(connection: Connection, location: StoreLocation) -> FileState:
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return FileState(is_new=True, revisions=())
    if "alembic_version" not in tables:
        raise NotAnAuditBinderDatabase(
            f"The database {location.display} holds tables of another program, not an Audit "
            "Binder store. It was left untouched; point --db at an empty database or an "
            "Audit Binder store."
        )
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return FileState(is_new=False, revisions=tuple(str(row[0]) for row in rows))


def inspect_server(engine: Engine, location: StoreLocation) -> FileState:
    """Empty, or which schema revision the server store holds; nothing is written."""
    with engine.connect() as connection:
        return _state(connection, location)


def upgrade_refused(location: StoreLocation, revisions: tuple[str, ...], head: str) -> StoreError:
    return UpgradeNotAsked(
        f"The team store {location.display} has schema revision {', '.join(revisions)}; this "
        f"Audit Binder needs {head}. A shared PostgreSQL store is not upgraded automatically "
        "because the app cannot back it up first (it does for SQLite files). Back it up "
        f"(pg_dump), then run: audit-binder db upgrade --db '{location.display}'"
    )


def migrate_server(
    engine: Engine, location: StoreLocation, head: str, *, upgrade: bool, migrations: Path | None
) -> tuple[str, ...] | None:
    """Bring the store to `head` in one transaction under the migration lock.

    An empty database always gets the schema; an older one only with `upgrade`. The
    revisions it had (empty for a new one), or None when it was already at head (another
    process may have migrated it while this one waited for the lock).
    """
    try:
        with engine.begin() as connection:
            connection.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, MIGRATION_KEY)))
            state = _state(connection, location)
            if state.revisions == (head,):
                return None
            if not state.is_new and not upgrade:
                raise upgrade_refused(location, state.revisions, head)
            upgrade_to_head(connection, migrations)
            return state.revisions
    except StoreError:
        raise
    except DBAPIError as error:
        known = server_problem(location, error)
        if known is not None and not isinstance(known, InvalidInput):
            raise known from error
        raise _migration_failed(location, error) from error
    except Exception as error:  # a failure inside a revision: rolled back, say so
        raise _migration_failed(location, error) from error


def _migration_failed(location: StoreLocation, error: Exception) -> MigrationFailed:
    return MigrationFailed(
        f"Upgrading the team store {location.display} failed ({_reason(location, error)}); "
        "it was rolled back and nothing changed. Please report this with the log file."
    )


def runner_key(runner: str) -> int:
    """A process's `host:pid` as an int4 advisory lock key."""
    return int.from_bytes(hashlib.sha256(runner.encode()).digest()[:4], "big", signed=True)


def hold_presence(engine: Engine, runner: str) -> Connection:
    """A connection holding this process's presence lock until it is closed."""
    connection = engine.connect()
    try:
        connection.execute(
            select(func.pg_advisory_lock_shared(PRESENCE_NAMESPACE, runner_key(runner)))
        )
        connection.commit()  # session-level lock: it outlives the transaction
    except BaseException:
        connection.close()
        raise
    return connection


def present_check(session: Session) -> Callable[[str], bool]:
    """`runner -> still connected?`: true while its process holds its presence lock."""

    def present(runner: str) -> bool:
        nobody = session.scalar(
            select(func.pg_try_advisory_xact_lock(PRESENCE_NAMESPACE, runner_key(runner)))
        )
        return not nobody

    return present
