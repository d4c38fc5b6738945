"""The period ledger: how each control and check fared across the scans of the audit period.

`build_ledger(session, engagement)` reads the engagement's scans and the *status counts*
of their result rows (one aggregated query, no ORM objects, no evidence), and computes
per account, per control and per check: the scans counted, how many passed, failure
spans, coverage gaps and a sentence (`app.services.ledger_model` documents the terms).

What counts:
- only *complete* scans started inside the window: the audit period (its first day
  00:00 UTC to the end of its last day), or every scan when no period is set (the
  ledger says so); failed and incomplete scans are never scans here, they are attempts
  named in the coverage gaps they fall in;
- a scan counts for a control when it covered it (a scan of all controls, or of that
  one); its status in that scan follows the checklist's rules (`check_status`): a FAIL
  row an exception covered *on the scan's day* is excused, an ERROR row is never a pass,
  a covered control with no rows at all is NOT_CHECKED;
- accounts: every account in the engagement's scope plus every account its scans name,
  each on its own (an account in scope that was never scanned is one whole-period gap).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.controls.checks import CHECK_IDS, CHECKS
from app.controls.results import Status
from app.services.ledger_math import coverage_gaps, failure_spans, gap_threshold, tally
from app.services.ledger_model import (
    AccountCoverage,
    AccountLedger,
    Attempt,
    CheckLedger,
    ControlLedger,
    CoverageGap,
    EngagementLedger,
    LedgerWindow,
    ScanPoint,
)
from app.services.ledger_words import control_sentence, window_description
from app.store.control_status import ResultCounts, check_status
from app.store.models import Account, Engagement, ResultRow, RiskException, Scan
from app.store.risk import exceptions as all_exceptions
from app.store.risk import matching_exception
from app.store.scan_state import ScanState
from app.store.schedule import engagement_schedule

# Positions in a count list; the order of `ResultCounts`' fields.
_PASSED, _FAILED, _ERRORS, _EXCEPTED, _NOT_APPLICABLE = range(5)
_POSITION = {
    Status.PASS.value: _PASSED,
    Status.FAIL.value: _FAILED,
    Status.ERROR.value: _ERRORS,
    Status.NOT_APPLICABLE.value: _NOT_APPLICABLE,
}
CountKey = tuple[int, str, str]  # (scan id, control id, check id)
_FAIL = Status.FAIL.value


@dataclass(frozen=True)
class _ScanFact:
    id: int
    account_id: str
    at: datetime
    state: ScanState
    controls: frozenset[str]  # empty: every control
    error: str

    def covers(self, control_id: str) -> bool:
        return not self.controls or control_id in self.controls


def ledger_window(engagement: Engagement, now: datetime | None = None) -> LedgerWindow:
    """The audit period as UTC instants ([first day 00:00, day after the last)), or all
    time when none is set; coverage is judged up to the period's end or now."""
    moment = now or datetime.now(UTC)
    start_day, end_day = engagement.period_start, engagement.period_end
    start = None if start_day is None else datetime.combine(start_day, time(0), UTC)
    end = None if end_day is None else datetime.combine(end_day + timedelta(days=1), time(0), UTC)
    until = moment if end is None else min(end, moment)
    return LedgerWindow(start, end, until, start_day, end_day)


