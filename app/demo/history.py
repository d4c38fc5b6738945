"""The demo's scan history: weekly scans across its audit period, generated for the demo.

Only today's scan is run against the (fake) AWS account. The earlier ones are copies of
its result rows stored through the store's own API with past dates, so the period
ledger, the control page's timeline and the binder have a history to show:
`password-policy` (passing today) failed for three weeks, and two scheduled scans in a
row failed because the sign-in had expired (a gap in coverage). The engagement records
a weekly schedule. The demo's notes say the history is generated.

`scan_rows` and `store_past_scan` are also what `bench/ledger.py` builds its year of
daily scans with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.controls.results import Status
from app.evidence import iso_utc
from app.store.models import Engagement, ResultRow, Scan
from app.store.scan_state import ScanState
from app.store.scans import finish_scan, insert_result_rows, start_scan
from app.store.schedule import Every, ScanSchedule, set_engagement_schedule

HISTORY_NOTE = (
    "The scans before today's are generated for the demo: copies of today's scan with "
    "earlier dates (weekly, Mondays 06:30 UTC), not scans of any account. In them "
    "password-policy failed for three weeks, and two scheduled scans failed (the sign-in "
    "had expired)."
)
FIXED_CONTROL = "password-policy"
FAILING_WEEKS = range(6, 9)  # weeks from the period's start in which it failed
FAILED_WEEKS = (14, 15)  # the scheduled scan could not sign in
EXPIRED = "the IAM Identity Center session is missing or expired"
_SKIPPED = frozenset({"id", "scan_id"})

RowChange = Callable[[dict[str, Any]], dict[str, Any]]


def scan_rows(session: Session, scan_id: int) -> list[dict[str, Any]]:
    """A stored scan's result rows as column values (no ids), for copies of it."""
    table = ResultRow.__table__
    columns = [c for c in table.columns if c.name not in _SKIPPED]
    found = session.execute(select(*columns).where(table.c.scan_id == scan_id).order_by(table.c.id))
    return [dict(row._mapping) for row in found]


def _dated(
    rows: Iterable[dict[str, Any]], at: datetime, change: RowChange
) -> Iterator[dict[str, Any]]:
    stamp = iso_utc(at)
    for row in rows:
        evidence = [dict(item, collected_at=stamp) for item in row.get("evidence") or []]
        yield change(dict(row, collected_at=at, evidence=evidence))


def store_past_scan(
    session: Session,
    engagement: Engagement,
    source: Scan,
    rows: list[dict[str, Any]],
    at: datetime,
    *,
    actor: str,
    change: RowChange = lambda row: row,
    error: str = "",
) -> Scan:
    """A scan like `source` (account, caller, regions, controls) started at `at`: with
    `rows` dated then (each through `change`), or failed with `error` and no rows."""
    scan = start_scan(
        session,
        engagement,
        account_id=source.account_id,
        actor=actor,
        caller_arn=source.caller_arn,
        regions=source.regions,
        controls=source.controls,
        app_version=source.app_version,
    )
    if error:
        finish_scan(session, scan, ScanState.FAILED, actor=actor, error=error)
    else:
        insert_result_rows(session, scan, list(_dated(rows, at, change)))
        finish_scan(session, scan, actor=actor, skipped_regions=source.skipped_regions)
    scan.started_at = at
    scan.finished_at = at + timedelta(seconds=40)
    session.flush()
    return scan


def _password_policy_weakened(row: dict[str, Any]) -> dict[str, Any]:
    if row["control_id"] != FIXED_CONTROL or row["status"] != Status.PASS:
        return row
    return dict(
        row,
        status=Status.FAIL,
        detail="The password policy asks for 8 characters (CIS: at least 14) and does not "
        "block reuse. (Generated demo history.)",
    )


def add_demo_history(
    session: Session, engagement: Engagement, source_id: int, *, actor: str, today: date
) -> int:
    """Weekly copies of scan `source_id` from the audit period's first Monday to before
    `today`; the number of scans added."""
    source = session.get(Scan, source_id)
    if source is None or engagement.period_start is None:
        return 0
    rows = scan_rows(session, source_id)
    first = engagement.period_start + timedelta(days=-engagement.period_start.weekday() % 7)
    added, week = 0, 0
    while (day := first + timedelta(weeks=week)) < today:
        at = datetime.combine(day, time(6, 30), source.started_at.tzinfo)
        change = _password_policy_weakened if week in FAILING_WEEKS else (lambda row: row)
        error = EXPIRED if week in FAILED_WEEKS else ""
        store_past_scan(
            session, engagement, source, rows, at, actor=actor, change=change, error=error
        )
        added, week = added + 1, week + 1
    set_engagement_schedule(
        session, engagement, ScanSchedule(Every.WEEKLY, time(6, 30)), actor=actor
    )
    return added
