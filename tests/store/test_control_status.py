"""The derived per-control status and the per-framework summary."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.services.framework_summary import framework_summaries
from app.store.attachments import add_attachment
from app.store.control_states import set_control_state
from app.store.control_status import ControlSummary, ResultCounts, control_summaries
from app.store.models import Engagement
from app.store.risk import add_exception, today_utc
from app.store.signoffs import sign_off
from tests.store.conftest import attach, controls, record_scan, result

CONTROLS = ["sg-inbound", "no-ssh", "nacls", "backups", "cloudtrail", "vpc-flow-logs"]
SG = "arn:aws:ec2:eu-west-1:123456789012:security-group/"


def _status(session: Session, engagement: Engagement, control: str) -> ControlStatus:
    return control_summaries(session, engagement, controls([control]))[control].status


def test_each_status_is_derived(session: Session, engagement: Engagement) -> None:
    record_scan(
        session,
        engagement,
        [
            result("sg-inbound", f"{SG}sg-1", Status.PASS),
            result("sg-inbound", f"{SG}sg-2", Status.NOT_APPLICABLE),
            result("no-ssh", f"{SG}sg-1", Status.FAIL),
            result("no-ssh", f"{SG}sg-2", Status.ERROR),
            result("nacls", "acl-1", Status.ERROR),
            result("cloudtrail", f"{SG}legacy-1", Status.FAIL),
            result("cloudtrail", f"{SG}sg-1", Status.PASS),
        ],
    )
    add_exception(
        session,
        engagement,
        "cloudtrail",
        actor="a",
        justification="j",
        approver="CTO",
        expires_on=today_utc() + timedelta(days=9),
        resource_pattern=f"{SG}legacy-*",
    )
    summaries = control_summaries(session, engagement, controls(CONTROLS))
    assert {c: s.status for c, s in summaries.items()} == {
        "sg-inbound": ControlStatus.PASSING,
        "no-ssh": ControlStatus.FAILING,  # a failure outranks an error
        "nacls": ControlStatus.ERROR,
        "backups": ControlStatus.NOT_CHECKED,
        "cloudtrail": ControlStatus.EXCEPTION,
        "vpc-flow-logs": ControlStatus.NOT_CHECKED,
    }
    assert summaries["sg-inbound"].counts == ResultCounts(passed=1, not_applicable=1)
    assert summaries["no-ssh"].counts == ResultCounts(failed=1, errors=1)
    assert summaries["cloudtrail"].counts == ResultCounts(passed=1, excepted=1)
    assert summaries["backups"].last_checked is None
    assert summaries["sg-inbound"].last_checked is not None


def test_an_exception_does_not_excuse_an_error_or_another_resource(
    session: Session, engagement: Engagement
) -> None:
    record_scan(
        session,
        engagement,
        [
            result("no-ssh", f"{SG}legacy-1", Status.FAIL),
            result("no-ssh", f"{SG}prod", Status.FAIL),
        ],
    )
    add_exception(
        session,
        engagement,
        "no-ssh",
        actor="a",
        justification="j",
        approver="CTO",
        expires_on=today_utc() + timedelta(days=9),
        resource_pattern=f"{SG}legacy-*",
    )
    summary = control_summaries(session, engagement, controls(["no-ssh"]))["no-ssh"]
    assert summary.status == ControlStatus.FAILING
    assert summary.counts == ResultCounts(failed=1, excepted=1)


def test_a_sign_off_goes_stale_after_a_new_result(session: Session, engagement: Engagement) -> None:
    record_scan(session, engagement, [result()])
    sign_off(session, engagement, "sg-inbound", reviewer="Ana", role="CISO")
    assert _status(session, engagement, "sg-inbound") == ControlStatus.SIGNED_OFF
    record_scan(session, engagement, [result(), result(resource=f"{SG}sg-new")])
    summary = control_summaries(session, engagement, controls(["sg-inbound"]))["sg-inbound"]
    assert summary.status == ControlStatus.STALE
    assert summary.check_status == ControlStatus.PASSING
    assert summary.sign_off is not None and summary.sign_off.reviewer == "Ana"
    sign_off(session, engagement, "sg-inbound", reviewer="Ana", role="CISO")
    assert _status(session, engagement, "sg-inbound") == ControlStatus.SIGNED_OFF


def test_a_sign_off_goes_stale_after_an_attachment(
    session: Session, engagement: Engagement
) -> None:
    sign_off(session, engagement, "backups", reviewer="Ana")
    assert _status(session, engagement, "backups") == ControlStatus.SIGNED_OFF
    add_attachment(session, engagement, "backups", name="restore.pdf", content=b"%PDF-1", actor="a")
    assert _status(session, engagement, "backups") == ControlStatus.STALE


def test_a_sign_off_goes_stale_after_a_note(session: Session, engagement: Engagement) -> None:
    record_scan(session, engagement, [result("nacls", "acl-1")])
    sign_off(session, engagement, "nacls", reviewer="Ana")
    set_control_state(session, engagement, "nacls", actor="a", notes="ephemeral ports reviewed")
    assert _status(session, engagement, "nacls") == ControlStatus.STALE


def test_framework_summary_counts_controls_mapped_in_each(
    session: Session, engagement: Engagement
) -> None:
    record_scan(
        session,
        engagement,
        [
            result("sg-inbound", f"{SG}sg-1", Status.PASS),
            result("no-ssh", f"{SG}sg-1", Status.FAIL),
            result("nacls", "acl-1", Status.PASS),
            result("cloudtrail", "trail", Status.ERROR),
        ],
    )
    sign_off(session, engagement, "nacls", reviewer="Ana")
    record_scan(session, engagement, [result("nacls", "acl-1", Status.FAIL)], controls=["nacls"])
    set_control_state(
        session,
        engagement,
        "vpc-flow-logs",
        actor="a",
        applicability="not_applicable",
        applicability_reason="no VPCs",
    )
    mapping = {
        "sg-inbound": {"iso27001", "soc2"},
        "no-ssh": {"iso27001", "soc2"},
        "nacls": {"iso27001"},  # stale: counts by its results (now failing)
        "backups": {"soc2"},
        "cloudtrail": {"iso27001", "soc2"},
        "vpc-flow-logs": {"iso27001"},
    }
    summaries = control_summaries(session, engagement, controls(CONTROLS))
    assert summaries["nacls"].status == ControlStatus.STALE
    iso, soc2 = framework_summaries(summaries, mapping, ["iso27001", "soc2"])
    assert (iso.framework, iso.passed, iso.failing, iso.errors, iso.not_checked) == (
        "iso27001",
        1,
        2,
        1,
        0,
    )
    assert iso.not_applicable == 1 and iso.total == 5
    assert (soc2.passed, soc2.failing, soc2.errors, soc2.not_checked, soc2.total) == (1, 1, 1, 1, 4)


def test_a_manual_control_rests_on_its_evidence_not_on_a_scan(
    session: Session, engagement: Engagement
) -> None:
    # A scan never judges a manual control: it is never "not checked".
    record_scan(session, engagement, [result("sg-inbound", f"{SG}sg-1", Status.PASS)])
    (policies,) = controls(["security-policies"])
    asked = [item.id for item in policies.manual_evidence]
    assert len(asked) >= 2

    def summary() -> ControlSummary:
        return control_summaries(session, engagement, [policies])[policies.id]

    assert summary().status == ControlStatus.EVIDENCE_MISSING
    assert summary().missing_evidence == tuple(asked)
    assert not summary().automated
    attach(session, engagement, policies.id, asked[0])
    # A file against no item, or against another control's item, answers nothing here.
    add_attachment(session, engagement, policies.id, name="x.txt", content=b"x", actor="a")
    assert summary().status == ControlStatus.EVIDENCE_MISSING
    assert summary().missing_evidence == tuple(asked[1:])
    for item in asked[1:]:
        attach(session, engagement, policies.id, item)
    assert summary().status == ControlStatus.EVIDENCE_ATTACHED
    assert summary().missing_evidence == ()
    sign_off(session, engagement, policies.id, reviewer="Ana", role="CISO")
    assert summary().status == ControlStatus.SIGNED_OFF
    attach(session, engagement, policies.id, asked[0])
    assert summary().status == ControlStatus.STALE
    assert summary().check_status == ControlStatus.EVIDENCE_ATTACHED
    assert ControlStatus.EVIDENCE_ATTACHED.label == "Evidence attached, not signed off"


def test_framework_summary_counts_manual_controls_by_their_evidence(
    session: Session, engagement: Engagement
) -> None:
    policies, training, reviews = controls(
        ["security-policies", "security-training", "access-reviews"]
    )
    for item in policies.manual_evidence:
        attach(session, engagement, policies.id, item.id)
    sign_off(session, engagement, reviews.id, reviewer="Ana")  # signed off with nothing attached
    summaries = control_summaries(session, engagement, [policies, training, reviews])
    mapping = {c.id: {"iso27001"} for c in (policies, training, reviews)}
    (iso,) = framework_summaries(summaries, mapping, ["iso27001"])
    assert (iso.passed, iso.evidence_attached, iso.evidence_missing, iso.not_checked) == (
        1,
        1,
        1,
        0,
    )
    assert iso.total == 3
