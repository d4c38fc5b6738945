"""What the control page reads, through the store's repositories. No Qt.

Every public function takes the open `Database` and opens one short-lived ORM session
of its own on the calling thread; it returns plain values (`control_model`), so no
ORM object escapes into the widgets. Errors are the store's typed `StoreError`s.
The page's writes are in `control_edits`, its status words in `control_statuses`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.controls.catalogue import Catalogue
from app.controls.results import Status
from app.evidence import Evidence
from app.services.control_model import (
    AttachmentInfo,
    ControlSnapshot,
    ExceptionInfo,
    ResultLine,
    ScanInfo,
    SignOffInfo,
    result_delta,
)
from app.services.control_statuses import StatusInfo, status_info
from app.store import control_states as store_states
from app.store import risk as store_risk
from app.store import scans as store_scans
from app.store import signoffs as store_signoffs
from app.store.database import Database
from app.store.engagements import get_engagement, owned_row
from app.store.errors import StoreError
from app.store.models import (
    Attachment,
    Engagement,
    ResultRow,
    RiskException,
    Scan,
    SignOff,
)
from app.store.scan_state import ScanState


def _scan_info(scan: Scan) -> ScanInfo:
    return ScanInfo(
        scan_id=scan.id,
        account_id=scan.account_id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state=scan.state,
        caller_arn=scan.caller_arn,
    )


def _evidence(stored: Sequence[Any] | None, row_id: int) -> tuple[Evidence, ...]:
    """The stored JSON as `Evidence`; a malformed item (an edited or foreign import) is a
    `StoreError` the page shows, not a crash and not a silently shorter list."""
    try:
        return tuple(Evidence.from_json(item) for item in stored or ())
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StoreError(f"The evidence of result row #{row_id} is malformed ({error}).") from error


def line_with_evidence(db: Database, line: ResultLine) -> ResultLine:
    """`line` with its evidence read from the store (one row, when the user looks at it)."""
    if line.evidence_loaded:
        return line
    with db.session() as session:
        stored = session.scalar(select(ResultRow.evidence).where(ResultRow.id == line.row_id))
    return replace(line, evidence=_evidence(stored, line.row_id), evidence_loaded=True)


def _scans_covering(session: Session, engagement: Engagement, control_id: str) -> list[Scan]:
    """Complete scans that covered the control, newest first: the store's idea of "latest"
    (incomplete and failed scans never count, for the checklist, sign-off or binder)."""
    return [
        s
        for s in store_scans.scans(session, engagement)
        if s.state == ScanState.COMPLETE and (not s.controls or control_id in s.controls)
    ]


def _rows(session: Session, scan_ids: list[int], control_id: str) -> list[ResultLine]:
    """The rows as plain columns: no ORM objects and no evidence JSON, so thousands of
    rows load in milliseconds (the evidence is read per row, `line_with_evidence`)."""
    if not scan_ids:
        return []
    query = (
        select(
            ResultRow.id,
            ResultRow.scan_id,
            ResultRow.check_id,
            ResultRow.status,
            ResultRow.region,
            ResultRow.resource,
            ResultRow.detail,
            ResultRow.account_id,
            Scan.account_id,
            ResultRow.collected_at,
        )
        .join(Scan, Scan.id == ResultRow.scan_id)
        .where(ResultRow.scan_id.in_(scan_ids), ResultRow.control_id == control_id)
        .order_by(ResultRow.id)
    )
    return [
        ResultLine(
            row_id=row_id,
            scan_id=scan_id,
            check_id=check_id,
            status=Status(status),
            region=region,
            resource=resource,
            detail=detail,
            account_id=account or scan_account,
            collected_at=collected_at,
        )
        for (
            row_id,
            scan_id,
            check_id,
            status,
            region,
            resource,
            detail,
            account,
            scan_account,
            collected_at,
        ) in session.execute(query)
    ]


def latest_results(
    session: Session, engagement: Engagement, control_id: str
) -> tuple[list[ScanInfo], list[ResultLine], list[ScanInfo], list[ResultLine]]:
    """The latest scan per account and its rows, and the scan before it per account."""
    latest: dict[str, Scan] = {}
    previous: dict[str, Scan] = {}
    for scan in _scans_covering(session, engagement, control_id):
        if scan.account_id not in latest:
            latest[scan.account_id] = scan
        elif scan.account_id not in previous:
            previous[scan.account_id] = scan
    now_scans = sorted(latest.values(), key=lambda s: s.account_id)
    before_scans = sorted(previous.values(), key=lambda s: s.account_id)
    return (
        [_scan_info(s) for s in now_scans],
        _rows(session, [s.id for s in now_scans], control_id),
        [_scan_info(s) for s in before_scans],
        _rows(session, [s.id for s in before_scans], control_id),
    )


def _attachment_info(att: Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        attachment_id=att.id,
        name=att.original_name,
        media_type=att.media_type,
        size=att.size,
        sha256=att.sha256,
        evidence_item=att.evidence_item,
        description=att.description,
        added_by=att.added_by,
        added_at=att.added_at,
        effective_on=att.effective_on,
    )


def _exception_info(exc: RiskException) -> ExceptionInfo:
    return ExceptionInfo(
        exception_id=exc.id,
        resource_pattern=exc.resource_pattern,
        justification=exc.justification,
        approver=exc.approver,
        expires_on=exc.expires_on,
        created_by=exc.created_by,
        created_at=exc.created_at,
        revoked_at=exc.revoked_at,
    )


def _sign_off_info(sign_off: SignOff) -> SignOffInfo:
    return SignOffInfo(
        sign_off_id=sign_off.id,
        reviewer=sign_off.reviewer,
        role=sign_off.role,
        comment=sign_off.comment,
        signed_at=sign_off.signed_at,
        approved_hash=sign_off.approved_hash,
    )


def _attachments(session: Session, engagement: Engagement, control_id: str) -> list[Attachment]:
    """The store's `attachments()` listing, without loading each file's bytes (up to 50 MB
    apiece) on every refresh of the page; the bytes are read only to open or save one."""
    query = (
        select(Attachment)
        .options(defer(Attachment.content))
        .where(Attachment.engagement_id == engagement.id, Attachment.control_id == control_id)
        .order_by(Attachment.added_at, Attachment.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class StoredFile:
    name: str
    content: bytes
    sha256: str


def attachment_file(db: Database, engagement_id: int, attachment_id: int) -> StoredFile:
    """One evidence file's bytes as stored, with the SHA-256 recorded when it was added."""
    with db.session() as session:
        attachment = owned_row(session, Attachment, attachment_id, engagement_id, "Evidence file")
        return StoredFile(attachment.original_name, attachment.content, attachment.sha256)


