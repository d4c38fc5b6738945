"""Rescue files: a finished scan's results that the database would not take.

They are written beside the database as `<db stem>.unsaved-scan-<scan id>-<UTC>.json`
(the scan's result document). The scan id in the name lets the next open of the
database name the file in the scan's stored reason, even when the database refused
that last write too.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def rescue_path(db_path: Path, scan_id: int, at: datetime) -> Path:
    return db_path.with_name(f"{db_path.stem}.unsaved-scan-{scan_id}-{at:%Y%m%dT%H%M%SZ}.json")


def find_rescue(db_path: Path, scan_id: int) -> Path | None:
    """The newest rescue file of scan `scan_id` beside `db_path`, if any."""
    found = sorted(db_path.parent.glob(f"{db_path.stem}.unsaved-scan-{scan_id}-*.json"))
    return found[-1] if found else None


def rescue_reason(path: Path) -> str:
    """The scan's stored reason once its results went to `path` instead."""
    return (
        f"Not stored: the database would not take this scan's results; they were saved to "
        f"{path}. The scan does not count; scan again to store one."
    )
