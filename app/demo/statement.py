"""The demo's Statement of Applicability: decided in a few batches, then approved.

`resources/demo/engagement.toml`'s `[soa]` gives a reason and owner for every Annex A
control, then groups that differ (other reasons, owners, justifications, and a few
exclusions), the SOC 2 categories in scope, and who approves. Everything goes through
`app/services/soa.py`, as the GUI and `audit-binder soa` do, so the audit log and the
sign-off chain hold what real use would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services import soa
from app.services.soa_model import DecisionChange
from app.store.decisions import ISO27001
from app.store.models import Engagement
from app.store.unset import UNSET


def seed_statement(
    session: Session, engagement: Engagement, spec: Mapping[str, Any], catalogue: Catalogue
) -> None:
    """Decide every Annex A control as `spec` (the `[soa]` table) says, and approve."""
    actor = str(spec["decided_by"])
    every = [c.id for c in catalogue.criteria_of(ISO27001)]
    first = DecisionChange(applies=True, reason=str(spec["reason"]), owner=str(spec["owner"]))
    soa.decide(session, engagement, catalogue, every, first, actor=actor)
    seen: set[str] = set()
    for group in spec.get("decisions", []):
        ids = [str(i) for i in group["criteria"]]
        twice = seen.intersection(ids)
        if twice:
            raise ValueError(f"the demo's SoA decides {', '.join(sorted(twice))} twice")
        seen.update(ids)
        soa.decide(session, engagement, catalogue, ids, _change(group), actor=actor)
    soa.set_soc2_scope(session, engagement, spec.get("soc2_categories", []), actor=actor)
    approval = spec["approve"]
    soa.approve(
        session,
        engagement,
        catalogue,
        reviewer=str(approval["reviewer"]),
        role=str(approval["role"]),
        comment=str(approval.get("comment", "")),
    )


def _change(group: Mapping[str, Any]) -> DecisionChange:
    def given(key: str) -> Any:
        return str(group[key]) if key in group else UNSET

    return DecisionChange(
        applies=bool(group["applies"]) if "applies" in group else UNSET,
        reason=given("reason"),
        justification=given("justification"),
        owner=given("owner"),
    )
