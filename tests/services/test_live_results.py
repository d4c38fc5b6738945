"""A running scan's provisional rows: judged as the store will judge them once stored, with
the engagement's exceptions read once per scan, so judging a control reads no store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.evidence import Evidence
from app.services.live_results import LiveResults
from app.store.control_status import control_summaries
from app.store.database import Database
from app.store.engagements import create_engagement, get_engagement
from app.store.errors import NotFound
from app.store.risk import (
    ExceptionTerms,
    add_exception,
    exceptions,
    revoke_exception,
    today_utc,
)
from tests.services.conftest import SG, record_scan, result, sg_rows
from tests.store.conftest import controls

ACCEPTED = f"{SG}sg-0"


@pytest.fixture
def engagement_id(db: Database) -> int:
    with db.session() as session:
        return create_engagement(session, "Live", actor="t", regions=["eu-west-1"]).id


def accept(db: Database, engagement_id: int, pattern: str, days: int = 30) -> None:
    """An exception for sg-inbound rows matching `pattern`, ending in `days` days."""
    with db.session() as session:
        add_exception(
            session,
            get_engagement(session, engagement_id),
            "sg-inbound",
            actor="t",
            justification="Public load balancer",
            approver="CTO",
            expires_on=today_utc() + timedelta(days=days),
            resource_pattern=pattern,
        )


def test_rows_become_provisional_lines(db: Database, engagement_id: int) -> None:
    early, late = datetime(2026, 11, 28, 10, tzinfo=UTC), datetime(2026, 11, 28, 11, tzinfo=UTC)
    calls = tuple(
        Evidence("ec2:DescribeSecurityGroups", {}, "eu-west-1", at, {"GroupId": "sg-0"})
        for at in (early, late)
    )
    failing, passing = sg_rows(Status.FAIL, Status.PASS)
    rows = [replace(failing, evidence=calls), passing]
    live = LiveResults.load(db, engagement_id).control("sg-inbound", rows)
    assert live.control_id == "sg-inbound" and live.status is ControlStatus.FAILING
    first, second = live.lines
    assert first.provisional and first.evidence_loaded and not first.accepted
    assert first.row_id < 0 and second.row_id < 0 and first.row_id != second.row_id
    assert first.collected_at == late  # as the store records it: the latest call
    assert first.evidence == calls
    assert (first.status, second.status) == (Status.FAIL, Status.PASS)
    assert (first.resource, first.check_id, first.region) == (ACCEPTED, failing.check, "eu-west-1")


def test_an_exception_accepts_the_fails_its_pattern_matches(
    db: Database, engagement_id: int
) -> None:
    accept(db, engagement_id, f"{SG}sg-0*")
    live = LiveResults.load(db, engagement_id)
    rows = sg_rows(Status.FAIL, Status.PASS)
    excepted = live.control("sg-inbound", rows)
    assert excepted.status is ControlStatus.EXCEPTION
    assert [line.accepted for line in excepted.lines] == [True, False]
    # sg-1 fails too: the pattern (case-sensitive, as ARNs are) does not cover it.
    both = live.control("sg-inbound", sg_rows(Status.FAIL, Status.FAIL))
    assert both.status is ControlStatus.FAILING
    assert [line.accepted for line in both.lines] == [True, False]
    upper = live.control("sg-inbound", [result("sg-inbound", f"{SG}SG-0", Status.FAIL)])
    assert upper.status is ControlStatus.FAILING
    # The exception is sg-inbound's: another control's fail on the same resource stays.
    other = live.control("no-ssh", [result("no-ssh", ACCEPTED, Status.FAIL)])
    assert other.status is ControlStatus.FAILING and not other.lines[0].accepted


def test_expired_and_revoked_exceptions_accept_nothing(db: Database, engagement_id: int) -> None:
    accept(db, engagement_id, "*", days=1)
    rows = sg_rows(Status.FAIL)
    live = LiveResults.load(db, engagement_id)
    last_day = today_utc() + timedelta(days=1)
    assert live.control("sg-inbound", rows, on=last_day).status is ControlStatus.EXCEPTION
    expired = live.control("sg-inbound", rows, on=last_day + timedelta(days=1))
    assert expired.status is ControlStatus.FAILING and not expired.lines[0].accepted

    with db.session() as session:
        (exception,) = exceptions(session, get_engagement(session, engagement_id))
        revoke_exception(session, exception, actor="t")
    revoked = LiveResults.load(db, engagement_id).control("sg-inbound", rows)
    assert revoked.status is ControlStatus.FAILING and not revoked.lines[0].accepted


def test_errors_are_never_excused_and_no_rows_is_not_checked(
    db: Database, engagement_id: int
) -> None:
    accept(db, engagement_id, "*")
    live = LiveResults.load(db, engagement_id)
    erroring = live.control("sg-inbound", sg_rows(Status.FAIL, Status.ERROR, Status.PASS))
    assert erroring.status is ControlStatus.ERROR
    assert [line.accepted for line in erroring.lines] == [True, False, False]
    assert live.control("sg-inbound", sg_rows(Status.ERROR)).status is ControlStatus.ERROR
    nothing = live.control("sg-inbound", [])
    assert nothing.status is ControlStatus.NOT_CHECKED and nothing.lines == ()
    passing = live.control("sg-inbound", sg_rows(Status.PASS, Status.NOT_APPLICABLE))
    assert passing.status is ControlStatus.PASSING


@pytest.mark.parametrize(
    "statuses",
    [(Status.FAIL, Status.PASS), (Status.FAIL, Status.FAIL), (Status.ERROR,), (Status.PASS,)],
)
def test_the_provisional_status_is_the_one_stored(
    db: Database, engagement_id: int, statuses: tuple[Status, ...]
) -> None:
    accept(db, engagement_id, ACCEPTED)
    rows = sg_rows(*statuses)
    live = LiveResults.load(db, engagement_id).control("sg-inbound", rows)
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        record_scan(session, engagement, rows)
        stored = control_summaries(session, engagement, controls(["sg-inbound"]))
    assert live.status is stored["sg-inbound"].status


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the store runs meanwhile."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def test_judging_a_control_reads_no_store(
    db: Database, engagement_id: int, statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    accept(db, engagement_id, ACCEPTED)
    statements.clear()
    live = LiveResults.load(db, engagement_id)
    assert statements  # the load is the one read
    statements.clear()

    def no_session(*_: object) -> None:
        raise AssertionError("a store session was opened")

    monkeypatch.setattr(Database, "session", no_session)
    for control_id in ("sg-inbound", "no-ssh", "backups"):
        judged = live.control(control_id, sg_rows(Status.FAIL, Status.PASS))
        assert judged.lines
    assert live.control("sg-inbound", sg_rows(Status.FAIL)).status is ControlStatus.EXCEPTION
    assert statements == []


def test_a_gone_engagement_cannot_be_loaded(db: Database) -> None:
    with pytest.raises(NotFound):
        LiveResults.load(db, 4242)


def test_the_exceptions_are_plain_values(db: Database, engagement_id: int) -> None:
    accept(db, engagement_id, ACCEPTED)
    (terms,) = LiveResults.load(db, engagement_id).exceptions
    # Not the ORM row: nothing of it can lazy-load behind the closed session.
    assert type(terms) is ExceptionTerms
    assert terms.control_id == "sg-inbound" and terms.resource_pattern == ACCEPTED
    assert terms.revoked_at is None and terms.expires_on == today_utc() + timedelta(days=30)
