"""Values SQLite would keep but PostgreSQL would not: refused the same way on both,
with the record and field named, before anything is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store.attachments import add_attachment
from app.store.control_states import control_states, set_control_state
from app.store.database import Database, open_database
from app.store.engagements import create_engagement, list_engagements
from app.store.errors import InvalidInput, TransferError
from app.store.scans import add_results, scans, start_scan
from app.store.transfer_export import export_engagement
from app.store.transfer_import import import_engagement
from tests.store.conftest import ACCOUNT, assert_nothing_imported, result


def test_a_too_long_value_is_refused_on_every_back_end(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
    too_long = pytest.raises(InvalidInput, match=r"'owner' is 201 characters long; at most 200")
    with too_long, db.session() as session:
        set_control_state(session, session.merge(engagement), "nacls", actor="a", owner="o" * 201)
    with db.session() as session:
        assert control_states(session, session.merge(engagement)) == {}


def test_a_nul_character_is_refused_on_every_back_end(db: Database) -> None:
    with pytest.raises(InvalidInput, match="'notes' contains a NUL"), db.session() as session:
        create_engagement(session, "Acme", actor="a", notes="before\x00after")
    with db.session() as session:
        assert list_engagements(session) == []


def test_a_scan_result_that_cannot_be_kept_is_refused_whole(db: Database) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        scan = start_scan(session, engagement, account_id=ACCOUNT, actor="a")
    long_arn = "arn:aws:s3:::" + "b" * 2100
    rows = [result(), result(resource=long_arn)]
    too_long = pytest.raises(InvalidInput, match=r"result 2 of scan .*'resource' is 2113")
    with too_long, db.session() as session:
        add_results(session, session.merge(scan), rows)
    with db.session() as session:
        stored = scans(session, session.merge(engagement))
        assert [len(s.results) for s in stored] == [0]  # not one row of the two


def _export_with(db_path: Path, folder: Path, sql: str) -> Path:
    """An SQLite store's engagement, changed behind the app's back (an older version, a
    hand edit: SQLite keeps any length), then exported."""
    with open_database(db_path) as database, database.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor="ana")
        set_control_state(session, engagement, "backups", actor="ana", notes="weekly")
        add_attachment(session, engagement, "backups", name="plan.txt", content=b"x", actor="a")
    with sqlite3.connect(db_path) as connection:
        connection.execute(sql)
    target = folder / "acme.audit-binder"
    with open_database(db_path) as database, database.session() as session:
        engagement = list_engagements(session)[0]
        export_engagement(session, engagement, target, actor="ana")
    return target


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            f"UPDATE attachments SET original_name = '{'n' * 1500}.txt'",
            r"attachment 1, field 'original_name' is 1504 characters long; at most 1024 fit",
        ),
        (
            "UPDATE control_states SET notes = 'weekly' || char(0) || 'and monthly'",
            r"control state 1, field 'notes' contains a NUL character",
        ),
        (
            "UPDATE attachments SET size = 3000000000",
            r"attachment 1, field 'size' is 3000000000, beyond the largest whole number",
        ),
    ],
)
def test_import_names_what_a_postgresql_store_could_not_keep(
    db_path: Path, tmp_path: Path, laptop: Database, sql: str, message: str
) -> None:
    exported = _export_with(db_path, tmp_path, sql)
    with pytest.raises(TransferError, match=message), laptop.session() as session:
        import_engagement(session, exported, actor="carla")
    assert_nothing_imported(laptop)


def test_a_clean_sqlite_export_imports_whole(
    db_path: Path, tmp_path: Path, laptop: Database
) -> None:
    exported = _export_with(db_path, tmp_path, "UPDATE attachments SET description = 'ok'")
    with laptop.session() as session:
        copy = import_engagement(session, exported, actor="carla")
        assert control_states(session, copy)["backups"].notes == "weekly"
