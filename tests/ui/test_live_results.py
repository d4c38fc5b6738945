"""Provisional rows of a running scan, as the control page's table labels them (the
judging itself is tested in tests/services/test_live_results.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.controls.results import CheckResult, Status
from app.services.live_results import LiveResults
from app.store.risk import ExceptionTerms, today_utc
from app.ui.control_page.results_model import status_label

SG = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0aaa"
OTHER = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0bbb"


def row(resource: str, status: Status) -> CheckResult:
    return CheckResult("sg-inbound", "sg-inbound-restricted", "us-east-1", resource, status, "")


def test_provisional_lines_say_so() -> None:
    accepted = ExceptionTerms(
        "sg-inbound", SG, datetime.now(UTC), None, today_utc() + timedelta(days=30)
    )
    live = LiveResults(1, (accepted,))
    lines = live.control("sg-inbound", [row(SG, Status.FAIL), row(OTHER, Status.FAIL)]).lines
    assert [status_label(line) for line in lines] == [
        "Fail (accepted) (provisional)",
        "Fail (provisional)",
    ]
    (passing,) = live.control("sg-inbound", [row(OTHER, Status.PASS)]).lines
    assert status_label(passing) == "Pass (provisional)"
