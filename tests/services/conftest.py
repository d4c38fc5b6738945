"""Service fixtures: the store's real SQLite file per test, and scans dated at will."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.controls.results import CheckResult, Status
from app.store.database import open_database
from app.store.engagements import create_engagement
from app.store.models import Engagement, Scan
from tests.store.conftest import ACCOUNT, record_scan, result

__all__ = ["ACCOUNT", "result"]

# 1 June 2026, 09:00 UTC: day 0 of the tests' timelines.
DAY0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SG = "arn:aws:ec2:eu-west-1:123456789012:security-group/"


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh store file (migrated to head), committed at the end."""
    with open_database(tmp_path / "audit-binder.sqlite3") as db, db.session() as session:
        yield session


@pytest.fixture
def engagement(session: Session) -> Engagement:
    return create_engagement(session, "Acme 2026", actor="qa", regions=["eu-west-1"])


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
