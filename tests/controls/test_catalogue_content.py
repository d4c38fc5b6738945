"""The bundled manual controls: with the seventeen AWS ones they cover every criterion."""

from __future__ import annotations

import re
from pathlib import Path

from app.controls.catalogue import (
    FAMILIES,
    ISO27001_IDS,
    RESERVED_CONTROL_IDS,
    SOC2_IDS,
    Catalogue,
    Control,
)
from app.controls.catalogue_criteria import uncovered_criteria
from tests.controls.conftest import edit, error_of


def _manual(catalogue: Catalogue) -> list[Control]:
    return [c for c in catalogue.controls if not c.automated]


def test_every_criterion_of_both_frameworks_is_covered(catalogue: Catalogue) -> None:
    assert uncovered_criteria(catalogue.controls, catalogue.criteria) == {
        "iso27001": (),
        "soc2": (),
    }
    for criterion_id in ISO27001_IDS:
        assert catalogue.controls_for("iso27001", criterion_id), criterion_id
    for criterion_id in SOC2_IDS:
        assert catalogue.controls_for("soc2", criterion_id), criterion_id


def test_a_catalogue_leaving_a_criterion_uncovered_is_refused(broken: Path) -> None:
    (broken / "capacity-management.toml").unlink()  # the only control for A.8.6 and A1.1
    error = error_of(broken)
    assert error.file == "criteria.toml"
    assert error.problem.startswith("no control covers ISO 27001:2022 A.8.6; SOC 2 A1.1")


def test_dropping_one_mapping_names_that_criterion(broken: Path) -> None:
    edit(broken / "legal-requirements.toml", '"A.5.31", "A.5.32", ', '"A.5.31", ')
    assert "no control covers ISO 27001:2022 A.5.32 " in str(error_of(broken))


def test_manual_controls_in_every_family(catalogue: Catalogue) -> None:
    manual = _manual(catalogue)
    assert 25 <= len(manual) <= 40
    assert {c.family for c in catalogue.controls} == set(FAMILIES)
    assert not {c.id for c in manual} & set(RESERVED_CONTROL_IDS)
    # Manual controls come after the automated ones, grouped by family.
    order = [FAMILIES.index(c.family) for c in manual]
    assert order == sorted(order)


def test_every_manual_control_is_complete(catalogue: Catalogue) -> None:
    for control in _manual(catalogue):
        assert control.checks == () and not control.source, control.id
        assert len(control.summary) > 200 and len(control.why) > 150, control.id
        assert len(control.manual_evidence) >= 2, control.id
        for item in control.manual_evidence:
            assert item.title and len(item.description) > 80, (control.id, item.id)
        assert len(control.remediation) >= 2, control.id
        for step in control.remediation:
            assert step.title and len(step.text) > 40, (control.id, step.title)


def test_no_markup_in_catalogue_text(catalogue: Catalogue) -> None:
    tag = re.compile(r"<[a-zA-Z/]")
    for control in catalogue.controls:
        texts = [control.title, control.summary, control.why, control.mapping.note]
        texts += [m.description for m in control.manual_evidence]
        texts += [r.text for r in control.remediation]
        for text in texts:
            assert not tag.search(text), control.id


def test_a_control_without_annex_a_ids_says_why(catalogue: Catalogue) -> None:
    without = [c for c in catalogue.controls if not c.mapping.iso27001]
    assert {c.id for c in without} >= {"risk-management", "processing-integrity"}
    for control in without:
        assert "No Annex A control" in control.mapping.note, control.id


def test_the_data_centres_are_inherited_from_aws(catalogue: Catalogue) -> None:
    inherited = [c for c in catalogue.controls if c.inherited is not None]
    assert [c.id for c in inherited] == ["aws-data-centres"]
    aws = inherited[0].inherited
    assert aws is not None and aws.provider == "AWS"
    assert "AWS Artifact > Reports" in aws.report and "SOC 2" in aws.report
    assert "The company keeps" in aws.scope
    carried = set(inherited[0].mapping.iso27001)
    assert {"A.7.1", "A.7.2", "A.7.4", "A.7.5", "A.7.8", "A.7.11", "A.7.12", "A.7.13"} <= carried
    assert "CC6.4" in inherited[0].mapping.soc2
    # The company's own side stays with company controls, not with AWS.
    for own in ("A.7.7", "A.7.9", "A.7.10", "A.7.14"):
        company = [c for c in catalogue.controls_for("iso27001", own) if c.inherited is None]
        assert company, own
    assert "A.7.7" not in carried and "A.7.9" not in carried


def test_founder_recognisable_controls_map_where_expected(catalogue: Catalogue) -> None:
    def covers(control_id: str, framework: str, criterion: str) -> bool:
        return criterion in catalogue.get(control_id).mapping.ids(framework)

    assert covers("cloud-services", "iso27001", "A.5.23")
    assert covers("incident-response", "soc2", "CC7.4")
    assert covers("leadership-oversight", "soc2", "CC1.2")
    assert covers("control-monitoring", "soc2", "CC4.1")
    assert covers("security-communication", "soc2", "CC2.3")
    assert covers("processing-integrity", "soc2", "PI1.3")
    assert covers("privacy-programme", "soc2", "P5.1")
    assert covers("security-training", "iso27001", "A.6.3")
    assert covers("background-checks", "iso27001", "A.6.1")
    assert covers("change-management", "soc2", "CC8.1")
