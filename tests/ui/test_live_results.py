"""Provisional rows of a running scan: the status and table lines they will give once stored,
with the engagement's active exceptions applied the way the store applies them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.store.database import open_database
from app.store.engagements import create_engagement, get_engagement
from app.store.risk import add_exception, today_utc
from app.ui.control_page.live_results import live_control
from app.ui.control_page.results_model import status_label

SG = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0aaa"
OTHER = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bbb"


def row(resource: str, status: Status, *times: datetime) -> CheckResult:
    evidence = tuple(
        Evidence("ec2:DescribeSecurityGroups", {}, "us-east-1", at, {"GroupId": resource})
        for at in times
    )
    return CheckResult(
        "sg-inbound",
        "sg-inbound-restricted",
        "us-east-1",
        resource,
        status,
        "open to the world",
        "123456789012",
        evidence,
    )


def test_live_status_and_lines_follow_the_store_rules(tmp_path: Path) -> None:
    early, late = datetime(2026, 11, 28, 10, tzinfo=UTC), datetime(2026, 11, 28, 11, tzinfo=UTC)
    with open_database(tmp_path / "live.sqlite3") as db:
        with db.session() as session:
            engagement = create_engagement(session, "Live", actor="t")
            eid = engagement.id
        rows = [row(SG, Status.FAIL, early, late), row(OTHER, Status.PASS)]
        with db.session() as session:
            failing = live_control(session, eid, "sg-inbound", rows)
        assert failing.status == "failing"
        first = failing.lines[0]
        assert first.provisional and first.row_id < 0 and first.evidence_loaded
        assert first.collected_at == late  # as the store records it: the latest call
        assert first.evidence[0]["operation"] == "ec2:DescribeSecurityGroups"
        assert status_label(first) == "Fail (provisional)"
        assert len({line.row_id for line in failing.lines}) == 2

        with db.session() as session:
            add_exception(
                session,
                get_engagement(session, eid),
                "sg-inbound",
                actor="t",
                justification="Public load balancer",
                approver="CTO",
                expires_on=today_utc() + timedelta(days=30),
                resource_pattern=SG,
            )
        with db.session() as session:
            excepted = live_control(session, eid, "sg-inbound", rows)
            erroring = live_control(session, eid, "sg-inbound", [*rows, row(OTHER, Status.ERROR)])
            nothing = live_control(session, eid, "sg-inbound", [])
        assert excepted.status == "exception"
        assert excepted.lines[0].accepted
        assert status_label(excepted.lines[0]) == "Fail (accepted) (provisional)"
        assert erroring.status == "error"  # errors are never excused by exceptions
        assert nothing.status == "not_checked"
