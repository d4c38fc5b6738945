"""A scan's state: the one vocabulary the store, the scan engine, the services, the UI, the
binder and the result document (`scan.state`, docs/scan-result.schema.json) share.

The values are what the `scans.state` column holds (and the document says); code compares
and passes the members, never their strings.
"""

from __future__ import annotations

from enum import StrEnum


class ScanState(StrEnum):
    # Under way (or its process died: the store marks it incomplete on next open).
    RUNNING = "running"
    # Every chosen control was checked and stored: only these count towards a status.
    COMPLETE = "complete"
    # Interrupted or cancelled: the rows of the controls checked before it stopped.
    INCOMPLETE = "incomplete"
    # Could not run; `error` says why. No results.
    FAILED = "failed"
    # Only in a result document, never a stored scan's: the database would not take the
    # results and the document is the rescue file.
    NOT_STORED = "not stored"


# How a running scan can end (`app.store.scans.finish_scan`).
FINAL_STATES = (ScanState.COMPLETE, ScanState.INCOMPLETE, ScanState.FAILED)
