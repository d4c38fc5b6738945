"""A new engagement's Statement of Applicability and SOC 2 scope. No Qt.

A consultant can start a new engagement from another one's decisions (never its
approvals: the new SoA is a draft until approved there), and chooses the SOC 2
categories in scope (security always).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services.soa import set_soc2_scope, soa_state, start_from
from app.store.engagements import get_engagement, list_engagements
from app.store.models import Engagement


@dataclass(frozen=True)
class DecisionSource:
    """An engagement whose decisions a new one can start from."""

    id: int
    name: str
    progress: str  # "71 of 93 decided"
    soc2_categories: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.progress})"


def decision_sources(session: Session, catalogue: Catalogue) -> list[DecisionSource]:
    """Every engagement with at least one decided Annex A control, by name."""
    found = []
    for engagement in list_engagements(session):
        state = soa_state(session, engagement, catalogue)
        if state.decided:
            found.append(
                DecisionSource(
                    engagement.id,
                    engagement.name,
                    state.progress,
                    tuple(engagement.soc2_categories),
                )
            )
    return found


def set_up_scope(
    session: Session,
    engagement: Engagement,
    *,
    soc2_categories: Iterable[str],
    start_from_id: int | None,
    actor: str,
) -> int:
    """Copy the decisions of engagement `start_from_id` (if any), then set the SOC 2
    categories as chosen; returns how many decisions were copied."""
    copied = 0
    if start_from_id is not None:
        source = get_engagement(session, start_from_id)
        copied = start_from(session, source, engagement, actor=actor)
    set_soc2_scope(session, engagement, soc2_categories, actor=actor)
    return copied
