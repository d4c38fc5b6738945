"""Rescue files: a finished scan's results that the database would not take.

They are written beside the database as `<db stem>.unsaved-scan-<scan id>-<UTC>.json`
(the scan's result document); for a team store (a server) in the user's data folder, as
`team-store-<host>-<database>-<hash>.unsaved-scan-<scan id>-<UTC>.json`. The scan id in
the name lets the next open of the database name the file in the scan's stored reason,
even when the database refused that last write too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.store.location import StoreLocation


def rescue_path(store: StoreLocation, scan_id: int, at: datetime) -> Path:
    stem = store.rescue_stem()
    return stem.with_name(f"{stem.name}.unsaved-scan-{scan_id}-{at:%Y%m%dT%H%M%SZ}.json")


def find_rescue(store: StoreLocation, scan_id: int) -> Path | None:
    """The newest rescue file of scan `scan_id` of `store`, if any."""
    stem = store.rescue_stem()
    found = sorted(stem.parent.glob(f"{stem.name}.unsaved-scan-{scan_id}-*.json"))
    return found[-1] if found else None


def rescue_reason(path: Path) -> str:
    """The scan's stored reason once its results went to `path` instead."""
    return (
        f"Not stored: the database would not take this scan's results; they were saved to "
        f"{path}. The scan does not count; scan again to store one."
    )
