"""SoA approvals: versions, staleness from decisions only, one chain with the sign-offs."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.controls.results import Status
from app.store.audit import audit_log
from app.store.database import Database
from app.store.decisions import Decision, set_decisions
from app.store.engagements import create_engagement
from app.store.errors import InvalidInput
from app.store.models import Engagement
from app.store.signoffs import SOA_TARGET, sign_off, sign_offs, verify_chain
from app.store.soa_approvals import approve_soa, current_decisions_hash, soa_approvals
from tests.store.conftest import record_scan, result

INCLUDED = Decision(True, "risk-treatment", "", "CTO")


def test_approvals_are_versions_and_go_stale_when_a_decision_changes(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")

    first = approve_soa(session, engagement, reviewer=" Ana Lima ", role="CISO", comment="ok")

    assert (first.version, first.reviewer, first.role, first.current) == (
        1,
        "Ana Lima",
        "CISO",
        True,
    )
    assert first.approved_hash == current_decisions_hash(session, engagement)

    set_decisions(session, engagement, {"A.5.1": Decision(True, "legal")}, actor="ana")
    [stale] = soa_approvals(session, engagement)
    assert not stale.current

    second = approve_soa(session, engagement, reviewer="Bob", role="CEO")
    assert second.version == 2 and second.current
    assert [(a.version, a.current) for a in soa_approvals(session, engagement)] == [
        (1, False),
        (2, True),
    ]
    # Back to what version 1 approved: version 1 matches again, version 2 is stale.
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    assert [a.current for a in soa_approvals(session, engagement)] == [True, False]


def test_a_new_scan_does_not_make_the_approval_stale(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.8.20": INCLUDED}, actor="ana")
    approve_soa(session, engagement, reviewer="Ana", role="CISO")

    record_scan(session, engagement, [result(status=Status.FAIL)])

    assert soa_approvals(session, engagement)[-1].current


def test_approving_again_with_nothing_changed_is_refused(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    approve_soa(session, engagement, reviewer="Ana", role="CISO")

    with pytest.raises(InvalidInput, match=r"Version 1 .* already covers these decisions"):
        approve_soa(session, engagement, reviewer="Ana", role="CISO")
    with pytest.raises(InvalidInput, match="reviewer and a role"):
        approve_soa(session, engagement, reviewer="Ana", role=" ")
    assert len(soa_approvals(session, engagement)) == 1


def test_approvals_and_sign_offs_form_one_chain(session: Session, engagement: Engagement) -> None:
    record_scan(session, engagement, [result()])
    sign_off(session, engagement, "sg-inbound", reviewer="Ana", role="CISO")
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    approve_soa(session, engagement, reviewer="Bob", role="CEO")
    sign_off(session, engagement, "sg-inbound", reviewer="Carla", role="Auditor")

    chain = sign_offs(session, engagement)

    assert [s.control_id for s in chain] == ["sg-inbound", SOA_TARGET, "sg-inbound"]
    assert [s.previous_hash for s in chain] == ["", chain[0].record_hash, chain[1].record_hash]
    assert verify_chain(session, engagement).ok
    assert [e.action for e in audit_log(session, engagement)][-2:] == [
        "soa.approve",
        "sign_off.add",
    ]


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        (
            "UPDATE sign_offs SET role = 'CEO'",
            "sign-off 1 (the Statement of Applicability, Ana) was edited after it was recorded",
        ),
        ("DELETE FROM sign_offs", "the sign-off of the Statement of Applicability by Ana on"),
    ],
)
def test_an_approval_edited_or_removed_behind_the_apps_back_is_found(
    db: Database, statement: str, problem: str
) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Acme", actor="a")
        set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
        approve_soa(session, engagement, reviewer="Ana", role="CISO")
    with db.engine.begin() as connection:  # someone edits the file directly
        connection.execute(text(statement))
    with db.session() as session:
        check = verify_chain(session, engagement)
    [found] = check.problems
    assert found.startswith(problem)
