"""Helpers for the report tests: small scans written straight into a store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.controls.results import CheckResult, Status
from app.store.models import Engagement
from app.store.scans import add_results, finish_scan, start_scan

ACCOUNT = "123456789012"


def _result(control: str, check: str, region: str, name: str, status: Status) -> CheckResult:
    resource = f"arn:aws:ec2:{region}:{ACCOUNT}:thing/{name}"
    return CheckResult(control, check, region, resource, status, "judged", ACCOUNT)


def stored_scan(
    session: Session,
    engagement: Engagement,
    regions: Sequence[str],
    rows: Sequence[CheckResult],
    controls: Sequence[str] = (),
) -> None:
    """A finished scan of `regions` (and `controls`, empty: all) holding `rows`."""
    scan = start_scan(
        session, engagement, account_id=ACCOUNT, actor="t", regions=regions, controls=controls
    )
    add_results(session, scan, rows)
    finish_scan(session, scan, actor="t")


def region_rows(regions: Sequence[str], trail_status: Status) -> list[CheckResult]:
    """A global CloudTrail row in `trail_status`, and a passing NACL and security group
    row per region."""
    rows = [_result("cloudtrail", "trail-logging", "global", "trail", trail_status)]
    for region in regions:
        rows.append(_result("nacls", "nacl-restricted", region, f"acl-{region}", Status.PASS))
        rows.append(
            _result("sg-inbound", "sg-inbound-restricted", region, f"sg-{region}", Status.PASS)
        )
    return rows
