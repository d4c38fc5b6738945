"""The shipped revisions: one linear chain, upgrades from nothing, matches the models,
and carries every earlier schema (a SQL dump per revision in `schemas/`) to head."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.paths import migrations_dir
from app.store.control_status import ControlStatus, control_summaries
from app.store.database import make_engine, open_database
from app.store.decisions import Decision, decisions, set_decisions
from app.store.engagements import engagement_named
from app.store.migrate import alembic_config, head_revision, script_directory
from app.store.models import Base
from app.store.signoffs import verify_chain
from app.store.soa_approvals import soa_approvals


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


def test_upgrade_from_empty_creates_every_model_table(db_path: Path) -> None:
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert version == [(head_revision(script_directory()),)]


def test_the_models_match_the_head_revision(db_path: Path) -> None:
    open_database(db_path).close()
    engine = make_engine(db_path)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(db_path: Path) -> None:
    open_database(db_path).close()
    engine = make_engine(db_path, foreign_keys=False)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    with sqlite3.connect(db_path) as connection:
        left = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert left == {"alembic_version"}
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    engine.dispose()
    with sqlite3.connect(db_path) as connection:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert set(Base.metadata.tables) <= tables


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
        summaries = control_summaries(session, engagement, ["sg-inbound", "backups", "nacls"])
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
