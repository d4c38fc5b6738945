"""A criterion's implementation, derived from its controls, on a small catalogue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.implementation import Implementation
from app.services.soa import DecisionChange, decide, set_soc2_scope, soa_rows, soc2_rows
from app.store.control_states import set_control_state
from app.store.models import Engagement
from app.store.risk import add_exception, today_utc
from app.store.signoffs import sign_off
from tests.store.conftest import attach, record_scan, result


def _implementation(
    session: Session, engagement: Engagement, catalogue: Catalogue
) -> dict[str, str]:
    return {
        r.criterion_id: r.implementation.value for r in soa_rows(session, engagement, catalogue)
    }


def test_with_nothing_done_every_row_is_not_yet(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    rows = soa_rows(session, engagement, small_catalogue)

    assert [r.criterion_id for r in rows] == ["A.5.1", "A.5.2", "A.7.1", "A.7.2", "A.8.20"]
    assert {r.implementation for r in rows} == {Implementation.NOT_YET}
    assert rows[0].theme == "organizational" and rows[2].theme == "physical"
    assert [c.id for c in rows[3].controls] == ["policies", "data-centre"]
    assert rows[1].controls == ()
    assert not any(r.decided for r in rows)


def test_a_manual_control_is_in_place_once_every_evidence_item_is_attached(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    attach(session, engagement, "policies", "policy")
    assert _implementation(session, engagement, small_catalogue)["A.5.1"] == "not_yet"

    attach(session, engagement, "policies", "review")

    rows = {r.criterion_id: r for r in soa_rows(session, engagement, small_catalogue)}
    assert rows["A.5.1"].implementation == Implementation.IMPLEMENTED
    assert [e.name for e in rows["A.5.1"].evidence] == ["policy.pdf", "review.pdf"]
    assert rows["A.8.20"].implementation == Implementation.PARTLY  # sg-inbound not checked


def test_a_current_sign_off_puts_a_manual_control_in_place_until_it_goes_stale(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    sign_off(session, engagement, "policies", reviewer="Ana", role="CISO")
    assert _implementation(session, engagement, small_catalogue)["A.5.1"] == "implemented"

    attach(session, engagement, "policies", "policy")  # the sign-off is stale now

    [row] = [r for r in soa_rows(session, engagement, small_catalogue) if r.criterion_id == "A.5.1"]
    assert row.controls[0].status == ControlStatus.STALE
    assert row.implementation == Implementation.NOT_YET


def test_inherited_when_every_control_is_inherited_with_the_providers_report(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    attach(session, engagement, "data-centre", "aws-report")

    found = _implementation(session, engagement, small_catalogue)

    assert found["A.7.1"] == "inherited"
    assert found["A.7.2"] == "partly"  # the company's own side (policies) is not done
    attach(session, engagement, "policies", "policy")
    attach(session, engagement, "policies", "review")
    assert _implementation(session, engagement, small_catalogue)["A.7.2"] == "implemented"


def test_an_automated_control_counts_when_passing_or_excepted(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    set_control_state(
        session,
        engagement,
        "policies",
        actor="ana",
        applicability="not_applicable",
        applicability_reason="One network, no policy needed here",
    )
    record_scan(session, engagement, [result(status=Status.FAIL)])
    assert _implementation(session, engagement, small_catalogue)["A.8.20"] == "not_yet"

    add_exception(
        session,
        engagement,
        "sg-inbound",
        actor="ana",
        justification="Public web server",
        approver="CTO",
        expires_on=today_utc() + timedelta(days=30),
    )
    assert _implementation(session, engagement, small_catalogue)["A.8.20"] == "implemented"

    record_scan(session, engagement, [result(status=Status.ERROR)])
    assert _implementation(session, engagement, small_catalogue)["A.8.20"] == "not_yet"
    record_scan(session, engagement, [result(status=Status.PASS)])
    assert _implementation(session, engagement, small_catalogue)["A.8.20"] == "implemented"


def test_excluded_when_the_decision_says_it_does_not_apply(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    attach(session, engagement, "data-centre", "aws-report")
    decide(
        session,
        engagement,
        small_catalogue,
        ["A.7.1"],
        DecisionChange(applies=False, justification="No premises of our own"),
        actor="ana",
    )

    assert _implementation(session, engagement, small_catalogue)["A.7.1"] == "excluded"


def test_soc2_rows_are_the_criteria_of_the_categories_in_scope(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    attach(session, engagement, "data-centre", "aws-report")
    assert [r.criterion_id for r in soc2_rows(session, engagement, small_catalogue)] == [
        "CC1.1",
        "CC6.6",
    ]

    set_soc2_scope(session, engagement, ["availability"], actor="ana")
    rows = soc2_rows(session, engagement, small_catalogue)

    assert [(r.criterion_id, r.category, r.implementation.value) for r in rows] == [
        ("CC1.1", "security", "not_yet"),
        ("CC6.6", "security", "not_yet"),
        ("A1.2", "availability", "inherited"),
    ]
    assert rows[2].category_title == "Availability" and rows[2].theme == "A1"
