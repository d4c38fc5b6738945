"""What to do next: SoA steps, failing/error/unchecked/stale controls, missing evidence."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.controls.results import Status
from app.services.next_steps import NextStep, StepKind, load_next_steps, next_steps
from app.services.soa import approve, decide, set_soc2_scope
from app.services.soa_model import DecisionChange
from app.store.attachments import add_attachment
from app.store.control_states import NOT_APPLICABLE, set_control_state
from app.store.database import Database
from app.store.engagements import create_engagement
from app.store.models import Engagement
from app.store.signoffs import sign_off
from tests.services.conftest import attach, sg_rows
from tests.store.conftest import record_scan

ISO_IDS = ["A.5.1", "A.5.2", "A.7.1", "A.7.2", "A.8.20"]


def _kinds(steps: list[NextStep]) -> list[tuple[StepKind, str]]:
    return [(s.kind, s.control_id) for s in steps]


def _answer_all(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    for control in catalogue.controls:
        for item in control.manual_evidence:
            attach(session, engagement, control.id, item.id)


def test_a_new_engagement_starts_with_deciding_running_and_evidence(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    steps = next_steps(session, engagement, small_catalogue)

    assert _kinds(steps) == [
        (StepKind.DECIDE, ""),
        (StepKind.NOT_CHECKED, "sg-inbound"),
        (StepKind.MISSING_EVIDENCE, "sg-inbound"),
        (StepKind.MISSING_EVIDENCE, "policies"),
        # data-centre covers A.7.1/A.7.2 (ISO) and A1.2 (availability, not in scope yet)
        (StepKind.MISSING_EVIDENCE, "data-centre"),
    ]
    decide_step = steps[0]
    assert decide_step.text.startswith("Decide 5 of 5 Annex A controls")
    assert decide_step.criterion_ids == tuple(ISO_IDS)
    policies = steps[3]
    assert "2 of 2 missing" in policies.text
    assert policies.detail == "Missing: Approved policy; Review record"
    assert policies.evidence_item == "policy"
    assert all(s.kind.on_soa == (s.kind is StepKind.DECIDE) for s in steps)


def test_failing_and_error_results_come_before_evidence(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    record_scan(session, engagement, sg_rows(Status.PASS, Status.FAIL, Status.FAIL))
    failing = next_steps(session, engagement, small_catalogue)[1]
    assert (failing.kind, failing.control_id) == (StepKind.FAILING, "sg-inbound")
    assert "2 resources failing" in failing.text

    record_scan(session, engagement, sg_rows(Status.PASS, Status.ERROR))
    error = next_steps(session, engagement, small_catalogue)[1]
    assert (error.kind, error.control_id) == (StepKind.ERROR, "sg-inbound")
    assert "1 result could not be checked" in error.text
    kinds = [s.kind for s in next_steps(session, engagement, small_catalogue)]
    assert StepKind.NOT_CHECKED not in kinds


def test_evidence_answered_item_by_item_then_signed_off_then_stale(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    attach(session, engagement, "policies", "policy")
    step = next(
        s for s in next_steps(session, engagement, small_catalogue) if s.control_id == "policies"
    )
    assert "1 of 2 missing" in step.text and step.evidence_item == "review"
    # A file that answers no particular item does not count for any.
    add_attachment(session, engagement, "policies", name="x.txt", content=b"x", actor="ana")
    assert any(s.control_id == "policies" for s in next_steps(session, engagement, small_catalogue))

    sign_off(session, engagement, "policies", reviewer="Ana Lima", role="CISO")
    assert all(s.control_id != "policies" for s in next_steps(session, engagement, small_catalogue))

    attach(session, engagement, "policies", "review")
    policies = [
        s for s in next_steps(session, engagement, small_catalogue) if s.control_id == "policies"
    ]
    assert [s.kind for s in policies] == [StepKind.STALE]
    assert "again" in policies[0].text


def test_the_soa_asks_for_approval_once_decided_and_again_after_a_change(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    change = DecisionChange(applies=True, reason="risk-treatment")
    decide(session, engagement, small_catalogue, ISO_IDS, change, actor="ana")
    first = next_steps(session, engagement, small_catalogue)[0]
    assert first.kind is StepKind.APPROVE
    assert first.text == "Approve the Statement of Applicability (version 1)"

    approve(session, engagement, small_catalogue, reviewer="Ana", role="CISO")
    assert next_steps(session, engagement, small_catalogue)[0].kind is not StepKind.APPROVE

    decide(session, engagement, small_catalogue, ["A.5.2"], DecisionChange(owner="Bo"), actor="ana")
    again = next_steps(session, engagement, small_catalogue)[0]
    assert again.kind is StepKind.APPROVE
    assert again.text == "Approve the Statement of Applicability again (version 2)"
    assert "changed since version 1" in again.detail


def test_only_what_the_scope_asks_for_is_listed(
    session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    _answer_all(session, engagement, small_catalogue)
    record_scan(session, engagement, sg_rows(Status.FAIL))
    change = DecisionChange(applies=False, justification="No offices; AWS carries it.")
    decide(session, engagement, small_catalogue, ["A.7.1", "A.7.2"], change, actor="ana")
    # Every file attached, so only the failing control is left among the controls.
    assert [s.control_id for s in next_steps(session, engagement, small_catalogue)][1:] == [
        "sg-inbound"
    ]
    set_control_state(
        session,
        engagement,
        "sg-inbound",
        actor="ana",
        applicability=NOT_APPLICABLE,
        applicability_reason="No EC2 at all.",
    )
    assert [s.kind for s in next_steps(session, engagement, small_catalogue)] == [StepKind.DECIDE]

    soc2 = create_engagement(session, "SOC 2 only", actor="ana", frameworks=["soc2"])
    # data-centre maps to A1.2 (availability): out of scope until availability is chosen.
    ids = [s.control_id for s in next_steps(session, soc2, small_catalogue)]
    assert "data-centre" not in ids and StepKind.DECIDE not in ids
    set_soc2_scope(session, soc2, ["availability"], actor="ana")
    ids = [s.control_id for s in next_steps(session, soc2, small_catalogue)]
    assert "data-centre" in ids


def test_the_dashboard_reads_the_steps_through_the_database(
    db: Database, session: Session, engagement: Engagement, small_catalogue: Catalogue
) -> None:
    record_scan(session, engagement, sg_rows(Status.FAIL))
    session.commit()  # the dashboard's read opens a session of its own
    read = load_next_steps(db, engagement.id, small_catalogue)
    assert read == next_steps(session, engagement, small_catalogue)
    assert (StepKind.FAILING, "sg-inbound") in _kinds(read)
