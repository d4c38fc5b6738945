"""The result document of `audit-binder scan --json` (schema_version 1).

Its JSON Schema is `docs/scan-result.schema.json`: new fields are additive. Built in
one place, from a scan's outcome or from a stored scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.aws.receipts import CallReceipt
from app.controls.results import CheckResult
from app.evidence import iso_utc
from app.store.models import Scan
from app.store.scan_state import ScanState
from app.store.scans import to_check_result

SCHEMA_VERSION = 1


def result_document(
    *,
    account_id: str,
    caller_arn: str,
    started_at: datetime,
    finished_at: datetime | None,
    regions: Sequence[str],
    results: Iterable[CheckResult],
    skipped_regions: Sequence[str] = (),
    engagement: str = "",
    scan_id: int | None = None,
    state: ScanState,
    error: str = "",
    receipts: Sequence[CallReceipt] = (),
) -> dict[str, Any]:
    """The keys docs/scan-result.schema.json requires, plus `skipped_regions`, `engagement`,
    `scan` and `api_calls` (additive); `scan.error` says why a scan is incomplete, failed or
    not stored; `api_calls` are the receipts of the calls made (request ids, hashes, counts)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "account": {"id": account_id, "caller_arn": caller_arn},
        "started_at": iso_utc(started_at),
        "finished_at": iso_utc(finished_at) if finished_at is not None else None,
        "regions": list(regions),
        "skipped_regions": list(skipped_regions),
        "engagement": engagement,
        "scan": {"id": scan_id, "state": state.value, "error": error},
        "results": [result.to_json() for result in results],
        "api_calls": [receipt.to_json() for receipt in receipts],
    }


def document_for_scan(scan: Scan) -> dict[str, Any]:
    """The document of a stored scan (call it while the scan's ORM session is open)."""
    return result_document(
        account_id=scan.account_id,
        caller_arn=scan.caller_arn,
        started_at=scan.started_at,
        finished_at=scan.finished_at,
        regions=list(scan.regions),
        results=[to_check_result(row) for row in scan.results],
        skipped_regions=list(scan.skipped_regions),
        engagement=scan.engagement.name,
        scan_id=scan.id,
        state=scan.state,
        error=scan.error,
        receipts=[CallReceipt.from_json(item) for item in scan.receipts or []],
    )


def write_document(document: dict[str, Any] | list[dict[str, Any]], path: Path) -> None:
    """Write atomically (temp file, then rename): a reader never sees half a document.

    A list (one document per account of an organization scan) is written the same way."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(
            json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)  # no stray half-document beside the target
        raise
