"""Service fixtures: a small catalogue with automated, manual and inherited controls; the
store's real SQLite file per test (from tests/store), and scans dated at will."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import (
    Catalogue,
    Control,
    Criterion,
    Inherited,
    ManualEvidence,
    Mapping,
    load_catalogue,
)
from app.controls.results import CheckResult, Status
from app.store.models import Engagement, Scan

# Re-exported so service tests need one import for their store fixtures.
from tests.store import conftest as store
from tests.store.conftest import ACCOUNT, attach, record_scan, result

db_path = store.db_path
db = store.db
session = store.session
engagement = store.engagement

__all__ = ["ACCOUNT", "attach", "result"]

ISO = "iso27001"


def _control(
    base: Control, control_id: str, iso: tuple[str, ...], soc2: tuple[str, ...], **changes: object
) -> Control:
    mapping = Mapping(iso27001=iso, soc2=soc2, scf=())
    return dataclasses.replace(base, id=control_id, mapping=mapping, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def small_catalogue() -> Catalogue:
    """sg-inbound (automated), policies (manual, two evidence items), data-centre
    (inherited from AWS, the provider's report as its evidence), over six criteria."""
    real = load_catalogue()
    automated = _control(real.get("sg-inbound"), "sg-inbound", ("A.8.20",), ("CC6.6",))
    manual = _control(
        real.get("backups"),
        "policies",
        ("A.5.1", "A.7.2", "A.8.20"),
        ("CC1.1",),
        checks=(),
        manual_evidence=(
            ManualEvidence("policy", "Approved policy", "The signed policy."),
            ManualEvidence("review", "Review record", "The last yearly review."),
        ),
    )
    inherited = _control(
        real.get("backups"),
        "data-centre",
        ("A.7.1", "A.7.2"),
        ("A1.2",),
        checks=(),
        manual_evidence=(ManualEvidence("aws-report", "AWS SOC 2 report", "From AWS Artifact."),),
        inherited=Inherited(provider="AWS", scope="AWS data centres.", report="AWS Artifact"),
    )
    criteria = (
        Criterion(framework=ISO, id="A.5.1", title="Policies", category=""),
        Criterion(framework=ISO, id="A.5.2", title="Roles", category=""),
        Criterion(framework=ISO, id="A.7.1", title="Perimeters", category=""),
        Criterion(framework=ISO, id="A.7.2", title="Entry", category=""),
        Criterion(framework=ISO, id="A.8.20", title="Network security", category=""),
        Criterion(framework="soc2", id="CC1.1", title="Integrity", category="security"),
        Criterion(framework="soc2", id="CC6.6", title="Boundaries", category="security"),
        Criterion(framework="soc2", id="A1.2", title="Recovery", category="availability"),
    )
    # A.5.2 is covered by nothing in this small catalogue: its row is "not yet".
    return Catalogue(controls=(automated, manual, inherited), criteria=criteria)


# 1 June 2026, 09:00 UTC: day 0 of the tests' timelines.
DAY0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SG = "arn:aws:ec2:eu-west-1:123456789012:security-group/"


def day(number: float) -> datetime:
    return DAY0 + timedelta(days=number)


def sg_rows(*statuses: Status) -> list[CheckResult]:
    """One sg-inbound row per status, resources sg-0, sg-1, ..."""
    return [result("sg-inbound", f"{SG}sg-{n}", status) for n, status in enumerate(statuses)]


def scan_at(
    session: Session,
    engagement: Engagement,
    at: datetime,
    rows: Sequence[CheckResult] = (),
    *,
    state: str = "complete",
    account_id: str = ACCOUNT,
    controls: Sequence[str] = (),
    error: str = "",
) -> Scan:
    """A stored scan started at `at` (rows get that account id)."""
    rows = [replace(r, account_id=account_id) for r in rows]
    scan = record_scan(
        session, engagement, rows, state=state, controls=controls, account_id=account_id
    )
    scan.started_at = at
    scan.finished_at = at + timedelta(minutes=1)
    scan.error = error
    session.flush()
    return scan
