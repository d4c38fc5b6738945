"""Statement of Applicability decisions: validation, all or nothing, the hash, copying."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import audit_log
from app.store.decisions import (
    UNDECIDED,
    Decision,
    DecisionsRejected,
    copy_decisions,
    decision_problems,
    decisions,
    decisions_hash,
    parse_reason,
    set_decisions,
)
from app.store.engagements import (
    clean_soc2_categories,
    create_engagement,
    delete_engagement,
    update_engagement,
)
from app.store.errors import InvalidInput
from app.store.models import CriterionDecision, Engagement

INCLUDED = Decision(True, "risk-treatment", "", "CTO")
EXCLUDED = Decision(False, "", "No offices: the team works remotely.", "")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("risk-treatment", "risk-treatment"),
        ("Risk Treatment", "risk-treatment"),
        ("  BEST   practice ", "best-practice"),
        ("Legal", "legal"),
        ("", ""),
    ],
)
def test_a_reason_is_read_in_any_case_with_spaces_for_hyphens(typed: str, key: str) -> None:
    assert parse_reason(typed) == key


@pytest.mark.parametrize("typed", ["risk_treatment", "because", "legal!"])
def test_an_unknown_reason_is_refused_with_the_accepted_ones(typed: str) -> None:
    with pytest.raises(InvalidInput, match="risk-treatment, legal, contractual"):
        parse_reason(typed)


def test_what_makes_a_decision_invalid() -> None:
    assert decision_problems(INCLUDED) == []
    assert decision_problems(EXCLUDED) == []
    assert decision_problems(UNDECIDED) == []
    assert decision_problems(Decision(True)) == []  # included without a reason yet
    [problem] = decision_problems(Decision(False))
    assert "justification" in problem
    [problem] = decision_problems(Decision(False, "legal", "not ours"))
    assert "no reason for inclusion" in problem
    [problem] = decision_problems(Decision(True, owner="x" * 201))
    assert "200 characters" in problem


def test_decisions_are_stored_and_logged(session: Session, engagement: Engagement) -> None:
    changed = set_decisions(
        session, engagement, {"A.5.1": INCLUDED, "A.7.1": EXCLUDED}, actor="ana"
    )

    assert sorted(changed) == ["A.5.1", "A.7.1"]
    assert decisions(session, engagement) == {"A.5.1": INCLUDED, "A.7.1": EXCLUDED}
    entry = audit_log(session, engagement)[-1]
    assert (entry.action, entry.actor) == ("soa.decide", "ana")
    assert entry.detail["A.7.1"]["to"]["justification"] == EXCLUDED.justification
    assert entry.detail["A.5.1"]["from"]["applies"] is None


def test_setting_the_same_decision_again_changes_nothing(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    logged = len(audit_log(session, engagement))

    again = Decision(True, "risk-treatment", "  ", " CTO ")  # the same once cleaned
    assert set_decisions(session, engagement, {"A.5.1": again}, actor="bob") == []
    assert len(audit_log(session, engagement)) == logged


def test_one_bad_decision_refuses_them_all(session: Session, engagement: Engagement) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")

    with pytest.raises(DecisionsRejected) as refused:
        set_decisions(
            session,
            engagement,
            {"A.5.1": EXCLUDED, "A.5.2": Decision(False), "A.5.3": Decision(True, "nope")},
            actor="ana",
        )

    assert set(refused.value.problems) == {"A.5.2", "A.5.3"}
    assert "Nothing was changed" in str(refused.value)
    assert decisions(session, engagement) == {"A.5.1": INCLUDED}


def test_the_hash_covers_decisions_and_ignores_blank_rows() -> None:
    base = {"A.5.1": INCLUDED, "A.7.1": EXCLUDED}
    assert decisions_hash(base) == decisions_hash({**base, "A.5.2": UNDECIDED})
    assert decisions_hash(base) == decisions_hash(dict(reversed(base.items())))
    assert decisions_hash(base) != decisions_hash({**base, "A.5.1": Decision(True, "legal")})
    assert decisions_hash(base) != decisions_hash({**base, "A.5.1": Decision(True, owner="CTO")})
    assert decisions_hash(base) != decisions_hash({"A.5.1": INCLUDED})


def test_soc2_categories_always_hold_security_in_catalogue_order() -> None:
    assert clean_soc2_categories([]) == ["security"]
    assert clean_soc2_categories(["Privacy", "processing integrity"]) == [
        "security",
        "processing-integrity",
        "privacy",
    ]
    with pytest.raises(InvalidInput, match="Unknown SOC 2 category availabilty"):
        clean_soc2_categories(["availabilty"])


def test_a_new_engagement_has_security_in_scope_and_nothing_decided(
    session: Session, engagement: Engagement
) -> None:
    assert engagement.soc2_categories == ["security"]
    assert decisions(session, engagement) == {}
    update_engagement(session, engagement, actor="ana", soc2_categories=["availability"])
    assert engagement.soc2_categories == ["security", "availability"]
    assert audit_log(session, engagement)[-1].detail["soc2_categories"]["to"] == [
        "security",
        "availability",
    ]


def test_copying_decisions_starts_an_engagement_from_another(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED, "A.7.1": EXCLUDED}, actor="ana")
    update_engagement(session, engagement, actor="ana", soc2_categories=["privacy"])
    fresh = create_engagement(session, "Acme 2027", actor="ana")

    assert copy_decisions(session, engagement, fresh, actor="carla") == 2

    assert decisions(session, fresh) == decisions(session, engagement)
    assert fresh.soc2_categories == ["security", "privacy"]
    assert audit_log(session, fresh)[-1].action == "soa.copy"


def test_copying_never_overwrites_decisions_already_made(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    other = create_engagement(session, "Other", actor="ana")
    set_decisions(session, other, {"A.5.1": EXCLUDED}, actor="ana")

    with pytest.raises(InvalidInput, match="already has 1 decision of its own"):
        copy_decisions(session, engagement, other, actor="ana")
    with pytest.raises(InvalidInput, match="another engagement"):
        copy_decisions(session, other, other, actor="ana")
    assert decisions(session, other) == {"A.5.1": EXCLUDED}


def test_deleting_an_engagement_deletes_its_decisions(
    session: Session, engagement: Engagement
) -> None:
    set_decisions(session, engagement, {"A.5.1": INCLUDED}, actor="ana")
    other = create_engagement(session, "Other", actor="ana")
    set_decisions(session, other, {"A.5.1": EXCLUDED}, actor="ana")

    delete_engagement(session, engagement, actor="ana")

    assert session.scalars(select(CriterionDecision.engagement_id)).all() == [other.id]