def build_ledger(
    session: Session,
    engagement: Engagement,
    *,
    control_ids: Sequence[str] | None = None,
    now: datetime | None = None,
) -> EngagementLedger:
    """The engagement's ledger for `control_ids` (default: every automated control)."""
    window = ledger_window(engagement, now)
    schedule = engagement_schedule(engagement)
    wanted = list(control_ids) if control_ids is not None else list(CHECKS)
    facts = _scan_facts(session, engagement)
    counted = [f for f in facts if f.state is ScanState.COMPLETE and window.contains(f.at)]
    attempts = [
        f
        for f in facts
        if f.state in (ScanState.FAILED, ScanState.INCOMPLETE) and window.contains(f.at)
    ]
    counts = _result_counts(session, engagement, window, wanted, {f.id: f for f in counted})
    in_scope = session.scalars(
        select(Account.account_id).where(Account.engagement_id == engagement.id)
    )
    account_ids = sorted({*in_scope, *(f.account_id for f in counted + attempts)})
    builder = _Builder(window, gap_threshold(schedule), counts, wanted)
    accounts = tuple(
        builder.account(
            account_id,
            [f for f in counted if f.account_id == account_id],
            [f for f in attempts if f.account_id == account_id],
        )
        for account_id in account_ids
    )
    return EngagementLedger(
        engagement_id=engagement.id,
        window=window,
        schedule=schedule,
        gap_threshold=builder.threshold,
        accounts=accounts,
        scans_outside_window=sum(
            1 for f in facts if f.state is ScanState.COMPLETE and not window.contains(f.at)
        ),
        description=window_description(window),
    )


def _scan_facts(session: Session, engagement: Engagement) -> list[_ScanFact]:
    query = (
        select(Scan.id, Scan.account_id, Scan.started_at, Scan.state, Scan.controls, Scan.error)
        .where(Scan.engagement_id == engagement.id)
        .order_by(Scan.started_at, Scan.id)
    )
    return [
        _ScanFact(scan_id, account, at, state, frozenset(controls or ()), error or "")
        for scan_id, account, at, state, controls, error in session.execute(query)
    ]


def _window_clauses(
    engagement: Engagement, window: LedgerWindow, wanted: Sequence[str]
) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the result rows of the window's complete scans."""
    clauses = [
        Scan.engagement_id == engagement.id,
        Scan.state == ScanState.COMPLETE,
        ResultRow.control_id.in_(wanted),
    ]
    if window.start is not None:
        clauses.append(Scan.started_at >= window.start)
    if window.end is not None:
        clauses.append(Scan.started_at < window.end)
    return clauses


def _result_counts(
    session: Session,
    engagement: Engagement,
    window: LedgerWindow,
    wanted: Sequence[str],
    scans: Mapping[int, _ScanFact],
) -> dict[CountKey, list[int]]:
    """Per (scan, control, check): rows by outcome, FAILs split into excused or not.

    One GROUP BY over the rows' status; only FAIL rows of controls that have exceptions
    are read one by one (their resource decides whether an exception covers them)."""
    excepted = _exceptions_by_control(session, engagement, wanted)
    clauses = _window_clauses(engagement, window, wanted)
    grouped = (
        select(ResultRow.scan_id, ResultRow.control_id, ResultRow.check_id, ResultRow.status)
        .add_columns(func.count())
        .join(Scan, Scan.id == ResultRow.scan_id)
        .where(*clauses)
        .group_by(ResultRow.scan_id, ResultRow.control_id, ResultRow.check_id, ResultRow.status)
    )
    counts: dict[CountKey, list[int]] = defaultdict(lambda: [0] * 5)
    for scan_id, control_id, check_id, status, number in session.execute(grouped):
        if scan_id not in scans or (status == _FAIL and control_id in excepted):
            continue
        # Anything but the four known statuses counts as ERROR: never as a pass.
        counts[(scan_id, control_id, check_id)][_POSITION.get(status, _ERRORS)] += number
    if excepted:
        failing = (
            select(ResultRow.scan_id, ResultRow.control_id, ResultRow.check_id, ResultRow.resource)
            .join(Scan, Scan.id == ResultRow.scan_id)
            .where(*clauses, ResultRow.status == _FAIL)
            .where(ResultRow.control_id.in_(excepted))
        )
        for scan_id, control_id, check_id, resource in session.execute(failing):
            if scan_id not in scans:
                continue
            on = scans[scan_id].at.date()
            accepted = matching_exception(excepted[control_id], control_id, resource, on)
            counts[(scan_id, control_id, check_id)][_FAILED if accepted is None else _EXCEPTED] += 1
    return counts


