"""An engagement's working state of each control: owner, notes, applicability.

Edits are optimistic: an editor passes the `updated_at` of the state it showed
(`expected`), and a change made meanwhile by someone else (another window, another
reviewer on the team store) is refused with `EditConflict` instead of overwritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.edit_check import flush_or_conflict
from app.store.errors import EditConflict, InvalidInput
from app.store.models import AuditLogEntry, ControlState, Engagement, next_version
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
    expected: datetime | Unset | None = UNSET,
) -> ControlState:
    """Create or change a control's state; unchanged fields are left as they are.

    Marking a control not applicable needs a reason (the Statement of Applicability
    prints it). `expected`: the `updated_at` the editor started from (None: it showed
    no state yet); `EditConflict` when the stored state has changed since.
    """
    if applicability is not UNSET and applicability not in (IN_SCOPE, NOT_APPLICABLE):
        raise InvalidInput(f"Applicability is '{IN_SCOPE}' or '{NOT_APPLICABLE}'.")
    state = control_state(session, engagement, control_id)
    if expected is not UNSET and (state.updated_at if state else None) != expected:
        raise _conflict(session, engagement, control_id)
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
    if changed and state.id is not None:
        state.updated_at = next_version(state.updated_at)
    flush_or_conflict(session, lambda: _conflict(session, engagement, control_id))
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


def _conflict(session: Session, engagement: Engagement, control_id: str) -> EditConflict:
    last = session.scalar(
        select(AuditLogEntry)
        .where(
            AuditLogEntry.engagement_id == engagement.id,
            AuditLogEntry.action == "control.update",
            AuditLogEntry.target == control_id,
        )
        .order_by(AuditLogEntry.id.desc())
        .limit(1)
    )
    who = f" by {last.actor} at {last.at:%Y-%m-%d %H:%M:%S} UTC" if last else ""
    return EditConflict(
        f"The notes, owner or applicability of {control_id} were changed{who} after you "
        "opened them; your change was not saved, so theirs was not overwritten."
    )
