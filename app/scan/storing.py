"""Closing a scan in the store: results and final state in one transaction.

Nothing is lost: a finished scan whose results the DB will not take (locked by another
program past the busy timeout, disk full, read-only, server unreachable) is retried,
then written as a result document beside the DB file (for a server store: in the user's
data folder, named after the store), and the error names that file.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from app.controls.results import CheckResult
from app.scan.document import write_document
from app.store import scans as scan_store
from app.store.database import Database
from app.store.errors import DatabaseLocked, StoreError
from app.store.models import Scan

STORE_ATTEMPTS = 3
STORE_RETRY_PAUSE_S = 2.0


class ScanNotStored(StoreError):
    """The scan ran, but the DB would not take its results; they were saved to a file."""


def finish(
    db: Database,
    scan_id: int,
    state: str,
    actor: str,
    *,
    results: Sequence[CheckResult] = (),
    skipped: Sequence[str] = (),
    error: str = "",
) -> datetime:
    """Store the results and the final state in one transaction; the finish time."""
    with db.session() as session:
        scan = session.get(Scan, scan_id)
        if scan is None:  # deleted meanwhile (engagement removed): nothing to close
            return datetime.now(UTC)
        if results:
            scan_store.add_results(session, scan, results)
        scan_store.finish_scan(
            session, scan, state, actor=actor, skipped_regions=skipped, error=error
        )
        return scan.finished_at or datetime.now(UTC)


def store_complete(
    db: Database,
    scan_id: int,
    actor: str,
    results: Sequence[CheckResult],
    *,
    skipped: Sequence[str],
    document: Callable[[], dict[str, Any]],
) -> datetime:
    """`finish` as complete, retried while the DB is locked; on failure the results go to
    a file beside the DB (`document()` builds it) and `ScanNotStored` names it."""
    problem: StoreError = DatabaseLocked("the database stayed locked")
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            return finish(db, scan_id, scan_store.COMPLETE, actor, results=results, skipped=skipped)
        except DatabaseLocked as exc:
            problem = exc
            if attempt < STORE_ATTEMPTS:
                time.sleep(STORE_RETRY_PAUSE_S)
        except StoreError as exc:
            problem = exc
            break
    rescue = db.location.rescue_file("unsaved-scan")
    write_document(document(), rescue)
    # Best effort: the DB may still refuse; then the next open marks the scan incomplete.
    with contextlib.suppress(StoreError):
        finish(db, scan_id, scan_store.INCOMPLETE, actor, error=f"Results saved to {rescue}")
    raise ScanNotStored(
        f"The scan finished but could not be stored ({problem}); its {len(results)} results "
        f"were saved to {rescue}. The scan stays incomplete in the database."
    ) from problem