def _exceptions_by_control(
    session: Session, engagement: Engagement, wanted: Iterable[str]
) -> dict[str, list[RiskException]]:
    chosen = set(wanted)
    found: dict[str, list[RiskException]] = defaultdict(list)
    for exception in all_exceptions(session, engagement):
        if exception.control_id in chosen:
            found[exception.control_id].append(exception)
    return dict(found)


def _attempt(fact: _ScanFact) -> Attempt:
    return Attempt(fact.at, fact.error, fact.id, incomplete=fact.state is ScanState.INCOMPLETE)


class _Builder:
    """Turns the counts into ledgers, account by account."""

    def __init__(
        self,
        window: LedgerWindow,
        threshold: timedelta,
        counts: Mapping[CountKey, list[int]],
        wanted: Sequence[str],
    ) -> None:
        self.window = window
        self.threshold = threshold
        self.counts = counts
        self.wanted = wanted
        self.check_ids: dict[str, list[str]] = {c: list(CHECK_IDS.get(c, ())) for c in wanted}
        # Per (scan, control): its checks' counts added up, computed once.
        self.totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0] * 5)
        for (scan_id, control_id, check_id), numbers in counts.items():
            known = self.check_ids.setdefault(control_id, [])
            if check_id not in known:
                known.append(check_id)
            total = self.totals[(scan_id, control_id)]
            for position, number in enumerate(numbers):
                total[position] += number

    def account(
        self, account_id: str, counted: Sequence[_ScanFact], attempts: Sequence[_ScanFact]
    ) -> AccountLedger:
        coverage = AccountCoverage(
            account_id=account_id,
            scans=len(counted),
            first=counted[0].at if counted else None,
            last=counted[-1].at if counted else None,
            gaps=self._gaps(counted, attempts),
            failed_scans=sum(1 for a in attempts if a.state is ScanState.FAILED),
            incomplete_scans=sum(1 for a in attempts if a.state is ScanState.INCOMPLETE),
        )
        controls = tuple(self.control(account_id, c, counted, attempts) for c in self.wanted)
        return AccountLedger(account_id, coverage, controls)

    def _gaps(
        self, counted: Sequence[_ScanFact], attempts: Sequence[_ScanFact]
    ) -> tuple[CoverageGap, ...]:
        tried = [_attempt(a) for a in attempts]
        return coverage_gaps([f.at for f in counted], self.window, self.threshold, tried)

    def control(
        self,
        account_id: str,
        control_id: str,
        counted: Sequence[_ScanFact],
        attempts: Sequence[_ScanFact],
    ) -> ControlLedger:
        scans = [f for f in counted if f.covers(control_id)]
        checks = tuple(
            self._check(account_id, control_id, check_id, scans)
            for check_id in self.check_ids.get(control_id, ())
        )
        timeline = tuple(
            ScanPoint(f.id, f.at, check_status(self._control_counts(f.id, control_id)))
            for f in scans
        )
        spans = failure_spans(timeline)
        tried = [a for a in attempts if a.covers(control_id)]
        gaps = self._gaps(scans, tried)
        summary = tally(timeline)
        return ControlLedger(
            control_id=control_id,
            account_id=account_id,
            tally=summary,
            spans=spans,
            gaps=gaps,
            timeline=timeline,
            checks=checks,
            sentence=control_sentence(summary, spans, gaps, self.window),
            attempts=tuple(_attempt(a) for a in tried),
        )

    def _control_counts(self, scan_id: int, control_id: str) -> ResultCounts:
        return ResultCounts(*self.totals.get((scan_id, control_id), ()))

    def _check(
        self, account_id: str, control_id: str, check_id: str, scans: Sequence[_ScanFact]
    ) -> CheckLedger:
        timeline = tuple(
            ScanPoint(
                f.id,
                f.at,
                check_status(ResultCounts(*self.counts.get((f.id, control_id, check_id), ()))),
            )
            for f in scans
        )
        return CheckLedger(
            control_id, check_id, account_id, tally(timeline), failure_spans(timeline), timeline
        )
