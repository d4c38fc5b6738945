"""Alembic environment for the Audit Binder store.

The app runs migrations itself (`app.store.migrate`) and hands over a live connection
in `config.attributes["connection"]`; no alembic.ini and no reliance on the working
directory. `render_as_batch` because SQLite can only alter tables by copying them
(on PostgreSQL, batch operations are plain ALTER TABLE statements). Every revision
runs on both back ends: the test suite migrates an empty PostgreSQL database too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from alembic import context
from sqlalchemy import Connection, create_engine

from app.store.models import Base, UtcDateTime

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Revisions must not import the live models (they change later): UTC columns are
    # `timestamp with time zone` on PostgreSQL and DATETIME in SQLite; the naive-UTC
    # handling for SQLite lives in the model type.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **options,
    )


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()


def run_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
