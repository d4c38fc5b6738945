"""Fixtures for the checklist and control page tests: a real DB with a scanned engagement.

Imported by the test modules; they build on the shell's `ctx` (tests/ui/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.store import scans as store_scans
from app.store.database import Database
from app.store.engagements import create_engagement
from app.ui.context import AppContext, SignedIn

ACCOUNT = "123456789012"
ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/AuditRole/founder@example.com"


def _evidence(at: datetime, group: str) -> Evidence:
    return Evidence(
        operation="ec2:DescribeSecurityGroups",
        parameters={"GroupIds": [group]},
        region="us-east-1",
        collected_at=at,
        excerpt={"GroupId": group, "IpPermissions": [{"FromPort": 22, "IpRanges": ["0.0.0.0/0"]}]},
    )


def sg_arn(group: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{group}"


def add_scan(
    db: Database,
    engagement_id: int,
    rows: list[tuple[str, str, Status, str]],
    started: datetime,
    control: str = "sg-inbound",
) -> int:
    """One complete scan of `control` with rows (region, group, status, detail)."""
    with db.session() as session:
        from app.store.engagements import get_engagement

        engagement = get_engagement(session, engagement_id)
        scan = store_scans.start_scan(
            session,
            engagement,
            account_id=ACCOUNT,
            actor=ARN,
            caller_arn=ARN,
            regions=["us-east-1", "eu-west-1"],
            controls=[control],
        )
        scan.started_at = started
        results = [
            CheckResult(
                control=control,
                check="sg-inbound-restricted",
                region=region,
                resource=sg_arn(group, region),
                status=status,
                detail=detail,
                account_id=ACCOUNT,
                evidence=(_evidence(started, group),),
            )
            for region, group, status, detail in rows
        ]
        store_scans.add_results(session, scan, results)
        store_scans.finish_scan(session, scan, actor=ARN)
        return scan.id


@pytest.fixture
def db(ctx: AppContext) -> Database:
    """The store of the shell's test context (tests/ui/conftest.py)."""
    database: Database = ctx.db
    return database


@pytest.fixture
def engagement_id(db: Database, signed_in: AppContext) -> int:
    """An engagement with two scans of sg-inbound (the later one changed two rows), open
    in a context signed in as the founder."""
    with db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor=ARN, client="Acme")
        eid = engagement.id
    start = datetime.now(UTC) - timedelta(hours=2)
    add_scan(
        db,
        eid,
        [
            ("us-east-1", "sg-0aaa", Status.PASS, "no world-open rule"),
            ("us-east-1", "sg-0bbb", Status.PASS, "no world-open rule"),
            ("eu-west-1", "sg-0ccc", Status.FAIL, "tcp 3389 open to 0.0.0.0/0"),
        ],
        start,
    )
    add_scan(
        db,
        eid,
        [
            ("us-east-1", "sg-0aaa", Status.PASS, "no world-open rule"),
            ("us-east-1", "sg-0bbb", Status.FAIL, "tcp 22 open to 0.0.0.0/0"),
            ("eu-west-1", "sg-0ccc", Status.PASS, "no world-open rule"),
            ("eu-west-1", "sg-0ddd", Status.ERROR, "AccessDenied: ec2:DescribeSecurityGroups"),
        ],
        start + timedelta(hours=1),
    )
    return eid


@pytest.fixture
def signed_in(ctx: AppContext) -> AppContext:
    """The shell's test context, signed in as the founder (who adds evidence, etc.)."""
    ctx.set_signed_in(SignedIn(account_id=ACCOUNT, arn=ARN, profile="acme"))
    return ctx
