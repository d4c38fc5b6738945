"""The adapter from the store and the catalogue to the binder's plain values (`model.py`).

Status, exceptions and sign-off staleness come from the store's own derivation
(`app/store/control_status.py`), so the binder says exactly what the checklist says.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from app import __version__
from app.controls.catalogue import FRAMEWORKS, Catalogue, Control, load_catalogue
from app.report.manifest import sha256_hex
from app.report.model import (
    ApiCall,
    AttachmentItem,
    BinderData,
    CheckBlock,
    ControlSection,
    EngagementInfo,
    ExceptionItem,
    ExportItem,
    Period,
    PopulationRow,
    SignOffItem,
    controls_chapter,
)
from app.report.scan_evidence import (
    ReceiptIndex,
    embedded_scans,
    listings_behind,
    population_row,
    receipt_index,
    scan_changes,
    scan_item,
    status_counts,
)
from app.services.framework_summary import framework_totals
from app.services.ledger import build_ledger
from app.services.recurring import evidence_schedule
from app.services.soa import statement
from app.store.attachments import attachments as stored_attachments
from app.store.control_states import control_states
from app.store.control_status import control_summaries
from app.store.engagements import find_engagement, list_engagements
from app.store.exports import binder_exports
from app.store.models import Attachment, ResultRow, RiskException, Scan
from app.store.risk import active_exceptions, exceptions, matching_exception
from app.store.scan_state import ScanState
from app.store.scans import latest_results, scans
from app.store.signoffs import sign_offs, verify_chain


class UnknownEngagement(LookupError):
    """No engagement of that name; the message lists the ones there are."""

    def __init__(self, name: str, existing: Sequence[str]) -> None:
        self.name = name
        self.existing = tuple(existing)
        if existing:
            known = ", ".join(f"'{n}'" for n in existing)
            message = f"There is no engagement named '{name}'. Existing engagements: {known}."
        else:
            message = f"There is no engagement named '{name}': the database has none yet."
        super().__init__(message)


def gather(
    session: Session,
    engagement_name: str,
    *,
    catalogue: Catalogue | None = None,
    now: datetime | None = None,
) -> BinderData:
    engagement = find_engagement(session, engagement_name)
    if engagement is None:
        raise UnknownEngagement(engagement_name, [e.name for e in list_engagements(session)])
    catalogue = catalogue or load_catalogue()
    moment = now or datetime.now(UTC)
    today = moment.date()
    period = Period(engagement.period_start, engagement.period_end)
    summaries = control_summaries(session, engagement, catalogue.controls, today)
    history = sorted(scans(session, engagement), key=lambda s: (s.started_at, s.id))
    scan_by_id = {s.id: s for s in history}
    latest = latest_results(session, engagement, catalogue.ids)
    shown = {r.scan_id for v in latest.values() for r in v}
    receipts = receipt_index(scan_by_id[i] for i in shown)
    embedded = embedded_scans(history, shown)
    counts = status_counts(session, engagement)
    in_force = active_exceptions(session, engagement, today)
    all_exceptions = exceptions(session, engagement)
    states = control_states(session, engagement)
    files = stored_attachments(session, engagement)
    chain = sign_offs(session, engagement)
    frameworks = tuple(engagement.frameworks)
    chapter = controls_chapter(frameworks)
    due = evidence_schedule(session, engagement, catalogue=catalogue, as_of=today)
    sections = []
    # Numbered family by family: the order of the binder's "Controls" chapter.
    in_order = [control for _, controls in catalogue.by_family() for control in controls]
    for index, control in enumerate(in_order, start=1):
        summary = summaries[control.id]
        state = states.get(control.id)
        own_exceptions = [e for e in in_force if e.control_id == control.id]
        rows = [
            population_row(
                r, period, matching_exception(own_exceptions, control.id, r.resource, today)
            )
            for r in latest[control.id]
        ]
        sections.append(
            ControlSection(
                number=f"{chapter}.{index}",
                control=control,
                status=summary.status,
                applicable=summary.applicable,
                applicability_reason=state.applicability_reason if state else "",
                owner=state.owner if state else "",
                notes=state.notes if state else "",
                checks=_checks(control, rows, latest[control.id], scan_by_id, receipts),
                attachments=tuple(
                    _attachment(a, period) for a in files if a.control_id == control.id
                ),
                exceptions=tuple(
                    _exception(e, today) for e in all_exceptions if e.control_id == control.id
                ),
                sign_offs=tuple(
                    SignOffItem(
                        control_id=o.control_id,
                        reviewer=o.reviewer,
                        role=o.role,
                        comment=o.comment,
                        signed_at=o.signed_at,
                        record_hash=o.record_hash,
                        stale=o.approved_hash != summary.current_hash,
                    )
                    for o in chain
                    if o.control_id == control.id
                ),
                requests=due.for_control(control.id),
            )
        )
    soa = statement(session, engagement, catalogue, summaries)
    # Who collected the evidence: the caller of the newest complete scan (else any scan).
    newest_first = list(reversed(history))
    complete = [s for s in newest_first if s.state == ScanState.COMPLETE]
    identity = (complete or newest_first)[0] if newest_first else None
    # The cover names every account evidence came from: a scan from the command line
    # adds none to the engagement's list, and "none recorded" beside it would mislead.
    accounts = [(a.account_id, a.alias) for a in engagement.accounts]
    listed = {account_id for account_id, _ in accounts}
    accounts += [(a, "") for a in sorted({s.account_id for s in history} - listed) if a]
    return BinderData(
        engagement=EngagementInfo(
            name=engagement.name,
            client=engagement.client,
            frameworks=frameworks,
            period=period,
            accounts=tuple(accounts),
            regions=tuple(engagement.regions),
            notes=engagement.notes,
            is_demo=engagement.is_demo,
        ),
        generated_at=moment,
        generated_by=identity.caller_arn if identity is not None else "",
        app_version=__version__,
        controls=tuple(sections),
        scans=tuple(
            scan_item(s, period, counts.get(s.id, {}), embed=s.id in embedded) for s in history
        ),
        changes=scan_changes(history, period),
        frameworks=tuple(
            framework_totals(summaries, catalogue, frameworks or tuple(FRAMEWORKS), soa)
        ),
        statement=soa,
        chain_problems=verify_chain(session, engagement).problems,
        exports=tuple(
            ExportItem(
                exported_at=x.exported_at,
                exported_by=x.exported_by,
                file_name=x.file_name,
                digest=x.digest,
                signer=x.signer,
                signer_fingerprint=x.signer_fingerprint,
            )
            for x in binder_exports(session, engagement)
        ),
        ledger=build_ledger(session, engagement, now=moment),
        evidence_due=due,
    )


def _checks(
    control: Control,
    rows: list[PopulationRow],
    stored: list[ResultRow],
    scan_by_id: dict[int, Scan],
    receipts: ReceiptIndex,
) -> tuple[CheckBlock, ...]:
    by_check: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_check[row.check_id].append(index)
    specs = {c.id: c for c in control.checks}
    order = [c.id for c in control.checks if c.id in by_check]
    order += sorted(set(by_check) - set(order))
    blocks = []
    for check_id in order:
        indexes = by_check[check_id]
        spec = specs.get(check_id)
        scan_ids = sorted({rows[i].scan_id for i in indexes})
        calls = _calls(stored[i] for i in indexes)
        blocks.append(
            CheckBlock(
                check_id=check_id,
                title=spec.title if spec else "(not in this catalogue version)",
                proves=spec.proves if spec else "",
                calls=calls,
                listings=listings_behind(calls, scan_ids, receipts),
                rows=tuple(rows[i] for i in indexes),
                sources=tuple(
                    (s.account_id, s.caller_arn, s.id, s.started_at)
                    for s in (scan_by_id[i] for i in scan_ids if i in scan_by_id)
                ),
            )
        )
    return tuple(blocks)


def _calls(rows: Iterable[ResultRow]) -> tuple[ApiCall, ...]:
    seen: dict[tuple[str, str, str], list[Any]] = {}
    for row in rows:
        for item in row.evidence or []:
            params = json.dumps(item.get("parameters") or {}, sort_keys=True, ensure_ascii=False)
            key = (str(item.get("operation", "")), params, str(item.get("region", "")))
            when = _parse_time(item.get("collected_at")) or row.collected_at
            entry = seen.get(key)
            if entry is None:
                seen[key] = [when, when, 1]
            else:
                entry[0], entry[1], entry[2] = (
                    min(entry[0], when),
                    max(entry[1], when),
                    entry[2] + 1,
                )
    return tuple(
        ApiCall(
            operation=k[0], parameters=k[1], region=k[2], first_at=v[0], last_at=v[1], rows=v[2]
        )
        for k, v in sorted(seen.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1]))
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    return _parse_iso(value)


@lru_cache(maxsize=1024)
def _parse_iso(value: str) -> datetime | None:
    # A scan's evidence shares a few timestamps; strptime is slow enough to cache.
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _attachment(a: Attachment, period: Period) -> AttachmentItem:
    content = bytes(a.content)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", a.original_name).strip("._") or "file"
    return AttachmentItem(
        id=a.id,
        control_id=a.control_id,
        evidence_item=a.evidence_item,
        name=a.original_name,
        media_type=a.media_type,
        size=len(content),
        stored_sha256=a.sha256,
        sha256=sha256_hex(content),
        content=content,
        description=a.description,
        added_by=a.added_by,
        added_at=a.added_at,
        in_period=period.contains_day(a.effective_on or a.added_at.date()),
        embedded_name=f"attachment-{a.id:04d}-{safe[-80:]}",
        effective_on=a.effective_on,
    )


def _exception(e: RiskException, today: date) -> ExceptionItem:
    if e.revoked_at is not None:
        state = f"revoked {e.revoked_at.date()}"
    elif e.expires_on is not None and e.expires_on < today:
        state = "expired"
    else:
        state = "active"
    return ExceptionItem(
        control_id=e.control_id,
        resource_pattern=e.resource_pattern,
        justification=e.justification,
        approver=e.approver,
        expires_on=e.expires_on,
        created_by=e.created_by,
        created_at=e.created_at,
        state=state,
    )
