"""What the control page shows, read once from the store: plain frozen values.

Filled by `app.services.control_page`; the widgets render these and never hold ORM
objects, so no session outlives the read that filled them (and nothing lazy-loads
behind a closed session). Statuses are the shared types (`Status` for a result row,
`ControlStatus` for the control), evidence is `Evidence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.controls.catalogue import Control
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.evidence import Evidence
from app.store.scan_state import ScanState


@dataclass(frozen=True)
class ResultLine:
    """One result row of a scan, as the table shows it."""

    row_id: int
    scan_id: int
    check_id: str
    status: Status
    region: str
    resource: str
    detail: str
    account_id: str
    collected_at: datetime | None
    # Loaded when the row is looked at (`evidence_loaded`): decoding every row's JSON
    # up front made a big scan slow to show.
    evidence: tuple[Evidence, ...] = ()
    evidence_loaded: bool = False
    # A FAIL that an active exception covers: an accepted risk, shown as such.
    accepted: bool = False
    # From the running scan, not stored yet (`app.services.live_results`); shown as such.
    provisional: bool = False


@dataclass(frozen=True)
class ScanInfo:
    scan_id: int
    account_id: str
    started_at: datetime
    finished_at: datetime | None
    state: ScanState
    caller_arn: str = ""


@dataclass(frozen=True)
class ResultDelta:
    """What changed for this control between the previous scan and the latest one."""

    previous: ScanInfo | None
    newly_failing: tuple[ResultLine, ...] = ()
    fixed: tuple[ResultLine, ...] = ()
    appeared: tuple[ResultLine, ...] = ()
    # Rows of the previous scan whose resource the latest scan no longer saw.
    disappeared: tuple[ResultLine, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.newly_failing or self.fixed or self.appeared or self.disappeared)


@dataclass(frozen=True)
class AttachmentInfo:
    attachment_id: int
    name: str
    media_type: str
    size: int
    sha256: str
    evidence_item: str
    description: str
    added_by: str
    added_at: datetime
    effective_on: date | None = None  # the day it is evidence for (None: the day added)

    @property
    def effective_day(self) -> date:
        return self.effective_on or self.added_at.date()


@dataclass(frozen=True)
class ExceptionInfo:
    exception_id: int
    resource_pattern: str
    justification: str
    approver: str
    expires_on: date | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None

    def state(self, today: date) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "active"


@dataclass(frozen=True)
class SignOffInfo:
    sign_off_id: int
    reviewer: str
    role: str
    comment: str
    signed_at: datetime
    approved_hash: str


@dataclass(frozen=True)
class ControlSnapshot:
    """Everything the page shows about one control of one engagement."""

    engagement_id: int
    control: Control
    status: ControlStatus
    frameworks: tuple[str, ...]
    scans: tuple[ScanInfo, ...]
    results: tuple[ResultLine, ...]
    delta: ResultDelta
    attachments: tuple[AttachmentInfo, ...]
    notes: str
    exceptions: tuple[ExceptionInfo, ...]
    sign_offs: tuple[SignOffInfo, ...]  # newest first
    # Why the latest sign-off no longer matches (empty when it matches or none exists).
    stale_reason: str = ""
    unlocked: bool = False
    # The control's working state (ControlState): who owns it and whether it applies.
    owner: str = ""
    applicable: bool = True
    applicability_reason: str = ""
    # The stored state's version (`updated_at`; None: none stored): edits check it.
    state_version: datetime | None = None

    @property
    def latest_sign_off(self) -> SignOffInfo | None:
        return self.sign_offs[0] if self.sign_offs else None

    @property
    def locked(self) -> bool:
        """Signed off and still matching: edits wait for an explicit unlock."""
        return self.status is ControlStatus.SIGNED_OFF and not self.unlocked


# A row that was not passing: its PASS now counts as fixed.
_BROKEN = (Status.FAIL, Status.ERROR)


def result_delta(
    latest: Sequence[ResultLine], previous: Sequence[ResultLine], previous_scan: ScanInfo | None
) -> ResultDelta:
    """Compare two populations of one control, keyed by (check, region, resource)."""
    if previous_scan is None:
        return ResultDelta(previous=None)

    def key(line: ResultLine) -> tuple[str, str, str, str]:
        return (line.account_id, line.check_id, line.region, line.resource)

    before = {key(line): line for line in previous}
    after = {key(line): line for line in latest}
    newly_failing = tuple(
        line
        for k, line in after.items()
        if line.status is Status.FAIL and k in before and before[k].status is not Status.FAIL
    )
    fixed = tuple(
        line
        for k, line in after.items()
        if line.status is Status.PASS and k in before and before[k].status in _BROKEN
    )
    appeared = tuple(line for k, line in after.items() if k not in before)
    disappeared = tuple(line for k, line in before.items() if k not in after)
    return ResultDelta(previous_scan, newly_failing, fixed, appeared, disappeared)
