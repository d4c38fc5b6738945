"""Scan history as the app shows it: every scan of an engagement, and what changed in one
since the scan before it (what both covered). No Qt; each function opens its own
short-lived session on the `Database` it is given."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from app.controls.results import Status
from app.scan.compare import common_scope, not_compared
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import Database
from app.store.models import ResultRow, Scan
from app.store.scan_state import ScanState

Key = tuple[str, str, str, str, str]  # account, control, check, region, resource


@dataclass(frozen=True)
class ScanLine:
    id: int
    account_id: str
    started_at: datetime
    finished_at: datetime | None
    state: ScanState
    regions: int
    controls: str
    counts: dict[Status, int]
    error: str


@dataclass(frozen=True)
class Change:
    control: str
    check: str
    region: str
    resource: str
    before: str  # status, or "" when the row is new
    after: str  # status, or "" when the resource is gone


def _key(row: ResultRow) -> Key:
    return (row.account_id, row.control_id, row.check_id, row.region, row.resource)


def _line(scan: Scan) -> ScanLine:
    counts = Counter(Status(row.status) for row in scan.results)
    return ScanLine(
        id=scan.id,
        account_id=scan.account_id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state=scan.state,
        regions=len(scan.regions or ()),
        controls=", ".join(scan.controls) if scan.controls else "all",
        counts=dict(counts),
        error=scan.error,
    )


def scan_lines(db: Database, engagement_id: int) -> list[ScanLine]:
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        return [_line(scan) for scan in scan_store.scans(session, engagement)]


def changes_since_previous(
    db: Database, engagement_id: int, scan_id: int
) -> tuple[int | None, list[Change], list[str]]:
    """Rows whose status differs from the previous complete scan of the same account.

    Only what both scans covered is compared (a one-control scan says nothing about the
    other ten, a region scanned once nothing about its resources). Returns (previous
    scan id or None, changes, sentences saying what was not compared).
    """
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        history = scan_store.scans(session, engagement)  # newest first
        chosen = next((s for s in history if s.id == scan_id), None)
        if chosen is None:
            return None, [], []
        older = [
            s
            for s in history
            if s.state == ScanState.COMPLETE
            and s.account_id == chosen.account_id
            and (s.started_at, s.id) < (chosen.started_at, chosen.id)
        ]
        previous = older[0] if older else None
        if previous is None:
            return None, [], []
        scope = common_scope(previous, chosen)
        before = {
            _key(r): r.status for r in previous.results if scope.compares(r.control_id, r.region)
        }
        after = {
            _key(r): r.status for r in chosen.results if scope.compares(r.control_id, r.region)
        }
        changes = [
            Change(key[1], key[2], key[3], key[4], before.get(key, ""), after.get(key, ""))
            for key in sorted(before.keys() | after.keys(), key=lambda k: k[1:])
            if before.get(key, "") != after.get(key, "")
        ]
        return previous.id, changes, not_compared(scope)
