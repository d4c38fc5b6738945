"""An engagement's working state of each control: owner, notes, applicability."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.errors import InvalidInput
from app.store.models import ControlState, Engagement
from app.store.unset import UNSET, Unset

IN_SCOPE, NOT_APPLICABLE = "in_scope", "not_applicable"


def control_state(session: Session, engagement: Engagement, control_id: str) -> ControlState | None:
    return session.scalar(
        select(ControlState).where(
            ControlState.engagement_id == engagement.id, ControlState.control_id == control_id
        )
    )


def control_states(session: Session, engagement: Engagement) -> dict[str, ControlState]:
    query = select(ControlState).where(ControlState.engagement_id == engagement.id)
    return {state.control_id: state for state in session.scalars(query)}


def set_control_state(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    actor: str,
    owner: str | Unset = UNSET,
    notes: str | Unset = UNSET,
    applicability: str | Unset = UNSET,
    applicability_reason: str | Unset = UNSET,
) -> ControlState:
    """Create or change a control's state; unchanged fields are left as they are.

    Marking a control not applicable needs a reason (the Statement of Applicability
    prints it).
    """
    if applicability is not UNSET and applicability not in (IN_SCOPE, NOT_APPLICABLE):
        raise InvalidInput(f"Applicability is '{IN_SCOPE}' or '{NOT_APPLICABLE}'.")
    state = control_state(session, engagement, control_id)
    if state is None:
        state = ControlState(
            engagement_id=engagement.id,
            control_id=control_id,
            applicability=IN_SCOPE,
            applicability_reason="",
            owner="",
            notes="",
        )
        session.add(state)
    wanted: dict[str, Any] = {
        "owner": owner,
        "notes": notes,
        "applicability": applicability,
        "applicability_reason": applicability_reason,
    }
    changed: dict[str, Any] = {}
    for field, value in wanted.items():
        if value is not UNSET and getattr(state, field) != value:
            changed[field] = {"from": getattr(state, field), "to": value}
            setattr(state, field, value)
    if state.applicability == NOT_APPLICABLE and not state.applicability_reason.strip():
        raise InvalidInput("Say why the control does not apply (the auditor will ask).")
    session.flush()
    if changed:
        record(
            session,
            actor=actor,
            action="control.update",
            target=control_id,
            engagement=engagement,
            detail=changed,
        )
    return state
