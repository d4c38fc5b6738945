"""The shipped revisions: one linear chain, upgrades from nothing and back down, and the
models match head, on an SQLite file and on an empty PostgreSQL database alike; and every
earlier schema (a SQL dump per revision in `schemas/`, SQLite files) is carried to head."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from app.controls.control_status import ControlStatus
from app.paths import migrations_dir
from app.store.control_status import control_summaries
from app.store.database import make_engine, open_database
from app.store.decisions import Decision, decisions, set_decisions
from app.store.engagements import engagement_named
from app.store.location import StoreLocation
from app.store.migrate import alembic_config, head_revision, script_directory
from app.store.models import Base
from app.store.signoffs import verify_chain
from app.store.soa_approvals import soa_approvals
from tests.conftest import StoreBackend
from tests.postgres import PgServer
from tests.store.conftest import controls


def test_the_revision_chain_is_linear_with_a_single_head() -> None:
    script = script_directory()
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())  # head first
    assert revisions, "no revisions shipped"
    for newer, older in itertools.pairwise(revisions):
        assert newer.down_revision == older.revision
    assert revisions[-1].down_revision is None
    files = sorted(p.name for p in (migrations_dir() / "versions").glob("*.py"))
    assert len(files) == len(revisions), files


@pytest.fixture
def empty_store(store_backend: StoreBackend, tmp_path: Path) -> Iterator[StoreLocation]:
    """Nothing yet: no SQLite file, or a PostgreSQL database without any table."""
    if store_backend.server is None:
        yield StoreLocation(path=tmp_path / "store" / "audit-binder.sqlite3")
        return
    location = store_backend.server.new_store(empty=True)
    yield location
    store_backend.server.drop(location)


def _engine(location: StoreLocation, *, foreign_keys: bool = True) -> Engine:
    if location.is_server:
        return create_engine(location.connect_url())
    return make_engine(location.sqlite_path, foreign_keys=foreign_keys)


def _tables_and_version(location: StoreLocation) -> tuple[set[str], list[str]]:
    engine = _engine(location)
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        version = [
            r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))
        ]
    engine.dispose()
    return tables, version


def test_upgrade_from_empty_creates_every_model_table(empty_store: StoreLocation) -> None:
    open_database(empty_store).close()
    tables, version = _tables_and_version(empty_store)
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert version == [head_revision(script_directory())]


def test_the_models_match_the_head_revision(empty_store: StoreLocation) -> None:
    open_database(empty_store).close()
    engine = _engine(empty_store)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(empty_store: StoreLocation) -> None:
    open_database(empty_store).close()
    engine = _engine(empty_store, foreign_keys=False)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    left, _ = _tables_and_version(empty_store)
    assert left == {"alembic_version"}
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    engine.dispose()
    tables, version = _tables_and_version(empty_store)
    assert set(Base.metadata.tables) <= tables
    assert version == [head_revision(script_directory())]


def test_postgresql_gets_its_own_types(pg_server: PgServer) -> None:
    """Time zones, jsonb and bytea where PostgreSQL has them (SQLite has none of these)."""
    location = pg_server.new_store()
    engine = create_engine(location.connect_url())
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT table_name || '.' || column_name, data_type "
                    "FROM information_schema.columns WHERE table_schema = current_schema()"
                )
            )
            types = {str(name): str(kind) for name, kind in rows}
    finally:
        engine.dispose()
        pg_server.drop(location)
    assert types["sign_offs.signed_at"] == "timestamp with time zone"
    assert types["scans.finished_at"] == "timestamp with time zone"
    assert types["check_results.evidence"] == "jsonb"
    assert types["attachments.content"] == "bytea"
    naive = [c for c, t in types.items() if t == "timestamp without time zone"]
    assert naive == [], f"columns without a time zone: {naive}"


SCHEMAS = Path(__file__).parent / "schemas"


def _from_fixture(revision: str, path: Path) -> Path:
    """A database file as the app at `revision` wrote it (a SQL dump kept in the tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.executescript((SCHEMAS / f"{revision}.sql").read_text(encoding="utf-8"))
    connection.close()
    return path


def test_every_earlier_schema_fixture_upgrades_to_head(db_path: Path) -> None:
    fixtures = sorted(SCHEMAS.glob("*.sql"))
    assert fixtures, "no schema fixtures"
    head = head_revision(script_directory())
    known = {rev.revision for rev in script_directory().walk_revisions()}
    for fixture in fixtures:
        assert fixture.stem in known and fixture.stem != head, fixture.name
        path = _from_fixture(fixture.stem, db_path.with_name(f"{fixture.stem}.sqlite3"))
        database = open_database(path)
        assert database.revision == head and database.backup_path is not None
        database.close()


def test_an_engagement_from_0001_opens_with_every_criterion_undecided_and_nothing_lost(
    db_path: Path,
) -> None:
    path = _from_fixture("0001", db_path)
    with sqlite3.connect(path) as connection:
        before = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("accounts", "scans", "check_results", "control_states", "attachments",
                          "exceptions", "sign_offs", "audit_log")
        }  # fmt: skip
    connection.close()

    database = open_database(path)

    with database.session() as session:
        engagement = engagement_named(session, "Acme 2026")
        assert (engagement.client, engagement.notes) == ("Acme Ltd", "First audit")
        assert engagement.soc2_categories == ["security"]
        assert decisions(session, engagement) == {}
        assert soa_approvals(session, engagement) == []
        assert verify_chain(session, engagement).ok
        summaries = control_summaries(
            session, engagement, controls(["sg-inbound", "backups", "nacls"])
        )
        assert summaries["sg-inbound"].status == ControlStatus.SIGNED_OFF
        assert summaries["backups"].status == ControlStatus.SIGNED_OFF
        assert not summaries["nacls"].applicable
        # The upgraded engagement takes decisions like a new one.
        set_decisions(session, engagement, {"A.5.1": Decision(True, "legal")}, actor="ana")
    database.close()
    with sqlite3.connect(path) as connection:
        for table, rows in before.items():
            now = connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            # Later revisions may add columns at the end (scans.receipts: []).
            assert [row[: len(old)] for row, old in zip(now, rows, strict=False)] == rows, table
        receipts = connection.execute("SELECT receipts FROM scans").fetchall()
        exports = connection.execute("SELECT count(*) FROM binder_exports").fetchone()
    assert receipts == [("[]",)] * len(before["scans"]) and exports == (0,)
    connection.close()


def test_a_postgresql_store_at_every_earlier_revision_upgrades_to_head_with_its_data(
    pg_server: PgServer,
) -> None:
    """Each later revision, run on PostgreSQL over a store that has data in it."""
    head = head_revision(script_directory())
    earlier = [rev.revision for rev in script_directory().walk_revisions()][1:]
    assert earlier, "only one revision: nothing to upgrade from"
    for revision in earlier:
        location = pg_server.new_store(empty=True)
        try:
            engine = create_engine(location.connect_url())
            with engine.begin() as connection:
                command.upgrade(alembic_config(connection=connection), revision)
                connection.execute(
                    text(
                        "INSERT INTO engagements (name, client, frameworks, regions, settings, "
                        "notes, is_demo, created_at, updated_at) VALUES ('Acme', 'Acme Ltd', "
                        "'[]', '[]', '{}', '', false, now(), now())"
                    )
                )
            engine.dispose()
            with open_database(location, upgrade=True) as database:
                assert database.upgraded_from == (revision,) and database.revision == head
                with database.session() as session:
                    assert engagement_named(session, "Acme").client == "Acme Ltd"
        finally:
            pg_server.drop(location)
