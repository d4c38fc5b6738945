"""What the binder shows, as plain frozen values.

`data.py` fills these from the store and the catalogue; the PDF code reads only
these, so tests and benchmarks can build a binder without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from app.aws.receipts import CallReceipt
from app.controls.catalogue import Control
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.framework_summary import FRAMEWORK_BUCKETS, FrameworkSummary
from app.services.ledger_model import ControlLedger, EngagementLedger
from app.services.recurring_model import EvidenceSchedule, RequestSchedule
from app.services.soa_model import Statement
from app.store.scan_state import ScanState

# Per framework, controls are counted in these buckets (a stale sign-off counts by its
# own evidence; see app/services/framework_summary.py).
BUCKETS = FRAMEWORK_BUCKETS
BUCKET_LABELS = {
    "passed": "Passed or signed off",
    "failing": "Failing",
    "exceptions": "Exceptions",
    "errors": "Could not check",
    "not_checked": "Not checked (no scan)",
    "evidence_attached": "Evidence attached",
    "evidence_missing": "Evidence missing",
    "not_applicable": "Not applicable",
}
NOT_APPLICABLE_LABEL = "Not applicable"


def shown_frameworks(frameworks: tuple[str, ...]) -> tuple[str, ...]:
    """The frameworks that get an applicability section: those chosen, or both."""
    chosen = tuple(f for f in ("iso27001", "soc2") if f in frameworks)
    return chosen or ("iso27001", "soc2")


def controls_chapter(frameworks: tuple[str, ...]) -> int:
    """The section number of "Controls": after the summary and one per framework."""
    return 2 + len(shown_frameworks(frameworks))


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None

    def contains(self, moment: datetime) -> bool | None:
        """Whether `moment` (UTC) falls in the audit period; None when no period is set."""
        return self.contains_day(moment.date())

    def contains_day(self, day: date) -> bool | None:
        """Whether the day falls in the audit period; None when no period is set."""
        if self.start is None and self.end is None:
            return None
        if self.start is not None and day < self.start:
            return False
        return not (self.end is not None and day > self.end)


@dataclass(frozen=True)
class EngagementInfo:
    name: str
    client: str
    frameworks: tuple[str, ...]
    period: Period
    accounts: tuple[tuple[str, str], ...]  # (account id, alias)
    regions: tuple[str, ...]
    notes: str
    is_demo: bool


@dataclass(frozen=True)
class ApiCall:
    """One distinct call the checks relied on, with how often and when it was made."""

    operation: str
    parameters: str  # canonical JSON
    region: str
    first_at: datetime
    last_at: datetime
    rows: int


@dataclass(frozen=True)
class PopulationRow:
    control_id: str
    check_id: str
    account_id: str
    region: str
    resource: str
    status: Status
    detail: str
    collected_at: datetime
    in_period: bool | None
    scan_id: int
    excepted: bool = False


@dataclass(frozen=True)
class CheckBlock:
    check_id: str
    title: str
    proves: str
    calls: tuple[ApiCall, ...]
    rows: tuple[PopulationRow, ...]
    # (account id, caller ARN, scan id, scan started) of the scans the rows come from.
    sources: tuple[tuple[str, str, int, datetime], ...]
    # The listings behind the population, as received: request ids, hashes, completeness,
    # record count and recount command (one per listing call of each source scan).
    listings: tuple[CallReceipt, ...] = ()


@dataclass(frozen=True)
class AttachmentItem:
    id: int
    control_id: str
    evidence_item: str
    name: str
    media_type: str
    size: int
    stored_sha256: str
    sha256: str  # recomputed from the content
    content: bytes
    description: str
    added_by: str
    added_at: datetime
    in_period: bool | None  # of the day it is effective for (else the day it was added)
    embedded_name: str
    effective_on: date | None = None  # the day it is evidence for, when given


@dataclass(frozen=True)
class ExceptionItem:
    control_id: str
    resource_pattern: str
    justification: str
    approver: str
    expires_on: date | None
    created_by: str
    created_at: datetime
    state: str  # active / expired / revoked


@dataclass(frozen=True)
class SignOffItem:
    control_id: str
    reviewer: str
    role: str
    comment: str
    signed_at: datetime
    record_hash: str
    stale: bool


@dataclass(frozen=True)
class ControlSection:
    number: str  # section number in the binder, e.g. "4.3"
    control: Control
    status: ControlStatus
    applicable: bool
    applicability_reason: str
    owner: str
    notes: str
    checks: tuple[CheckBlock, ...]
    attachments: tuple[AttachmentItem, ...]
    exceptions: tuple[ExceptionItem, ...]
    sign_offs: tuple[SignOffItem, ...]
    # Its manual evidence requests with their due dates (the catalogue's and the user's).
    requests: tuple[RequestSchedule, ...] = ()

    @property
    def anchor(self) -> str:
        return f"control-{self.control.id}"

    @property
    def status_label(self) -> str:
        return self.status.label if self.applicable else NOT_APPLICABLE_LABEL

    def files_for(self, item_id: str) -> tuple[AttachmentItem, ...]:
        """The files attached against one manual evidence item."""
        return tuple(a for a in self.attachments if a.evidence_item == item_id)

    def request(self, item_id: str) -> RequestSchedule | None:
        return next((r for r in self.requests if r.item_id == item_id), None)


@dataclass(frozen=True)
class ScanItem:
    id: int
    account_id: str
    caller_arn: str
    started_at: datetime
    finished_at: datetime | None
    state: ScanState
    app_version: str
    regions: tuple[str, ...]
    skipped_regions: tuple[str, ...]
    controls: tuple[str, ...]
    error: str
    counts: Mapping[Status, int]  # the scan's rows by status
    in_period: bool | None
    embedded_name: str
    # The scan's result document (JSON), as embedded and hashed; None when it is not
    # embedded (an earlier scan, summarised in the period ledger).
    document: bytes | None

    @property
    def embedded(self) -> bool:
        return self.document is not None


@dataclass(frozen=True)
class ScanChanges:
    """What changed between an account's two latest complete scans."""

    account_id: str
    previous_scan_id: int
    latest_scan_id: int
    new_failures: tuple[PopulationRow, ...]
    fixed: tuple[PopulationRow, ...]
    new_resources: tuple[PopulationRow, ...]
    removed_resources: tuple[PopulationRow, ...]
    # What both scans covered, and what was left out of the comparison (in words).
    controls_compared: tuple[str, ...] | None = None  # None: every control
    regions_not_compared: tuple[str, ...] = ()
    not_compared: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportItem:
    """An earlier export of this engagement's binder (the export log)."""

    exported_at: datetime
    exported_by: str
    file_name: str
    digest: str
    signer: str
    signer_fingerprint: str


