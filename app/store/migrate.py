"""The migration runner: Alembic driven from code, against the shipped `migrations/`.

No alembic.ini and nothing relative to the working directory: the script location
comes from `app.paths.migrations_dir()` (source tree, wheel or bundle), and the
connection is handed to `migrations/env.py` through `Config.attributes`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.paths import migrations_dir
from app.store.errors import StoreError


def alembic_config(
    script_location: Path | None = None, connection: Connection | None = None
) -> Config:
    """A Config built in code; `connection`, when given, is the one env.py migrates."""
    location = script_location or migrations_dir()
    if not (location / "env.py").is_file():
        raise StoreError(
            f"The database migrations are missing from this installation ({location}). "
            "Reinstall Audit Binder."
        )
    config = Config()
    config.set_main_option("script_location", str(location))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory(script_location: Path | None = None) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(script_location))


def head_revision(script: ScriptDirectory) -> str:
    """The single head; several heads would be a packaging bug, not a user problem."""
    heads = script.get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


def known_revisions(script: ScriptDirectory) -> set[str]:
    return {rev.revision for rev in script.walk_revisions()}


def current_revisions(connection: Connection) -> tuple[str, ...]:
    return MigrationContext.configure(connection).get_current_heads()


def upgrade_to_head(connection: Connection, script_location: Path | None = None) -> None:
    """Upgrade the schema on `connection` (inside its transaction) to head."""
    command.upgrade(alembic_config(script_location, connection), "head")


def autogenerate_revision(message: str, database_url: str, rev_id: str | None = None) -> None:
    """Developer helper: write a new revision from the difference between models and head.

    `database_url` must point at a database already at head, e.g. a scratch file
    opened with `open_database` first.
    """
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.begin() as connection:
        config = alembic_config(connection=connection)
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    engine.dispose()
