"""Closing a scan in the store: results and final state in one transaction.

Nothing is lost: a scan whose results the DB will not take (locked by another program
past the busy timeout, disk full, read-only, a team store's server unreachable) is
retried, then written as a result document beside the DB file, or for a team store in
the user's data folder (`app.store.rescue`), and the error names that file.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.aws.receipts import CallReceipt
from app.controls.results import CheckResult
from app.scan.document import write_document
from app.store import scans as scan_store
from app.store.database import Database
from app.store.errors import DatabaseLocked, StoreError
from app.store.models import Scan
from app.store.rescue import rescue_path, rescue_reason
from app.store.scan_state import ScanState

STORE_ATTEMPTS = 3
STORE_RETRY_PAUSE_S = 2.0


class ScanNotStored(StoreError):
    """The scan ran, but the DB would not take its results; they were saved to a file.

    `rescue` is that file and `document` what it holds (the `scan --json` document)."""

    def __init__(self, message: str, rescue: Path, document: dict[str, Any]) -> None:
        super().__init__(message)
        self.rescue = rescue
        self.document = document


def finish(
    db: Database,
    scan_id: int,
    state: ScanState,
    actor: str,
    *,
    results: Sequence[CheckResult] = (),
    skipped: Sequence[str] = (),
    error: str = "",
    receipts: Sequence[CallReceipt] = (),
) -> datetime:
    """Store the results, the call receipts and the final state in one transaction; the
    finish time."""
    with db.session() as session:
        scan = session.get(Scan, scan_id)
        if scan is None:  # deleted meanwhile (engagement removed): nothing to close
            return datetime.now(UTC)
        if results:
            scan_store.add_results(session, scan, results)
        scan_store.finish_scan(
            session,
            scan,
            state,
            actor=actor,
            skipped_regions=skipped,
            error=error,
            receipts=[receipt.to_json() for receipt in receipts],
        )
        return scan.finished_at or datetime.now(UTC)


def store_final(
    db: Database,
    scan_id: int,
    actor: str,
    results: Sequence[CheckResult],
    *,
    state: ScanState = ScanState.COMPLETE,
    skipped: Sequence[str],
    error: str = "",
    receipts: Sequence[CallReceipt] = (),
    document: Callable[[str], dict[str, Any]],
) -> datetime:
    """`finish` in `state`, retried while the DB is locked. When it will not take them,
    the results go to a rescue file beside the DB (`document(reason)` builds it) and
    `ScanNotStored` names it; with no results there is nothing to rescue and the store's
    error is raised as it is."""
    problem: StoreError = DatabaseLocked("the database stayed locked")
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            return finish(
                db,
                scan_id,
                state,
                actor,
                results=results,
                skipped=skipped,
                error=error,
                receipts=receipts,
            )
        except DatabaseLocked as exc:
            problem = exc
            if attempt < STORE_ATTEMPTS:
                time.sleep(STORE_RETRY_PAUSE_S)
        except StoreError as exc:
            problem = exc
            break
    if not results:
        raise problem
    rescue = rescue_path(db.location, scan_id, datetime.now(UTC))
    reason = rescue_reason(rescue)
    rescued = document(reason)
    write_document(rescued, rescue)
    # Best effort: the DB may still refuse; then its next open names the file (the scan
    # id is in the name) when it marks the scan incomplete.
    with contextlib.suppress(StoreError):
        finish(
            db,
            scan_id,
            ScanState.INCOMPLETE,
            actor,
            skipped=skipped,
            error=reason,
            receipts=receipts,
        )
    raise ScanNotStored(
        f"The scan's {len(results)} results could not be stored ({problem}); they were saved "
        f"to {rescue}. The scan stays incomplete in the database.",
        rescue,
        rescued,
    ) from problem
