"""The shipped revisions: one linear chain, upgrades from nothing, matches the models."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.paths import migrations_dir
from app.store.database import make_engine, open_database
from app.store.migrate import alembic_config, head_revision, script_directory
from app.store.models import Base


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
