"""The control page's writes, each a thin call into the store's repositories.

Each function runs inside the caller's short-lived session (GUI thread) and lets
the store's `StoreError`s through for the page to show inline.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.store import attachments as store_attachments
from app.store import control_states as store_states
from app.store import risk as store_risk
from app.store import signoffs as store_signoffs
from app.store.audit import record
from app.store.engagements import get_engagement
from app.store.errors import NotFound
from app.store.models import Attachment, RiskException
from app.store.unset import UNSET, Unset
from app.ui.control_page.applicability_box import ApplicabilityRequest
from app.ui.control_page.exceptions_panel import ExceptionRequest
from app.ui.control_page.sign_off_panel import SignOffRequest


def add_attachment(
    session: Session,
    engagement_id: int,
    control_id: str,
    name: str,
    content: bytes,
    media_type: str,
    evidence_item: str,
    actor: str,
    description: str = "",
) -> int:
    # The store sniffs the media type from the content itself; the hint is not needed.
    del media_type
    attachment = store_attachments.add_attachment(
        session,
        get_engagement(session, engagement_id),
        control_id,
        name=name,
        content=content,
        actor=actor,
        evidence_item=evidence_item,
        description=description,
    )
    return attachment.id


def remove_attachment(session: Session, engagement_id: int, attachment_id: int, actor: str) -> bool:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.engagement_id != engagement_id:
        raise NotFound(f"Evidence file #{attachment_id} no longer exists.")
    store_attachments.remove_attachment(session, attachment, actor=actor)
    return True


def save_notes(
    session: Session,
    engagement_id: int,
    control_id: str,
    notes: str,
    actor: str,
    expected: datetime | Unset | None = UNSET,
) -> bool:
    """`expected`: the state's version the editor started from (`EditConflict` if stale)."""
    engagement = get_engagement(session, engagement_id)
    store_states.set_control_state(
        session, engagement, control_id, actor=actor, notes=notes, expected=expected
    )
    return True


def set_applicability(
    session: Session,
    engagement_id: int,
    control_id: str,
    request: ApplicabilityRequest,
    actor: str,
    expected: datetime | Unset | None = UNSET,
) -> bool:
    """Owner and applicability in one store call (one audit entry with both changes)."""
    store_states.set_control_state(
        session,
        get_engagement(session, engagement_id),
        control_id,
        actor=actor,
        expected=expected,
        owner=request.owner,
        applicability=store_states.IN_SCOPE if request.applicable else store_states.NOT_APPLICABLE,
        # An applicable control keeps no reason: the binder would print a stale one.
        applicability_reason="" if request.applicable else request.reason,
    )
    return True


def add_exception(
    session: Session,
    engagement_id: int,
    control_id: str,
    request: ExceptionRequest,
    actor: str,
) -> int:
    exception = store_risk.add_exception(
        session,
        get_engagement(session, engagement_id),
        control_id,
        actor=actor,
        justification=request.justification,
        approver=request.approver,
        expires_on=request.expires_on,
        resource_pattern=request.resource_pattern,
    )
    return exception.id


def revoke_exception(session: Session, engagement_id: int, exception_id: int, actor: str) -> bool:
    exception = session.get(RiskException, exception_id)
    if exception is None or exception.engagement_id != engagement_id:
        raise NotFound(f"Exception #{exception_id} no longer exists.")
    store_risk.revoke_exception(session, exception, actor=actor)
    return True


def sign_off(
    session: Session,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    request: SignOffRequest,
    actor: str,
) -> int:
    # The store records the reviewer as the actor: the sign-off is theirs, not the typist's.
    del actor
    catalogue.get(control_id)
    entry = store_signoffs.sign_off(
        session,
        get_engagement(session, engagement_id),
        control_id,
        reviewer=request.reviewer,
        role=request.role,
        comment=request.comment,
    )
    return entry.id


def record_unlock(session: Session, engagement_id: int, control_id: str, actor: str) -> bool:
    """An explicit unlock is on the record: the sign-off stays, later edits make it stale."""
    record(
        session,
        actor=actor,
        action="control.unlock",
        target=control_id,
        engagement=get_engagement(session, engagement_id),
    )
    return True
