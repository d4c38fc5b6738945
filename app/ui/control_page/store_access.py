"""The control page's reads and writes, in one place, through the store's repositories.

Every function takes an open ORM session (short-lived, GUI thread) and returns
plain values (`snapshot.py`), so no ORM object escapes into the widgets.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.store import attachments as store_attachments
from app.store import control_states as store_states
from app.store import risk as store_risk
from app.store import scans as store_scans
from app.store import signoffs as store_signoffs
from app.store.engagements import get_engagement
from app.store.models import (
    Attachment,
    Engagement,
    ResultRow,
    RiskException,
    Scan,
    SignOff,
)
from app.ui.control_page.snapshot import (
    AttachmentInfo,
    ControlSnapshot,
    ExceptionInfo,
    ResultLine,
    ScanInfo,
    SignOffInfo,
    result_delta,
)


def _scan_info(scan: Scan) -> ScanInfo:
    return ScanInfo(
        scan_id=scan.id,
        account_id=scan.account_id,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state=scan.state,
        caller_arn=scan.caller_arn,
    )


def _line(row: ResultRow) -> ResultLine:
    evidence = tuple(e for e in (row.evidence or []) if isinstance(e, dict))
    return ResultLine(
        row_id=row.id,
        scan_id=row.scan_id,
        check_id=row.check_id,
        status=row.status,
        region=row.region,
        resource=row.resource,
        detail=row.detail,
        account_id=row.account_id or row.scan.account_id,
        collected_at=row.collected_at,
        evidence=evidence,
    )


def _scans_covering(session: Session, engagement: Engagement, control_id: str) -> list[Scan]:
    """Complete scans that covered the control, newest first: the store's idea of "latest"
    (incomplete and failed scans never count, for the checklist, sign-off or binder)."""
    return [
        s
        for s in store_scans.scans(session, engagement)
        if s.state == store_scans.COMPLETE and (not s.controls or control_id in s.controls)
    ]


def _rows(session: Session, scan_ids: list[int], control_id: str) -> list[ResultLine]:
    if not scan_ids:
        return []
    rows = session.scalars(
        select(ResultRow)
        .where(ResultRow.scan_id.in_(scan_ids), ResultRow.control_id == control_id)
        .order_by(ResultRow.id)
    )
    return [_line(row) for row in rows]


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


def control_notes(session: Session, engagement: Engagement, control_id: str) -> str:
    state = store_states.control_state(session, engagement, control_id)
    return state.notes if state is not None else ""


def load_snapshot(
    session: Session,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    *,
    status: str,
    stale_reason: str = "",
    unlocked: bool = False,
) -> ControlSnapshot:
    engagement = get_engagement(session, engagement_id)
    frameworks = tuple(engagement.frameworks)
    scans, lines, previous_scans, previous_lines = latest_results(session, engagement, control_id)
    attachments = store_attachments.attachments(session, engagement, control_id)
    exceptions = store_risk.exceptions(session, engagement, control_id)
    sign_offs = reversed(store_signoffs.sign_offs(session, engagement, control_id))
    return ControlSnapshot(
        engagement_id=engagement_id,
        control=catalogue.get(control_id),
        status=status,
        frameworks=frameworks,
        scans=tuple(scans),
        results=tuple(lines),
        delta=result_delta(lines, previous_lines, previous_scans[0] if previous_scans else None),
        attachments=tuple(_attachment_info(a) for a in attachments),
        notes=control_notes(session, engagement, control_id),
        exceptions=tuple(_exception_info(e) for e in exceptions),
        sign_offs=tuple(_sign_off_info(s) for s in sign_offs),
        stale_reason=stale_reason,
        unlocked=unlocked,
    )
