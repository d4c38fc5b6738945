"""Optimistic edits: a row changed by someone else since it was read is refused, never
overwritten. Versioned rows (`updated_at` as SQLAlchemy's version column) make every
UPDATE carry the version it read; these helpers turn a refusal into `EditConflict`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.store.errors import EditConflict


def flush_or_conflict(session: Session, conflict: Callable[[], EditConflict]) -> None:
    """Flush; when another writer got there first (the row changed, or the same new row
    was created meanwhile) raise `conflict()`, leaving the session's transaction usable."""
    with session.no_autoflush:  # the flush must happen inside the savepoint, below
        savepoint = session.begin_nested()
    try:
        session.flush()
    except (StaleDataError, IntegrityError) as error:
        savepoint.rollback()
        raise conflict() from error
    savepoint.commit()