def load_snapshot(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    *,
    unlocked: bool = False,
) -> ControlSnapshot:
    """Everything the page shows of one control, with its status, in one session."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        status = status_info(session, engagement, catalogue.get(control_id))
        return _snapshot(session, engagement, catalogue, control_id, status, unlocked)


def _accepted(
    session: Session, engagement: Engagement, control_id: str, lines: list[ResultLine]
) -> list[ResultLine]:
    """The FAIL lines an active exception covers, marked accepted."""
    in_force = store_risk.active_exceptions(session, engagement, control_id=control_id)
    if not in_force:
        return lines
    today = store_risk.today_utc()
    return [
        replace(line, accepted=True)
        if line.status is Status.FAIL
        and store_risk.matching_exception(in_force, control_id, line.resource, today)
        else line
        for line in lines
    ]


def _snapshot(
    session: Session,
    engagement: Engagement,
    catalogue: Catalogue,
    control_id: str,
    status: StatusInfo,
    unlocked: bool,
) -> ControlSnapshot:
    scans, lines, previous_scans, previous_lines = latest_results(session, engagement, control_id)
    lines = _accepted(session, engagement, control_id, lines)
    state = store_states.control_state(session, engagement, control_id)
    exceptions = store_risk.exceptions(session, engagement, control_id)
    sign_offs = reversed(store_signoffs.sign_offs(session, engagement, control_id))
    return ControlSnapshot(
        engagement_id=engagement.id,
        control=catalogue.get(control_id),
        status=status.status,
        frameworks=tuple(engagement.frameworks),
        scans=tuple(scans),
        results=tuple(lines),
        delta=result_delta(lines, previous_lines, previous_scans[0] if previous_scans else None),
        attachments=tuple(
            _attachment_info(a) for a in _attachments(session, engagement, control_id)
        ),
        notes=state.notes if state is not None else "",
        exceptions=tuple(_exception_info(e) for e in exceptions),
        sign_offs=tuple(_sign_off_info(s) for s in sign_offs),
        stale_reason=status.stale_reason,
        unlocked=unlocked,
        owner=state.owner if state is not None else "",
        applicable=state is None or state.applicability != store_states.NOT_APPLICABLE,
        applicability_reason=state.applicability_reason if state is not None else "",
        state_version=state.updated_at if state is not None else None,
    )
