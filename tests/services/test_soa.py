"""The SoA service: bulk decisions, a table applied all or nothing, approve and stale."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue, load_catalogue
from app.services.implementation import Implementation
from app.services.soa import (
    apply_table,
    approve,
    criteria_in_scope,
    decide,
    frameworks_served,
    set_soc2_scope,
    soa_rows,
    soa_state,
    start_from,
    statement,
)
from app.services.soa_model import (
    DecisionChange,
    DecisionFilter,
    SoaFilter,
    SoaRejected,
    TableRow,
    by_theme,
)
from app.store.audit import audit_log
from app.store.decisions import Decision, decisions
from app.store.engagements import create_engagement
from app.store.errors import InvalidInput
from app.store.models import Engagement
from app.store.signoffs import sign_offs
from tests.store.conftest import record_scan, result

ALL = ["A.5.1", "A.5.2", "A.7.1", "A.7.2", "A.8.20"]


def _row(row: int, criterion: str, applies: str, reason: str = "", why: str = "") -> TableRow:
    return TableRow(row, criterion, applies, reason, why, owner="")


def _exclude(
    session: Session, engagement: Engagement, catalogue: Catalogue, ids: list[str], why: str
) -> None:
    change = DecisionChange(applies=False, justification=why)
    decide(session, engagement, catalogue, ids, change, actor="ana")


def _decide_all(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    decide(
        session,
        engagement,
        catalogue,
        ALL,
        DecisionChange(applies=True, reason="Risk treatment", owner="  Ana   Lima "),
        actor="ana",
    )


def test_the_rows_cover_every_annex_a_control_of_the_catalogue(
    session: Session, engagement: Engagement
) -> None:
    catalogue = load_catalogue()

    rows = soa_rows(session, engagement, catalogue)

    assert [r.criterion_id for r in rows] == [c.id for c in catalogue.criteria_of("iso27001")]
    assert all(r.title and r.theme_title for r in rows)
    assert soa_state(session, engagement, catalogue).progress == f"0 of {len(rows)} decided"


def test_bulk_decide_sets_the_same_change_on_every_selected_row(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _decide_all(session, engagement, small_catalogue)

    assert set(decisions(session, engagement).values()) == {
        Decision(True, "risk-treatment", "", "Ana Lima")
    }
    # Excluding a selection clears its reason for inclusion and keeps the owner.
    _exclude(
        session,
        engagement,
        small_catalogue,
        ["A.7.1", "A.7.2"],
        "Fully remote company, no premises",
    )
    assert decisions(session, engagement)["A.7.2"] == Decision(
        False, "", "Fully remote company, no premises", "Ana Lima"
    )
    state = soa_state(session, engagement, small_catalogue)
    assert (state.decided, state.excluded, state.progress) == (5, 2, "5 of 5 decided")


def test_bulk_decide_refuses_the_whole_selection_when_one_row_cannot_change(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _exclude(session, engagement, small_catalogue, ["A.5.1"], "Not ours")
    with pytest.raises(SoaRejected) as refused:
        decide(
            session,
            engagement,
            small_catalogue,
            ["A.5.2", "A.5.1", "A.9.9"],
            DecisionChange(reason="legal"),
            actor="ana",
        )
    assert [str(p) for p in refused.value.problems] == [
        "A.5.1: an excluded control has no reason for inclusion; clear the reason or set "
        "applies to yes",
        "A.9.9: 'A.9.9' is not an ISO 27001 Annex A control (Annex A runs A.5.1 to A.8.20)",
    ]
    assert list(decisions(session, engagement)) == ["A.5.1"]


def test_a_table_sets_the_rows_it_lists_and_keeps_the_others(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _decide_all(session, engagement, small_catalogue)
    table = [
        _row(2, " a.7.1 ", "No", why="No premises"),
        _row(3, "A.5.1", "YES", "best practice"),
        TableRow(5, "A.5.2", "", "", "", "HR"),  # undecided again, with an owner
    ]

    outcome = apply_table(session, engagement, small_catalogue, table, actor="ana")

    assert outcome.changed == ("A.7.1", "A.5.1", "A.5.2")
    assert outcome.unchanged == 0
    assert outcome.state.progress == "4 of 5 decided"
    chosen = decisions(session, engagement)
    assert chosen["A.7.1"] == Decision(False, "", "No premises", "")
    assert chosen["A.5.1"] == Decision(True, "best-practice", "", "")
    assert chosen["A.5.2"] == Decision(None, "", "", "HR")
    assert chosen["A.8.20"] == Decision(True, "risk-treatment", "", "Ana Lima")


def test_a_refused_table_changes_nothing_and_names_every_row(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _decide_all(session, engagement, small_catalogue)
    before = decisions(session, engagement)
    logged = len(audit_log(session, engagement))
    table = [
        _row(2, "A.5.1", "no", why="fine"),  # valid on its own
        _row(3, "A.5.99", "yes"),
        _row(4, "A.5.2", "yes", "because"),
        _row(5, "A.7.1", "no"),
        _row(6, "A.5.1", "yes"),
        _row(7, "", "yes"),
        _row(8, "A.7.2", "maybe"),
    ]

    with pytest.raises(SoaRejected) as refused:
        apply_table(session, engagement, small_catalogue, table, actor="ana")

    assert [(p.row, p.criterion_id) for p in refused.value.problems] == [
        (3, ""),
        (4, "A.5.2"),
        (5, "A.7.1"),
        (6, "A.5.1"),
        (7, ""),
        (8, "A.7.2"),
    ]
    messages = [str(p) for p in refused.value.problems]
    assert "not an ISO 27001 Annex A control" in messages[0]
    assert "'because' is not a reason" in messages[1]
    assert "needs a justification" in messages[2]
    assert "already on row 2" in messages[3]
    assert messages[4] == "row 7: the criterion is empty"
    assert "yes, no or empty" in messages[5]
    assert str(refused.value) == "Nothing was changed: 6 rows have problems."
    assert decisions(session, engagement) == before
    assert len(audit_log(session, engagement)) == logged


def test_apply_approve_change_stale_approve_again(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    table = [_row(n, c, "yes", "legal") for n, c in enumerate(ALL[:-1], start=2)]
    apply_table(session, engagement, small_catalogue, table, actor="ana")
    with pytest.raises(InvalidInput, match=r"4 of 5 decided\. Decide the other 1 first \(A.8.20\)"):
        approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")

    apply_table(session, engagement, small_catalogue, [_row(2, "A.8.20", "yes")], actor="ana")
    first = approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    state = soa_state(session, engagement, small_catalogue)
    assert (first.version, state.version, state.approved, state.complete) == (1, 1, True, True)

    record_scan(session, engagement, [result()])  # new evidence: still approved
    assert soa_state(session, engagement, small_catalogue).complete

    apply_table(
        session, engagement, small_catalogue, [_row(2, "A.8.20", "yes", "business")], actor="ana"
    )
    state = soa_state(session, engagement, small_catalogue)
    assert (state.version, state.approved, state.stale, state.complete) == (2, False, True, False)
    assert state.approval is not None and state.approval.version == 1

    second = approve(session, engagement, small_catalogue, reviewer="Bob", role="CEO")
    state = soa_state(session, engagement, small_catalogue)
    assert (second.version, state.version, state.complete) == (2, 2, True)
    assert len(sign_offs(session, engagement)) == 2


def test_the_draft_reasons_say_why_the_soa_is_not_final(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    def reasons() -> tuple[str, ...]:
        return soa_state(session, engagement, small_catalogue).draft_reasons

    assert reasons() == ("5 of 5 Annex A controls undecided", "not approved")
    _decide_all(session, engagement, small_catalogue)
    assert reasons() == ("not approved",)
    approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    assert reasons() == ()
    _exclude(session, engagement, small_catalogue, ["A.5.1"], "no staff")
    assert reasons() == ("decisions changed since version 1 was approved",)


def test_a_summary_counts_a_control_for_the_frameworks_whose_scope_it_serves(
    session: Session, engagement: Engagement
) -> None:
    catalogue = load_catalogue()
    served = frameworks_served(catalogue, statement(session, engagement, catalogue))
    # Security only (a new engagement's scope): processing-integrity serves PI1 criteria only.
    assert served["processing-integrity"] == set()
    assert served["background-checks"] == {"iso27001", "soc2"}  # A.6.1; CC1.4
    _exclude(session, engagement, catalogue, ["A.6.1"], "only contractors, screened by agency")
    set_soc2_scope(session, engagement, ["processing-integrity"], actor="ana")
    soa = statement(session, engagement, catalogue)
    served = frameworks_served(catalogue, soa)
    assert served["background-checks"] == {"soc2"}
    assert served["processing-integrity"] == {"soc2"}
    assert len(criteria_in_scope(soa, "soc2")) == 33 + 5
    iso = criteria_in_scope(soa, "iso27001")
    assert len(iso) == 92 and "A.6.1" not in iso


def test_a_new_engagement_starts_from_another_ones_decisions_not_its_approvals(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _decide_all(session, engagement, small_catalogue)
    approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    fresh = create_engagement(session, "Acme 2027", actor="ana")

    assert start_from(session, engagement, fresh, actor="ana") == 5

    state = soa_state(session, fresh, small_catalogue)
    assert (state.decided, state.version, state.approval) == (5, 1, None)
    assert decisions(session, fresh) == decisions(session, engagement)


def test_the_filter_and_the_grouping_the_gui_uses(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _exclude(session, engagement, small_catalogue, ["A.7.1"], "Remote only")
    decide(
        session,
        engagement,
        small_catalogue,
        ["A.5.1"],
        DecisionChange(applies=True, owner="Zoë Ng"),
        actor="ana",
    )
    rows = soa_rows(session, engagement, small_catalogue)

    def ids(chosen: SoaFilter) -> list[str]:
        return [r.criterion_id for r in chosen.apply(rows)]

    assert ids(SoaFilter()) == ALL
    assert ids(SoaFilter(decision=DecisionFilter.UNDECIDED)) == ["A.5.2", "A.7.2", "A.8.20"]
    assert ids(SoaFilter(decision=DecisionFilter.EXCLUDED)) == ["A.7.1"]
    assert ids(SoaFilter(text="zoë")) == ["A.5.1"]
    assert ids(SoaFilter(text="REMOTE")) == ["A.7.1"]
    assert ids(SoaFilter(text="security group")) == ["A.8.20"]  # a control's title
    assert ids(SoaFilter(text="data-centre", theme="physical")) == ["A.7.1", "A.7.2"]
    assert ids(SoaFilter(implementation=Implementation.EXCLUDED)) == ["A.7.1"]
    assert [(t, [r.criterion_id for r in group]) for t, _, group in by_theme(rows)] == [
        ("organizational", ["A.5.1", "A.5.2"]),
        ("physical", ["A.7.1", "A.7.2"]),
        ("technological", ["A.8.20"]),
    ]
