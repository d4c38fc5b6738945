"""Opening the store: new files, refusals that leave files untouched, backups, crashes."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.store.audit import audit_log
from app.store.database import open_database
from app.store.engagements import create_engagement, list_engagements
from app.store.errors import (
    CorruptDatabase,
    DatabaseLocked,
    MigrationFailed,
    NewerSchema,
    NotAnAuditBinderDatabase,
)
from app.store.models import Scan
from app.store.scans import this_runner
from tests.store.conftest import record_scan, result
from tests.store.helpers import HEAD, newer_scripts


def _revision(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_new_database_is_created_at_head_with_its_pragmas(db_path: Path) -> None:
    database = open_database(db_path)
    try:
        assert database.backup_path is None
        assert _revision(db_path) == [HEAD]
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
    finally:
        database.close()
    if sys.platform != "win32":
        assert db_path.stat().st_mode & 0o077 == 0  # client data: the user's eyes only


def test_an_empty_file_becomes_a_new_database(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    open_database(db_path).close()
    assert _revision(db_path) == [HEAD]


def test_reopening_at_head_takes_no_backup(db_path: Path) -> None:
    open_database(db_path).close()
    database = open_database(db_path)
    database.close()
    assert database.backup_path is None
    assert not [name for name in _siblings(db_path) if ".backup-" in name]


def test_a_non_sqlite_file_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    original = b"Quarterly notes, definitely not a database.\n" * 200
    db_path.write_bytes(original)
    with pytest.raises(CorruptDatabase, match="not an SQLite file") as raised:
        open_database(db_path)
    assert str(db_path) in str(raised.value)
    assert db_path.read_bytes() == original
    assert _siblings(db_path) == [db_path.name]


def test_a_damaged_database_is_refused_and_left_untouched(db_path: Path) -> None:
    database = open_database(db_path)
    with database.session() as session:
        for number in range(200):
            create_engagement(session, f"Client {number}", actor="a", notes="x" * 500)
    database.close()  # the last connection checkpoints the WAL into the main file
    data = bytearray(db_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    assert len(data) > 4 * page_size
    for page in range(1, len(data) // page_size):
        start = page * page_size
        data[start : start + 64] = b"\xa5" * 64  # wreck every b-tree page header
    db_path.write_bytes(bytes(data))
    with pytest.raises(CorruptDatabase, match="damaged"):
        open_database(db_path)
    assert db_path.read_bytes() == bytes(data)


def test_another_programs_sqlite_file_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    original = db_path.read_bytes()
    with pytest.raises(NotAnAuditBinderDatabase, match="another program"):
        open_database(db_path)
    assert db_path.read_bytes() == original


def test_a_database_from_a_newer_app_is_refused_and_left_untouched(db_path: Path) -> None:
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    connection.close()
    original = db_path.read_bytes()
    with pytest.raises(NewerSchema, match="Upgrade Audit Binder") as raised:
        open_database(db_path)
    assert "0099_from_the_future" in str(raised.value)
    assert db_path.read_bytes() == original
    assert _revision(db_path) == ["0099_from_the_future"]


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {row[0] for row in rows}


def test_an_older_schema_is_backed_up_before_it_is_migrated(db_path: Path, tmp_path: Path) -> None:
    database = open_database(db_path)
    with database.session() as session:
        create_engagement(session, "Before the upgrade", actor="a")
    database.close()

    upgraded = open_database(db_path, migrations=newer_scripts(tmp_path, fail=False))
    upgraded.close()

    backup = upgraded.backup_path
    assert backup is not None and backup.parent == db_path.parent
    pattern = rf"audit-binder\.backup-rev-{re.escape(HEAD)}-\d{{8}}T\d{{6}}Z\.sqlite3"
    assert re.fullmatch(pattern, backup.name)
    assert _revision(backup) == [HEAD]
    if sys.platform != "win32":
        assert backup.stat().st_mode & 0o077 == 0
    assert "synthetic_notes" not in _tables(backup)
    with sqlite3.connect(backup) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM engagements")]
    assert names == ["Before the upgrade"]
    assert _revision(db_path) == ["9999_synthetic"]
    assert "synthetic_notes" in _tables(db_path)
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT name, colour FROM engagements").fetchall()
    assert rows == [("Before the upgrade", "blue")]


def test_a_failed_migration_rolls_back_and_names_the_backup(db_path: Path, tmp_path: Path) -> None:
    database = open_database(db_path)
    with database.session() as session:
        create_engagement(session, "Kept", actor="a")
    database.close()

    with pytest.raises(MigrationFailed, match=rf"backup-rev-{re.escape(HEAD)}") as raised:
        open_database(db_path, migrations=newer_scripts(tmp_path, fail=True))
    assert "synthetic failure" in str(raised.value)
    assert _revision(db_path) == [HEAD]
    assert "synthetic_notes" not in _tables(db_path)
    with sqlite3.connect(db_path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(engagements)")]
    assert "colour" not in columns
    reopened = open_database(db_path)
    with reopened.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Kept"]
    reopened.close()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_scan_left_running_by_a_crashed_process_is_marked_incomplete(db_path: Path) -> None:
    database = open_database(db_path)
    with database.session() as session:
        from app.store.engagements import create_engagement as create

        engagement = create(session, "Acme", actor="a")
        finished = record_scan(session, engagement, [result()])
        crashed = record_scan(
            session, engagement, [result(), result(resource="sg-2")], state="running"
        )
        crashed.runner = f"{this_runner().rpartition(':')[0]}:{_dead_pid()}"
        alive = record_scan(session, engagement, [result()], state="running")
        ids = (finished.id, crashed.id, alive.id)
    database.close()

    reopened = open_database(db_path)
    try:
        assert reopened.interrupted_scans == [ids[1]]
        with reopened.session() as session:
            states = {s.id: s for s in session.scalars(select(Scan))}
            assert states[ids[0]].state == "complete"
            assert states[ids[1]].state == "incomplete"
            assert len(states[ids[1]].results) == 2  # earlier data intact
            assert "Interrupted" in states[ids[1]].error
            assert states[ids[2]].state == "running"  # its process (this one) is alive
            actions = [e.action for e in audit_log(session)]
            assert actions.count("scan.interrupted") == 1
    finally:
        reopened.close()


def test_a_write_lock_held_elsewhere_gives_database_locked(db_path: Path) -> None:
    open_database(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        database = open_database(db_path, busy_timeout_ms=100)
        with pytest.raises(DatabaseLocked, match="busy"), database.session() as session:
            create_engagement(session, "Blocked", actor="a")
        database.close()
    finally:
        other.rollback()
        other.close()
    database = open_database(db_path)
    with database.session() as session:
        assert list_engagements(session) == []
    database.close()