@dataclass(frozen=True)
class SignerInfo:
    """Who signs this binder: the certificate's name and SHA-256 fingerprint (hex)."""

    name: str
    fingerprint: str
    self_signed: bool


@dataclass(frozen=True)
class BinderData:
    engagement: EngagementInfo
    generated_at: datetime
    generated_by: str  # caller ARN of the latest scan
    app_version: str
    controls: tuple[ControlSection, ...]
    scans: tuple[ScanItem, ...]
    changes: tuple[ScanChanges, ...]
    frameworks: tuple[FrameworkSummary, ...]
    # The Statement of Applicability and SOC 2 scope; None when the store has none
    # (a binder built from values alone, as some tests do).
    statement: Statement | None = None
    # Problems found re-checking the sign-off hash chain (empty: intact).
    chain_problems: tuple[str, ...] = ()
    # Earlier exports of the binder, oldest first.
    exports: tuple[ExportItem, ...] = ()
    # Who signs this binder (None: it is not signed).
    signer: SignerInfo | None = None
    # How each automated control fared across the audit period's scans (None: not built).
    ledger: EngagementLedger | None = None
    # Manual evidence requests with their due dates, and what is overdue.
    evidence_due: EvidenceSchedule | None = None

    def ledger_for(self, control_id: str) -> tuple[ControlLedger, ...]:
        return self.ledger.for_control(control_id) if self.ledger is not None else ()
