"""The SoA screen's writes: each through the `Database`, all or nothing, and a decision
changed elsewhere since it was read is refused, never overwritten."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services.soa_edits import approve_decisions, save_decisions, save_soc2_scope
from app.services.soa_model import DecisionChange, SoaRejected, SoaRow
from app.services.soa_view import load_view
from app.store.database import Database
from app.store.decisions import Decision, decisions, set_decisions
from app.store.engagements import get_engagement
from app.store.errors import EditConflict, InvalidInput
from app.store.models import Engagement

LEGAL = DecisionChange(applies=True, reason="legal")


def _rows(db: Database, engagement_id: int, catalogue: Catalogue, *ids: str) -> list[SoaRow]:
    view = load_view(db, engagement_id, catalogue)
    return [row for row in view.rows if row.criterion_id in ids]


def _stored(db: Database, engagement_id: int) -> dict[str, Decision]:
    with db.session() as session:
        return decisions(session, get_engagement(session, engagement_id))


def _elsewhere(db: Database, engagement_id: int, actor: str, **wanted: Decision) -> None:
    """Another window (or a colleague on a team store) changes decisions meanwhile."""
    changes = {key.replace("_", "."): value for key, value in wanted.items()}
    with db.session() as session:
        set_decisions(session, get_engagement(session, engagement_id), changes, actor=actor)


@pytest.fixture
def engagement_id(session: Session, engagement: Engagement) -> int:
    session.commit()  # the services open sessions of their own
    return engagement.id


def test_saved_from_the_rows_read_then_again_from_the_rows_read_again(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    rows = _rows(db, engagement_id, small_catalogue, "A.5.1", "A.5.2")
    assert [row.version for row in rows] == [None, None]  # never decided
    changed = save_decisions(db, engagement_id, small_catalogue, rows, LEGAL, "ana")
    assert changed == ["A.5.1", "A.5.2"]
    again = _rows(db, engagement_id, small_catalogue, "A.5.1", "A.5.2")
    assert all(row.version is not None for row in again)
    owner = DecisionChange(owner="Ana")
    assert save_decisions(db, engagement_id, small_catalogue, again, owner, "ana") == [
        "A.5.1",
        "A.5.2",
    ]
    assert _stored(db, engagement_id)["A.5.2"] == Decision(True, "legal", "", "Ana")


def test_a_decision_changed_since_it_was_read_refuses_the_whole_change(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    save_decisions(
        db, engagement_id, small_catalogue, _rows(db, engagement_id, small_catalogue, "A.5.1"),
        LEGAL, "ana",
    )  # fmt: skip
    seen = _rows(db, engagement_id, small_catalogue, "A.5.1", "A.5.2")
    bob = Decision(False, justification="Handled by the parent company")
    _elsewhere(db, engagement_id, "bob", A_5_1=bob)
    exclude = DecisionChange(applies=False, justification="Not ours")
    with pytest.raises(EditConflict, match=r"A\.5\.1 was changed by bob .*nothing was saved"):
        save_decisions(db, engagement_id, small_catalogue, seen, exclude, "ana")
    assert _stored(db, engagement_id) == {"A.5.1": bob}  # A.5.2 was not saved either


def test_a_row_decided_elsewhere_after_it_was_read_undecided_is_refused(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    seen = _rows(db, engagement_id, small_catalogue, "A.7.1")
    _elsewhere(db, engagement_id, "bob", A_7_1=Decision(True, "business"))
    with pytest.raises(EditConflict, match=r"A\.7\.1 was changed by bob"):
        save_decisions(db, engagement_id, small_catalogue, seen, LEGAL, "ana")
    assert _stored(db, engagement_id) == {"A.7.1": Decision(True, "business")}


def test_a_refused_change_names_its_rows_and_saves_nothing(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    rows = _rows(db, engagement_id, small_catalogue, "A.5.1", "A.5.2")
    with pytest.raises(SoaRejected) as refused:
        save_decisions(
            db, engagement_id, small_catalogue, rows, DecisionChange(applies=False), "ana"
        )
    assert [p.criterion_id for p in refused.value.problems] == ["A.5.1", "A.5.2"]
    assert _stored(db, engagement_id) == {}


def test_approval_waits_for_every_row_then_the_scope_changes(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    with pytest.raises(InvalidInput, match="cannot be approved yet: 0 of 5 decided"):
        approve_decisions(db, engagement_id, small_catalogue, reviewer="Ana", role="CISO")
    every = load_view(db, engagement_id, small_catalogue).rows
    save_decisions(db, engagement_id, small_catalogue, every, LEGAL, "ana")
    approval = approve_decisions(
        db, engagement_id, small_catalogue, reviewer="Ana", role="CISO", comment="Board met"
    )
    assert (approval.version, approval.reviewer) == (1, "Ana")
    assert load_view(db, engagement_id, small_catalogue).state.approved

    assert save_soc2_scope(db, engagement_id, ["privacy"], "ana") == ["security", "privacy"]
    view = load_view(db, engagement_id, small_catalogue)
    assert view.soc2_categories == ("security", "privacy")


def test_an_approval_covers_only_the_decisions_its_reviewer_read(
    db: Database, engagement_id: int, small_catalogue: Catalogue
) -> None:
    every = load_view(db, engagement_id, small_catalogue).rows
    save_decisions(db, engagement_id, small_catalogue, every, LEGAL, "ana")
    read = load_view(db, engagement_id, small_catalogue).rows
    bob = Decision(False, justification="Handled by the parent company")
    _elsewhere(db, engagement_id, "bob", A_5_1=bob)  # after the reviewer read the table
    with pytest.raises(EditConflict, match=r"A\.5\.1 was changed by bob .*nothing was approved"):
        approve_decisions(
            db, engagement_id, small_catalogue, reviewer="Ana", role="CISO", seen=read
        )
    view = load_view(db, engagement_id, small_catalogue)
    assert view.state.approval is None  # nothing approved
    approval = approve_decisions(
        db, engagement_id, small_catalogue, reviewer="Ana", role="CISO", seen=view.rows
    )  # read again, bob's exclusion seen: approved
    assert approval.version == 1
    assert load_view(db, engagement_id, small_catalogue).state.approved
