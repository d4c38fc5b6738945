"""Service fixtures: a small catalogue with automated, manual and inherited controls."""

from __future__ import annotations

import dataclasses

import pytest

from app.controls.catalogue import (
    Catalogue,
    Control,
    Criterion,
    Inherited,
    ManualEvidence,
    Mapping,
    load_catalogue,
)

# Re-exported so service tests need one import for their store fixtures.
from tests.store.conftest import db, db_path, engagement, session  # noqa: F401

ISO = "iso27001"


def _control(
    base: Control, control_id: str, iso: tuple[str, ...], soc2: tuple[str, ...], **changes: object
) -> Control:
    mapping = Mapping(iso27001=iso, soc2=soc2, scf=())
    return dataclasses.replace(base, id=control_id, mapping=mapping, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def small_catalogue() -> Catalogue:
    """sg-inbound (automated), policies (manual, two evidence items), data-centre
    (inherited from AWS, the provider's report as its evidence), over six criteria."""
    real = load_catalogue()
    automated = _control(real.get("sg-inbound"), "sg-inbound", ("A.8.20",), ("CC6.6",))
    manual = _control(
        real.get("backups"),
        "policies",
        ("A.5.1", "A.7.2", "A.8.20"),
        ("CC1.1",),
        checks=(),
        manual_evidence=(
            ManualEvidence("policy", "Approved policy", "The signed policy."),
            ManualEvidence("review", "Review record", "The last yearly review."),
        ),
    )
    inherited = _control(
        real.get("backups"),
        "data-centre",
        ("A.7.1", "A.7.2"),
        ("A1.2",),
        checks=(),
        manual_evidence=(ManualEvidence("aws-report", "AWS SOC 2 report", "From AWS Artifact."),),
        inherited=Inherited(provider="AWS", scope="AWS data centres.", report="AWS Artifact"),
    )
    criteria = (
        Criterion(framework=ISO, id="A.5.1", title="Policies", category=""),
        Criterion(framework=ISO, id="A.5.2", title="Roles", category=""),
        Criterion(framework=ISO, id="A.7.1", title="Perimeters", category=""),
        Criterion(framework=ISO, id="A.7.2", title="Entry", category=""),
        Criterion(framework=ISO, id="A.8.20", title="Network security", category=""),
        Criterion(framework="soc2", id="CC1.1", title="Integrity", category="security"),
        Criterion(framework="soc2", id="CC6.6", title="Boundaries", category="security"),
        Criterion(framework="soc2", id="A1.2", title="Recovery", category="availability"),
    )
    # A.5.2 is covered by nothing in this small catalogue: its row is "not yet".
    return Catalogue(controls=(automated, manual, inherited), criteria=criteria)
