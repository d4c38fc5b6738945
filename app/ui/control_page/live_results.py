"""Results of a running scan, before they are stored: what the checklist and the control page
show meanwhile ("provisional"), derived the way the store will derive them.

The engine hands each control's `CheckResult`s over as soon as they are known (plain
frozen values, queued to the GUI thread by `ScanController.results_arrived`). The
status follows the store's rules 3-6 (`app.store.control_status`) on those rows, with
the engagement's active exceptions read in a short session on the GUI thread; a
sign-off's fate (signed off / stale) is only known once the scan is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.controls.control_status import ControlStatus
from app.controls.results import CheckResult, Status
from app.services.control_model import ResultLine
from app.store.engagements import get_engagement
from app.store.risk import active_exceptions, matching_exception, today_utc

SCANNING_SUFFIX = " (scanning…)"


@dataclass(frozen=True)
class LiveControl:
    """One control's provisional status and rows, as plain values."""

    control_id: str
    status: ControlStatus
    lines: tuple[ResultLine, ...]


def live_control(
    session: Session, engagement_id: int, control_id: str, rows: Sequence[CheckResult]
) -> LiveControl:
    """The status and table rows `rows` will give once stored (exceptions applied)."""
    engagement = get_engagement(session, engagement_id)
    today = today_utc()
    exceptions = active_exceptions(session, engagement, today, control_id=control_id)
    lines = tuple(
        _line(
            index,
            row,
            accepted=row.status == Status.FAIL
            and matching_exception(exceptions, control_id, row.resource, today) is not None,
        )
        for index, row in enumerate(rows)
    )
    return LiveControl(control_id, _status(lines), lines)


def _status(lines: Sequence[ResultLine]) -> ControlStatus:
    statuses = {line.status for line in lines if not line.accepted}
    if not lines:
        return ControlStatus.NOT_CHECKED
    if Status.FAIL in statuses:
        return ControlStatus.FAILING
    if Status.ERROR in statuses:
        return ControlStatus.ERROR
    if any(line.accepted for line in lines):
        return ControlStatus.EXCEPTION
    return ControlStatus.PASSING


def _line(index: int, row: CheckResult, *, accepted: bool) -> ResultLine:
    return ResultLine(
        # Not stored yet: no row or scan id. Negative ids never match a stored row.
        row_id=-(index + 1),
        scan_id=0,
        check_id=row.check,
        status=row.status,
        region=row.region,
        resource=row.resource,
        detail=row.detail,
        account_id=row.account_id,
        collected_at=max((e.collected_at for e in row.evidence), default=None),
        evidence=tuple(row.evidence),
        evidence_loaded=True,  # in hand already: nothing to read from the store
        accepted=accepted,
        provisional=True,
    )
