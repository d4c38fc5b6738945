"""Scans as evidence: each scan's result document, its row of the history, what changed
between an account's last two complete scans, and the listings behind each population."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.aws.receipts import CallReceipt
from app.controls.results import Status
from app.report.model import ApiCall, Period, PopulationRow, ScanChanges, ScanItem
from app.scan.compare import common_scope, not_compared
from app.scan.document import document_for_scan
from app.store.models import Engagement, ResultRow, RiskException, Scan
from app.store.scan_state import ScanState


def population_row(
    row: ResultRow, period: Period, exception: RiskException | None
) -> PopulationRow:
    return PopulationRow(
        control_id=row.control_id,
        check_id=row.check_id,
        account_id=row.account_id,
        region=row.region,
        resource=row.resource,
        status=Status(row.status),
        detail=row.detail,
        collected_at=row.collected_at,
        in_period=period.contains(row.collected_at),
        scan_id=row.scan_id,
        excepted=row.status == Status.FAIL and exception is not None,
    )


def scan_document(scan: Scan) -> bytes:
    """The scan's result document, exactly as `audit-binder scan --json` writes it."""
    document = document_for_scan(scan)
    return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode("utf-8")


def scan_item(
    scan: Scan, period: Period, counts: Mapping[Status, int], *, embed: bool = True
) -> ScanItem:
    """The scan's row of the history; its result document only when `embed`."""
    return ScanItem(
        id=scan.id,
        account_id=scan.account_id,
        caller_arn=scan.caller_arn,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        state=scan.state,
        app_version=scan.app_version,
        regions=tuple(scan.regions),
        skipped_regions=tuple(scan.skipped_regions),
        controls=tuple(scan.controls),
        error=scan.error,
        counts=dict(counts),
        in_period=period.contains(scan.started_at),
        embedded_name=f"scan-{scan.id:04d}-{scan.account_id}.json" if embed else "",
        document=scan_document(scan) if embed else None,
    )


def status_counts(session: Session, engagement: Engagement) -> dict[int, dict[Status, int]]:
    """Per scan of the engagement, its rows by status (one aggregated query)."""
    query = (
        select(ResultRow.scan_id, ResultRow.status, func.count())
        .join(Scan, Scan.id == ResultRow.scan_id)
        .where(Scan.engagement_id == engagement.id)
        .group_by(ResultRow.scan_id, ResultRow.status)
    )
    counts: dict[int, dict[Status, int]] = defaultdict(dict)
    for scan_id, status, number in session.execute(query):
        counts[scan_id][Status(status)] = number
    return counts


def embedded_scans(history: Sequence[Scan], shown: Iterable[int]) -> set[int]:
    """The scans whose result documents the binder embeds: the latest complete scan of
    each account, and every scan a shown population comes from. Earlier scans are
    summarised in the period ledger (their rows stay in the store and the engagement
    file)."""
    latest: dict[str, int] = {}
    for scan in sorted(history, key=lambda s: (s.started_at, s.id)):
        if scan.state == ScanState.COMPLETE:
            latest[scan.account_id] = scan.id
    return set(latest.values()) | set(shown)


def scan_changes(history: list[Scan], period: Period) -> tuple[ScanChanges, ...]:
    """Per account, what changed between its last two complete scans, over what both
    scans covered (`app.scan.compare`)."""
    per_account: dict[str, list[Scan]] = defaultdict(list)
    for scan in history:
        if scan.state == ScanState.COMPLETE:
            per_account[scan.account_id].append(scan)
    changes = []
    for account, chosen in sorted(per_account.items()):
        if len(chosen) < 2:
            continue
        before, after = chosen[-2], chosen[-1]
        scope = common_scope(before, after)
        old = {_key(r): r for r in before.results if scope.compares(r.control_id, r.region)}
        new = {_key(r): r for r in after.results if scope.compares(r.control_id, r.region)}
        rows = {k: population_row(r, period, None) for k, r in new.items()}
        gone = {k: population_row(r, period, None) for k, r in old.items() if k not in new}
        changes.append(
            ScanChanges(
                account_id=account,
                previous_scan_id=before.id,
                latest_scan_id=after.id,
                new_failures=tuple(
                    rows[k]
                    for k, r in new.items()
                    if r.status == Status.FAIL and (k not in old or old[k].status != Status.FAIL)
                ),
                fixed=tuple(
                    rows[k]
                    for k, r in new.items()
                    if r.status == Status.PASS and k in old and old[k].status == Status.FAIL
                ),
                new_resources=tuple(rows[k] for k in new if k not in old),
                removed_resources=tuple(gone.values()),
                controls_compared=scope.controls,
                regions_not_compared=scope.regions_not_compared,
                not_compared=tuple(not_compared(scope)),
            )
        )
    return tuple(changes)


def _key(row: ResultRow) -> tuple[str, str, str, str]:
    return (row.control_id, row.check_id, row.region, row.resource)


ReceiptIndex = Mapping[int, Mapping[tuple[str, str, str], list[CallReceipt]]]


def receipt_index(
    scans: Iterable[Scan],
) -> dict[int, dict[tuple[str, str, str], list[CallReceipt]]]:
    """Per scan id, its listing receipts by call (operation, parameters, region)."""
    index: dict[int, dict[tuple[str, str, str], list[CallReceipt]]] = {}
    for scan in scans:
        by_key: dict[tuple[str, str, str], list[CallReceipt]] = defaultdict(list)
        for item in scan.receipts or []:
            receipt = CallReceipt.from_json(item)
            if receipt.records is not None:  # a listing: the population came from it
                by_key[receipt.key].append(receipt)
        index[scan.id] = by_key
    return index


def listings_behind(
    calls: Iterable[ApiCall], scan_ids: Iterable[int], index: ReceiptIndex
) -> tuple[CallReceipt, ...]:
    """The listing receipts of the source scans for the calls a population relied on."""
    keys = [(c.operation, c.parameters, c.region) for c in calls]
    found = [r for scan_id in scan_ids for key in keys for r in index.get(scan_id, {}).get(key, [])]
    return tuple(sorted(found, key=lambda r: (r.region, r.operation, r.called_at)))
