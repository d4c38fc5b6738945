"""Scans and their results. Append-only: a scan is started, filled, then finished once.

"Latest results" are what the checklist, the sign-off hash and the binder all show:
per account and control, the rows of the newest *complete* scan that covered that
control. Incomplete and failed scans stay in the history but never count.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app import __version__
from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.store.audit import SYSTEM_ACTOR, record
from app.store.errors import InvalidInput
from app.store.limits import check_values
from app.store.models import Engagement, ResultRow, Scan
from app.store.rescue import rescue_reason
from app.store.scan_state import FINAL_STATES, ScanState


def this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_scan(
    session: Session,
    engagement: Engagement,
    *,
    account_id: str,
    actor: str,
    caller_arn: str = "",
    regions: Iterable[str] = (),
    controls: Iterable[str] = (),
    app_version: str = __version__,
) -> Scan:
    """Record a scan as running. `controls` empty means it covers every control."""
    scan = Scan(
        engagement_id=engagement.id,
        account_id=account_id,
        caller_arn=caller_arn,
        regions=list(regions),
        controls=list(controls),
        app_version=app_version,
        state=ScanState.RUNNING,
        runner=this_runner(),
        started_at=datetime.now(UTC),
    )
    session.add(scan)
    session.flush()
    record(
        session,
        actor=actor,
        action="scan.start",
        target=account_id,
        engagement=engagement,
        detail={"scan": scan.id, "caller_arn": caller_arn, "regions": scan.regions},
    )
    return scan


def _row_values(scan: Scan, result: CheckResult) -> dict[str, Any]:
    if not result.control or not result.check:
        raise InvalidInput("A result needs a control and a check id.")
    status = Status(result.status)
    times = [e.collected_at for e in result.evidence]
    return {
        "scan_id": scan.id,
        "control_id": result.control,
        "check_id": result.check,
        "account_id": result.account_id or scan.account_id,
        "region": result.region,
        "resource": result.resource,
        "status": status.value,
        "detail": result.detail,
        "evidence": [e.to_json() for e in result.evidence],
        "collected_at": max(times) if times else datetime.now(UTC),
    }


def insert_result_rows(session: Session, scan: Scan, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert (one executemany; a scan has thousands of rows), then forget the cache."""
    for number, row in enumerate(rows, start=1):  # a Core insert: no flush hook sees it
        check_values(ResultRow, row, f"result {number} of scan #{scan.id}")
    if rows:
        session.execute(insert(ResultRow), [dict(row, scan_id=scan.id) for row in rows])
    session.expire(scan, ["results"])


def add_results(session: Session, scan: Scan, results: Sequence[CheckResult]) -> int:
    """Append results to a running scan (finished scans are never changed); the count."""
    if scan.state != ScanState.RUNNING:
        raise InvalidInput(
            f"Scan #{scan.id} is {scan.state}; results can only be added while it runs."
        )
    insert_result_rows(session, scan, [_row_values(scan, result) for result in results])
    return len(results)


def finish_scan(
    session: Session,
    scan: Scan,
    state: ScanState = ScanState.COMPLETE,
    *,
    actor: str,
    skipped_regions: Iterable[str] = (),
    error: str = "",
    receipts: Iterable[dict[str, Any]] = (),
) -> Scan:
    """Close a running scan as complete, incomplete or failed. `receipts`: what each API
    call returned as received (`app.aws.receipts.CallReceipt.to_json`)."""
    if state not in FINAL_STATES:
        raise InvalidInput(f"A scan finishes as one of {', '.join(FINAL_STATES)}, not '{state}'.")
    if scan.state != ScanState.RUNNING:
        raise InvalidInput(f"Scan #{scan.id} already finished ({scan.state}).")
    scan.state = state
    scan.finished_at = datetime.now(UTC)
    scan.skipped_regions = list(skipped_regions)
    scan.error = error
    scan.receipts = list(receipts)
    session.flush()
    count = session.scalar(select(func.count()).where(ResultRow.scan_id == scan.id)) or 0
    record(
        session,
        actor=actor,
        action="scan.finish",
        target=scan.account_id,
        engagement=scan.engagement,
        detail={"scan": scan.id, "state": state, "results": count, "error": error},
    )
    return scan


def scans(session: Session, engagement: Engagement) -> list[Scan]:
    """Every scan of the engagement, newest first."""
    return list(
        session.scalars(
            select(Scan)
            .where(Scan.engagement_id == engagement.id)
            .order_by(Scan.started_at.desc(), Scan.id.desc())
        )
    )


def latest_complete_scan(session: Session, engagement: Engagement, account_id: str) -> Scan | None:
    return session.scalar(
        select(Scan)
        .where(
            Scan.engagement_id == engagement.id,
            Scan.account_id == account_id,
            Scan.state == ScanState.COMPLETE,
        )
        .order_by(Scan.started_at.desc(), Scan.id.desc())
        .limit(1)
    )


