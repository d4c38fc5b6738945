"""The ledger's arithmetic on plain values: tallies, failure spans, coverage gaps.

No database here: `app.services.ledger` gathers the points and attempts and calls
these, and the tests feed them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from app.controls.control_status import ControlStatus
from app.services.ledger_model import (
    Attempt,
    CoverageGap,
    FailureSpan,
    GapEdge,
    LedgerWindow,
    ScanPoint,
    Tally,
)
from app.store.schedule import ScanSchedule

UNSCHEDULED_GAP = timedelta(days=7)
# Statuses that end a failure span: it passes, or the failure was accepted meanwhile.
_CLOSING = (ControlStatus.PASSING, ControlStatus.EXCEPTION)


def gap_threshold(schedule: ScanSchedule | None) -> timedelta:
    """Longer than this without a complete scan is a gap: twice the schedule's interval,
    or 7 days when there is no schedule."""
    return UNSCHEDULED_GAP if schedule is None else 2 * schedule.interval


def tally(timeline: Sequence[ScanPoint]) -> Tally:
    counts = dict.fromkeys(ControlStatus, 0)
    for point in timeline:
        counts[point.status] += 1
    return Tally(
        scans=len(timeline),
        passed=counts[ControlStatus.PASSING],
        failed=counts[ControlStatus.FAILING],
        excepted=counts[ControlStatus.EXCEPTION],
        errors=counts[ControlStatus.ERROR],
        not_checked=counts[ControlStatus.NOT_CHECKED],
    )


def failure_spans(timeline: Sequence[ScanPoint]) -> tuple[FailureSpan, ...]:
    """Each run from a failing scan to the first passing scan after it (oldest first)."""
    spans: list[FailureSpan] = []
    first: ScanPoint | None = None
    last: ScanPoint | None = None
    failing = 0
    for point in timeline:
        if point.status is ControlStatus.FAILING:
            first = first or point
            last = point
            failing += 1
        elif first is not None and last is not None and point.status in _CLOSING:
            spans.append(FailureSpan(first, last, point, failing))
            first, last, failing = None, None, 0
    if first is not None and last is not None:
        spans.append(FailureSpan(first, last, None, failing))
    return tuple(spans)


def _gap(start: datetime, end: datetime, edge: GapEdge, attempts: Sequence[Attempt]) -> CoverageGap:
    inside = [a for a in attempts if start <= a.at < end]
    last_error = next((a.error for a in reversed(inside) if a.error), "")
    return CoverageGap(start, end, edge, len(inside), last_error)


def coverage_gaps(
    times: Sequence[datetime],
    window: LedgerWindow,
    threshold: timedelta,
    attempts: Sequence[Attempt] = (),
) -> tuple[CoverageGap, ...]:
    """Stretches longer than `threshold` without a complete scan, edges included.

    `times`: the complete scans' start times inside the window, oldest first. The start
    edge exists only with a period start; the end edge runs to `window.until`. A window
    that has not started yet has no gaps.
    """
    until = window.until
    if window.start is not None and until <= window.start:
        return ()
    ordered = sorted(attempts, key=lambda a: a.at)
    if not times:
        if window.start is not None and until - window.start > threshold:
            return (_gap(window.start, until, GapEdge.WHOLE, ordered),)
        return ()
    gaps: list[CoverageGap] = []
    if window.start is not None and times[0] - window.start > threshold:
        gaps.append(_gap(window.start, times[0], GapEdge.START, ordered))
    for before, after in pairwise(times):
        if after - before > threshold:
            gaps.append(_gap(before, after, GapEdge.BETWEEN, ordered))
    if until - times[-1] > threshold:
        gaps.append(_gap(times[-1], until, GapEdge.END, ordered))
    return tuple(gaps)
