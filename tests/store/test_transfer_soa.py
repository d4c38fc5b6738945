"""The engagement file carries the Statement of Applicability: decisions, SOC 2 scope,
approvals (verified with the sign-off chain); files from before it still import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.store.database import Database
from app.store.decisions import Decision, decisions, set_decisions
from app.store.engagements import create_engagement, engagement_named, list_engagements
from app.store.errors import TamperedFile, TransferError
from app.store.signoffs import SOA_TARGET, sign_off, sign_offs, verify_chain
from app.store.soa_approvals import approve_soa, soa_approvals
from app.store.transfer_export import export_engagement
from app.store.transfer_import import import_engagement
from tests.store.conftest import record_scan, result
from tests.store.transfer_helpers import edited, laptop_store

CHOSEN = {
    "A.5.1": Decision(True, "legal", "GDPR", "Zoë Ng"),
    "A.7.1": Decision(False, "", "Fully remote:\nno premises", ""),
    "A.8.20": Decision(True, "risk-treatment", "", "CTO"),
}


@pytest.fixture
def exported(db: Database, tmp_path: Path) -> Path:
    with db.session() as session:
        engagement = create_engagement(
            session, "Acme 2026", actor="ana", soc2_categories=["availability", "privacy"]
        )
        record_scan(session, engagement, [result()])
        set_decisions(session, engagement, CHOSEN, actor="ana")
        approve_soa(session, engagement, reviewer="Ana", role="CISO")
        sign_off(session, engagement, "sg-inbound", reviewer="Bob", role="Auditor")
        set_decisions(session, engagement, {"A.5.1": Decision(True, "legal")}, actor="ana")
        approve_soa(session, engagement, reviewer="Ana", role="CISO", comment="owner left")
        target = tmp_path / "acme.audit-binder"
        export_engagement(session, engagement, target, actor="ana")
    return target


def test_decisions_scope_and_approvals_round_trip(
    db: Database, exported: Path, tmp_path: Path
) -> None:
    with db.session() as session:
        source = engagement_named(session, "Acme 2026")
        before = (decisions(session, source), soa_approvals(session, source))
    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        import_engagement(session, exported, actor="carla")
    with laptop.session() as session:
        copy = engagement_named(session, "Acme 2026")
        assert copy.soc2_categories == ["security", "availability", "privacy"]
        assert (decisions(session, copy), soa_approvals(session, copy)) == before
        assert [a.version for a in before[1]] == [1, 2] and before[1][-1].current
        assert [s.control_id for s in sign_offs(session, copy)] == [
            SOA_TARGET,
            "sg-inbound",
            SOA_TARGET,
        ]
        assert verify_chain(session, copy).ok
    laptop.close()


def test_an_approval_forged_in_the_file_is_rejected(exported: Path, tmp_path: Path) -> None:
    def forge(manifest: dict[str, Any]) -> None:
        manifest["sign_offs"][0]["role"] = "CEO"

    forged = edited(exported, tmp_path / "forged.zip", forge)
    laptop = laptop_store(tmp_path)
    with pytest.raises(TamperedFile, match="Statement of Applicability"), laptop.session() as s:
        import_engagement(s, forged, actor="carla")
    with laptop.session() as session:
        assert list_engagements(session) == []
    laptop.close()


def test_an_edited_decision_shows_as_a_stale_approval_not_a_current_one(
    exported: Path, tmp_path: Path
) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        [row] = [d for d in manifest["criterion_decisions"] if d["criterion_id"] == "A.7.1"]
        row["applies"] = True
        row["justification"] = ""

    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, edited(exported, tmp_path / "e.zip", edit), actor="c")
        assert not soa_approvals(session, copy)[-1].current
    laptop.close()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applies", False, "decision 3 \\(A.8.20\\) is not a valid decision: an exclusion needs"),
        ("reason", "vibes", "'vibes' is not a reason"),
        ("criterion_id", "A.5.1", "lists the decision for iso27001 A.5.1 twice"),
        ("owner", "x" * 201, "is 201 characters long; at most 200 fit"),
    ],
)
def test_an_invalid_decision_in_the_file_imports_nothing(
    exported: Path, tmp_path: Path, field: str, value: object, message: str
) -> None:
    def edit(manifest: dict[str, Any]) -> None:
        manifest["criterion_decisions"][-1][field] = value

    laptop = laptop_store(tmp_path)
    with pytest.raises(TransferError, match=message), laptop.session() as session:
        import_engagement(session, edited(exported, tmp_path / "bad.zip", edit), actor="c")
    with laptop.session() as session:
        assert list_engagements(session) == []
    laptop.close()


def test_a_file_from_before_the_soa_imports_with_everything_undecided(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session:
        engagement = create_engagement(session, "Old", actor="ana")
        record_scan(session, engagement, [result()])
        sign_off(session, engagement, "sg-inbound", reviewer="Bob", role="Auditor")
        exported = export_engagement(session, engagement, tmp_path / "old.zip", actor="ana")

    def older(manifest: dict[str, Any]) -> None:  # as format 1 wrote it
        manifest["format_version"] = 1
        assert manifest.pop("criterion_decisions") == []
        manifest["engagement"].pop("soc2_categories")

    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, edited(exported, tmp_path / "v1.zip", older), actor="c")
        assert copy.soc2_categories == ["security"]
        assert decisions(session, copy) == {}
        assert soa_approvals(session, copy) == []
        assert verify_chain(session, copy).ok
    laptop.close()
