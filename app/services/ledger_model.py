"""The period ledger's result types: how each control and check fared across the scans.

Built by `app.services.ledger.build_ledger`; the binder, the control page's timeline
strip and the coverage table read these and nothing else. Times are aware UTC.

Vocabulary:
- a *point* is one complete scan that covered the control, with the control's (or the
  check's) status in that scan (`ControlStatus`, the checklist's own type: PASSING,
  FAILING, ERROR, EXCEPTION or NOT_CHECKED);
- a *failure span* runs from the first FAILING point to the first point after it that
  passes (PASSING, or EXCEPTION when an exception was granted meanwhile); ERROR and
  NOT_CHECKED points inside do not end it (nobody could see it was fixed); a span still
  failing at the last point is *open*;
- a *coverage gap* is a stretch longer than the threshold (twice the schedule's
  interval, or 7 days without a schedule) with no complete scan: between two points, or
  at the window's edges. Failed and incomplete scans never count as scans, so they do
  not close gaps; each gap says how many such attempts fell inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from app.controls.control_status import ControlStatus
from app.store.schedule import ScanSchedule


@dataclass(frozen=True)
class LedgerWindow:
    """Which scans count: those started in [start, end); `until` is where coverage ends
    (the period's end, or now if that is earlier). No period: every scan, until now."""

    start: datetime | None
    end: datetime | None
    until: datetime
    period_start: date | None = None
    period_end: date | None = None

    @property
    def period_set(self) -> bool:
        return self.period_start is not None or self.period_end is not None

    def contains(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


@dataclass(frozen=True)
class ScanPoint:
    """One complete scan of the window as seen by one control or check."""

    scan_id: int
    at: datetime
    status: ControlStatus


@dataclass(frozen=True)
class Attempt:
    """A failed or incomplete scan: not a scan for the ledger, but worth naming in a gap
    (and marking on the control page's timeline strip)."""

    at: datetime
    error: str = ""
    scan_id: int = 0
    incomplete: bool = False  # stopped part-way (else: failed, e.g. could not sign in)


@dataclass(frozen=True)
class FailureSpan:
    """From the first failing scan to the first passing one after it (None: still open)."""

    first_failing: ScanPoint
    last_failing: ScanPoint
    closed_by: ScanPoint | None
    failing_scans: int

    @property
    def start(self) -> datetime:
        return self.first_failing.at

    @property
    def end(self) -> datetime | None:
        return None if self.closed_by is None else self.closed_by.at

    @property
    def open(self) -> bool:
        return self.closed_by is None

    @property
    def fixed(self) -> bool:
        """Closed by a passing scan (not by an exception accepting the failure)."""
        return self.closed_by is not None and self.closed_by.status is ControlStatus.PASSING

    def length(self, until: datetime) -> timedelta:
        """How long it lasted; an open span lasts until `until` (the window's end)."""
        return (self.end or max(until, self.start)) - self.start


class GapEdge(StrEnum):
    START = "start"  # from the period's start to the first scan
    BETWEEN = "between"  # between two scans
    END = "end"  # from the last scan to the period's end (or now)
    WHOLE = "whole"  # no complete scan in the window at all


@dataclass(frozen=True)
class CoverageGap:
    start: datetime
    end: datetime
    edge: GapEdge
    failed_attempts: int = 0  # failed or incomplete scans started inside the gap
    last_error: str = ""  # the latest of their reasons

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Tally:
    """Points by status. `scans` is their number: complete scans only."""

    scans: int = 0
    passed: int = 0
    failed: int = 0
    excepted: int = 0  # failures every one of which an exception accepted that day
    errors: int = 0  # could not look: never a pass
    not_checked: int = 0  # the scan covered the control but has no row for it


class _Timeline:
    """First and last failure, for a ledger with a `timeline`."""

    timeline: tuple[ScanPoint, ...]

    @property
    def first_failure(self) -> datetime | None:
        return next((p.at for p in self.timeline if p.status is ControlStatus.FAILING), None)

    @property
    def last_failure(self) -> datetime | None:
        failing = (p.at for p in reversed(self.timeline) if p.status is ControlStatus.FAILING)
        return next(failing, None)


@dataclass(frozen=True)
class CheckLedger(_Timeline):
    control_id: str
    check_id: str
    account_id: str
    tally: Tally
    spans: tuple[FailureSpan, ...]
    timeline: tuple[ScanPoint, ...]


@dataclass(frozen=True)
class ControlLedger(_Timeline):
    """One control in one account across the window, with its checks and a sentence."""

    control_id: str
    account_id: str
    tally: Tally
    spans: tuple[FailureSpan, ...]
    gaps: tuple[CoverageGap, ...]
    timeline: tuple[ScanPoint, ...]
    checks: tuple[CheckLedger, ...]
    sentence: str
    # Failed and incomplete scans of the window that were to cover it, oldest first.
    attempts: tuple[Attempt, ...] = ()

    @property
    def longest_gap(self) -> CoverageGap | None:
        return max(self.gaps, key=lambda gap: gap.length, default=None)

    def check(self, check_id: str) -> CheckLedger | None:
        return next((c for c in self.checks if c.check_id == check_id), None)


@dataclass(frozen=True)
class AccountCoverage:
    """The coverage table's row: one account's complete scans in the window."""

    account_id: str
    scans: int
    first: datetime | None
    last: datetime | None
    gaps: tuple[CoverageGap, ...]
    failed_scans: int = 0
    incomplete_scans: int = 0

    @property
    def longest_gap(self) -> CoverageGap | None:
        return max(self.gaps, key=lambda gap: gap.length, default=None)


@dataclass(frozen=True)
class AccountLedger:
    account_id: str
    coverage: AccountCoverage
    controls: tuple[ControlLedger, ...]

    def control(self, control_id: str) -> ControlLedger | None:
        return next((c for c in self.controls if c.control_id == control_id), None)


@dataclass(frozen=True)
class EngagementLedger:
    engagement_id: int
    window: LedgerWindow
    schedule: ScanSchedule | None
    gap_threshold: timedelta
    accounts: tuple[AccountLedger, ...]
    scans_outside_window: int = 0  # complete scans of the engagement that do not count
    description: str = ""  # e.g. "the audit period 1 Jun 2026 – 30 Nov 2026"

    def for_control(self, control_id: str) -> tuple[ControlLedger, ...]:
        """The control's ledger in each account (account order)."""
        found = (account.control(control_id) for account in self.accounts)
        return tuple(ledger for ledger in found if ledger is not None)