def _covers(scan: Scan, control_id: str) -> bool:
    return not scan.controls or control_id in scan.controls


def latest_scans_per_control(
    session: Session, engagement: Engagement, control_ids: Iterable[str]
) -> dict[str, list[Scan]]:
    """Per control: for each account, the newest complete scan that covered it."""
    complete = [s for s in scans(session, engagement) if s.state == ScanState.COMPLETE]
    chosen: dict[str, list[Scan]] = {}
    for control_id in control_ids:
        per_account: dict[str, Scan] = {}
        for scan in complete:
            if scan.account_id not in per_account and _covers(scan, control_id):
                per_account[scan.account_id] = scan
        chosen[control_id] = sorted(per_account.values(), key=lambda s: s.account_id)
    return chosen


@dataclass(frozen=True, slots=True)
class ResultFacts:
    """A result row without its evidence: enough for statuses, counts and hashes."""

    scan_id: int
    account_id: str
    control_id: str
    check_id: str
    region: str
    resource: str
    status: str
    detail: str
    collected_at: datetime


def _latest_selection(
    session: Session, engagement: Engagement, wanted: list[str]
) -> set[tuple[int, str]]:
    per_control = latest_scans_per_control(session, engagement, wanted)
    return {(scan.id, control_id) for control_id, chosen in per_control.items() for scan in chosen}


def latest_results(
    session: Session, engagement: Engagement, control_ids: Iterable[str]
) -> dict[str, list[ResultRow]]:
    """Per control, the rows (with evidence) of its latest complete scans, stable order."""
    wanted = list(control_ids)
    pairs = _latest_selection(session, engagement, wanted)
    rows: dict[str, list[ResultRow]] = {control_id: [] for control_id in wanted}
    if not pairs:
        return rows
    query = (
        select(ResultRow)
        .where(ResultRow.scan_id.in_({scan_id for scan_id, _ in pairs}))
        .where(ResultRow.control_id.in_(wanted))
        .order_by(ResultRow.id)
    )
    for row in session.scalars(query):
        if (row.scan_id, row.control_id) in pairs:
            rows[row.control_id].append(row)
    return rows


def latest_facts(
    session: Session, engagement: Engagement, control_ids: Iterable[str]
) -> dict[str, list[ResultFacts]]:
    """`latest_results` without evidence or ORM objects: what statuses need, fast."""
    wanted = list(control_ids)
    pairs = _latest_selection(session, engagement, wanted)
    facts: dict[str, list[ResultFacts]] = {control_id: [] for control_id in wanted}
    if not pairs:
        return facts
    columns = [getattr(ResultRow, item.name) for item in fields(ResultFacts)]
    query = (
        select(*columns)
        .where(ResultRow.scan_id.in_({scan_id for scan_id, _ in pairs}))
        .where(ResultRow.control_id.in_(wanted))
        .order_by(ResultRow.id)
    )
    for values in session.execute(query):
        fact = ResultFacts(*values)
        if (fact.scan_id, fact.control_id) in pairs:
            facts[fact.control_id].append(fact)
    return facts


def to_check_result(row: ResultRow) -> CheckResult:
    """A stored row back as the shared result contract (for the binder and JSON)."""
    return CheckResult(
        control=row.control_id,
        check=row.check_id,
        region=row.region,
        resource=row.resource,
        status=Status(row.status),
        detail=row.detail,
        account_id=row.account_id,
        evidence=tuple(Evidence.from_json(item) for item in row.evidence),
    )


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _runner_alive(runner: str) -> bool:
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _process_alive(int(pid))


def mark_interrupted_scans(
    session: Session,
    alive: Callable[[str], bool] | None = None,
    rescued: Callable[[int], Path | None] = lambda scan_id: None,
) -> list[Scan]:
    """Scans still "running" whose process is gone become "incomplete" (rows kept).

    `alive(runner)` says whether the `host:pid` that runs a scan is still there; by
    default this machine's process table (a server store asks the server instead).
    `rescued(scan_id)`: the file its results were saved to when the database would not
    take them (`app.store.rescue`); the reason then names it.
    """
    still_there = alive or _runner_alive
    interrupted = [
        scan
        for scan in session.scalars(select(Scan).where(Scan.state == ScanState.RUNNING))
        if not still_there(scan.runner)
    ]
    for scan in interrupted:
        scan.state = ScanState.INCOMPLETE
        rescue = rescued(scan.id)
        scan.error = (
            rescue_reason(rescue)
            if rescue is not None
            else "Interrupted: the app stopped before this scan finished. Its results are "
            "kept but do not count; run the checks again."
        )
        record(
            session,
            actor=SYSTEM_ACTOR,
            action="scan.interrupted",
            target=scan.account_id,
            engagement=scan.engagement,
            detail={"scan": scan.id, "runner": scan.runner},
        )
    session.flush()
    return interrupted
