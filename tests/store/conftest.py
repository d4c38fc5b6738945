"""Store fixtures: a real store per test (SQLite file, PostgreSQL database), an
engagement, result builders. `db_path` is for what only an SQLite file has."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue, Control, load_catalogue
from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.store.attachments import add_attachment
from app.store.audit import audit_log
from app.store.database import Database, open_database
from app.store.engagements import create_engagement, list_engagements
from app.store.location import StoreLocation
from app.store.models import Engagement, Scan
from app.store.scans import add_results, finish_scan, start_scan
from tests.conftest import StoreBackend

ACCOUNT = "123456789012"


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def controls(ids: Sequence[str]) -> list[Control]:
    """The catalogue's controls of these ids (`control_summaries` takes controls)."""
    return [_catalogue().get(control_id) for control_id in ids]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "audit-binder.sqlite3"


@pytest.fixture
def db(store_location: StoreLocation) -> Iterator[Database]:
    """An open store, on each back end in turn."""
    database = open_database(store_location)
    yield database
    database.close()


@pytest.fixture
def laptop(store_backend: StoreBackend, tmp_path: Path) -> Iterator[Database]:
    """Another store on the same back end as `db`: where an engagement file is imported."""
    location = store_backend.new_store(tmp_path / "laptop")
    database = open_database(location)
    yield database
    database.close()
    store_backend.discard(location)


def assert_nothing_imported(database: Database) -> None:
    with database.session() as session:
        assert list_engagements(session) == []
        assert audit_log(session) == []


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """One open session; tests commit explicitly when they reopen or compare."""
    with db.session() as session:
        yield session


@pytest.fixture
def engagement(session: Session) -> Engagement:
    return create_engagement(
        session, "Acme 2026", actor="founder@acme.test", client="Acme Ltd", regions=["eu-west-1"]
    )


def result(
    control: str = "sg-inbound",
    resource: str = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
    status: Status = Status.PASS,
    *,
    check: str = "sg-inbound-restricted",
    region: str = "eu-west-1",
    detail: str = "",
) -> CheckResult:
    evidence = Evidence(
        operation="ec2:DescribeSecurityGroups",
        parameters={"GroupIds": [resource.rsplit("/", 1)[-1]]},
        region=region,
        collected_at=datetime(2026, 11, 28, 10, 0, 5, tzinfo=UTC),
        excerpt={"IpPermissions": []},
    )
    return CheckResult(
        control=control,
        check=check,
        region=region,
        resource=resource,
        status=status,
        detail=detail or f"{status.value.lower()} for {resource}",
        account_id=ACCOUNT,
        evidence=(evidence,),
    )


def record_scan(
    session: Session,
    engagement: Engagement,
    results: Sequence[CheckResult],
    *,
    state: str = "complete",
    controls: Sequence[str] = (),
    account_id: str = ACCOUNT,
) -> Scan:
    scan = start_scan(
        session,
        engagement,
        account_id=account_id,
        actor="founder@acme.test",
        caller_arn=f"arn:aws:sts::{account_id}:assumed-role/Audit/founder",
        regions=["eu-west-1"],
        controls=controls,
    )
    add_results(session, scan, results)
    if state != "running":
        finish_scan(session, scan, state, actor="founder@acme.test")
    return scan


def attach(session: Session, engagement: Engagement, control: str, item: str) -> None:
    """A small PDF attached to `control` against its manual evidence item `item`."""
    add_attachment(
        session,
        engagement,
        control,
        name=f"{item}.pdf",
        content=b"%PDF-1.7 " + item.encode(),
        actor="ana",
        evidence_item=item,
    )
