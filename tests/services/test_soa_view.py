"""The SoA screen's services: the view, the bulk form, problems, files, a new engagement."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services.engagement_setup import decision_sources, set_up_scope
from app.services.soa import approve, decide, soa_rows, soa_state, soc2_rows
from app.services.soa_files import export_table, import_table, table_path
from app.services.soa_model import DecisionChange, RowProblem, SoaRejected
from app.services.soa_table import TableFileError
from app.services.soa_view import (
    AppliesChoice,
    BulkForm,
    applies_text,
    approval_blocker,
    load_view,
    problem_lines,
    reason_text,
)
from app.store.database import Database
from app.store.decisions import Decision, decisions
from app.store.engagements import create_engagement
from app.store.models import Engagement
from app.store.soa_approvals import soa_approvals
from app.store.unset import UNSET

ISO_IDS = ["A.5.1", "A.5.2", "A.7.1", "A.7.2", "A.8.20"]


def test_a_bulk_form_leaves_blank_fields_alone_unless_editing_one_row() -> None:
    bulk = BulkForm(AppliesChoice.YES, "business", "", "  ")
    assert bulk.change() == DecisionChange(True, "business", UNSET, UNSET)
    one = BulkForm(AppliesChoice.YES, "", "", "", explicit=True)
    assert one.change() == DecisionChange(True, "", "", "")
    # Excluding never carries a reason for inclusion, whatever the reason box held.
    excluded = BulkForm(AppliesChoice.NO, "legal", "No offices.", "Bo")
    assert excluded.change() == DecisionChange(False, UNSET, "No offices.", "Bo")
    assert BulkForm().empty and not BulkForm(owner="Bo").empty
    assert BulkForm(AppliesChoice.UNDECIDED).change().applies is None


def test_cells_read_as_people_say_them() -> None:
    assert applies_text(Decision()) == "undecided"
    assert applies_text(Decision(False, "", "No offices")) == "no"
    assert reason_text(Decision(True, "risk-treatment", "Board asked")) == (
        "Risk treatment: Board asked"
    )
    assert reason_text(Decision(False, "", "No offices")) == "No offices"
    assert reason_text(Decision(True, "legal")) == "Legal or regulatory"


def test_problems_of_a_selection_share_a_line_and_rows_keep_theirs() -> None:
    message = "an exclusion needs a justification (the auditor will ask why)"
    selection = [RowProblem(None, f"A.5.{n}", message) for n in range(1, 9)]
    assert problem_lines(selection) == [
        f"A.5.1, A.5.2, A.5.3, A.5.4, A.5.5, A.5.6 and 2 more: {message}"
    ]
    table = [RowProblem(3, "A.5.1", "bad"), RowProblem(5, "", "the criterion is empty")]
    assert problem_lines(table) == ["row 3 (A.5.1): bad", "row 5: the criterion is empty"]


def test_the_view_and_why_approval_waits(
    db: Database, session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    session.commit()  # the view is read in a session of its own
    view = load_view(db, engagement.id, small_catalogue)
    assert list(view.rows) == soa_rows(session, engagement, small_catalogue)
    assert list(view.soc2_rows) == soc2_rows(session, engagement, small_catalogue)
    assert [r.criterion_id for r in view.rows] == ISO_IDS
    assert view.soc2_categories == ("security",)
    assert [r.criterion_id for r in view.soc2_rows] == ["CC1.1", "CC6.6"]
    assert approval_blocker(view.state) == (
        "0 of 5 decided: decide the other 5 Annex A controls first."
    )
    change = DecisionChange(applies=True, reason="legal")
    decide(session, engagement, small_catalogue, ISO_IDS, change, actor="ana")
    assert approval_blocker(soa_state(session, engagement, small_catalogue)) == ""
    approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    state = soa_state(session, engagement, small_catalogue)
    assert approval_blocker(state) == "Version 1 is approved and nothing changed since."


def test_export_then_import_round_trips_and_a_bad_file_changes_nothing(
    db: Database,
    session: Session,
    engagement: Engagement,
    small_catalogue: Catalogue,
    tmp_path: Path,
) -> None:
    change = DecisionChange(applies=False, justification="=No offices, AWS carries it")
    decide(session, engagement, small_catalogue, ["A.7.1"], change, actor="ana")
    session.commit()  # the view and the imports use sessions of their own
    view = load_view(db, engagement.id, small_catalogue)
    for name in ("soa.csv", "soa.xlsx", "soa"):
        written = export_table(view.rows, view.state, view.engagement_name, tmp_path / name)
        assert written == table_path(tmp_path / name) and written.stat().st_size > 0
    assert (tmp_path / "soa.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    other = tmp_path / "notes.csv"
    other.write_text("my,own\nfile,here\n", encoding="utf-8")
    with pytest.raises(TableFileError, match="left untouched"):
        export_table(view.rows, view.state, view.engagement_name, other)
    assert other.read_text(encoding="utf-8") == "my,own\nfile,here\n"

    decide(session, engagement, small_catalogue, ["A.7.1"], DecisionChange(applies=None), actor="a")
    session.commit()
    outcome = import_table(db, engagement.id, small_catalogue, tmp_path / "soa.xlsx", "a")
    assert outcome.changed == ("A.7.1",)
    session.expire_all()
    assert decisions(session, engagement)["A.7.1"].justification == "=No offices, AWS carries it"

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "criterion,applies,reason,justification,owner\nA.5.1,yes,whim,,\nA.9.9,no,,,\n",
        encoding="utf-8",
    )
    before = decisions(session, engagement)
    with pytest.raises(SoaRejected) as refused:
        import_table(db, engagement.id, small_catalogue, bad, "a")
    assert [p.row for p in refused.value.problems] == [2, 3]
    session.expire_all()
    assert decisions(session, engagement) == before
    empty = tmp_path / "empty.csv"
    empty.write_text("criterion,applies,reason,justification,owner\n", encoding="utf-8")
    with pytest.raises(TableFileError, match="no rows"):
        import_table(db, engagement.id, small_catalogue, empty, "a")


def test_a_new_engagement_starts_from_decisions_not_approvals(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    fresh = create_engagement(session, "Nobody decided", actor="ana")
    assert decision_sources(session, small_catalogue) == []
    change = DecisionChange(applies=True, reason="contractual", owner="Ana")
    decide(session, engagement, small_catalogue, ISO_IDS, change, actor="ana")
    set_up_scope(session, engagement, soc2_categories=["privacy"], start_from_id=None, actor="ana")
    approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    sources = decision_sources(session, small_catalogue)
    assert [(s.id, s.label) for s in sources] == [(engagement.id, "Acme 2026 (5 of 5 decided)")]
    assert sources[0].soc2_categories == ("security", "privacy")

    new = create_engagement(session, "Acme 2027", actor="ana")
    copied = set_up_scope(
        session,
        new,
        soc2_categories=["availability"],
        start_from_id=engagement.id,
        actor="ana",
    )
    assert copied == 5
    assert decisions(session, new) == decisions(session, engagement)
    assert soa_approvals(session, new) == []
    # The categories chosen in the dialog win over the source's.
    assert new.soc2_categories == ["security", "availability"]
    assert fresh.soc2_categories == ["security"]
