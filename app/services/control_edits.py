"""The control page's writes, each one short-lived session through the store's repositories.

Every function takes the open `Database`, the engagement and control, a request (this
module's own frozen types, which the page's forms fill) and the actor the audit log
names. The store's `StoreError`s (`EditConflict`, `NotFound`, `InvalidInput`...) come
through for the page to show inline. No Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.controls.catalogue import Catalogue
from app.store import attachments as store_attachments
from app.store import control_states as store_states
from app.store import risk as store_risk
from app.store import signoffs as store_signoffs
from app.store.audit import record
from app.store.database import Database
from app.store.engagements import get_engagement, owned_row
from app.store.models import Attachment, RiskException
from app.store.unset import UNSET, Unset


@dataclass(frozen=True)
class NewAttachment:
    """An evidence file to store against one of the control's evidence items."""

    name: str
    content: bytes
    evidence_item: str
    description: str = ""
    effective_on: date | None = None  # the day it is evidence for (None: the day it is added)


@dataclass(frozen=True)
class ApplicabilityRequest:
    owner: str
    applicable: bool
    reason: str


@dataclass(frozen=True)
class ExceptionRequest:
    resource_pattern: str
    justification: str
    approver: str
    expires_on: date


@dataclass(frozen=True)
class SignOffRequest:
    reviewer: str
    role: str
    comment: str


def add_attachments(
    db: Database,
    engagement_id: int,
    control_id: str,
    files: Sequence[NewAttachment],
    actor: str,
) -> list[int]:
    """Store the files in one transaction (all or none); the store sniffs each media type
    from the content itself."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        return [
            store_attachments.add_attachment(
                session,
                engagement,
                control_id,
                name=f.name,
                content=f.content,
                actor=actor,
                evidence_item=f.evidence_item,
                description=f.description,
                effective_on=f.effective_on,
            ).id
            for f in files
        ]


def remove_attachment(db: Database, engagement_id: int, attachment_id: int, actor: str) -> None:
    with db.session() as session:
        attachment = owned_row(session, Attachment, attachment_id, engagement_id, "Evidence file")
        store_attachments.remove_attachment(session, attachment, actor=actor)


def save_notes(
    db: Database,
    engagement_id: int,
    control_id: str,
    notes: str,
    actor: str,
    expected: datetime | Unset | None = UNSET,
) -> None:
    """`expected`: the state's version the editor started from (`EditConflict` if stale)."""
    with db.session() as session:
        store_states.set_control_state(
            session,
            get_engagement(session, engagement_id),
            control_id,
            actor=actor,
            notes=notes,
            expected=expected,
        )


def set_applicability(
    db: Database,
    engagement_id: int,
    control_id: str,
    request: ApplicabilityRequest,
    actor: str,
    expected: datetime | Unset | None = UNSET,
) -> None:
    """Owner and applicability in one store call (one audit entry with both changes)."""
    with db.session() as session:
        store_states.set_control_state(
            session,
            get_engagement(session, engagement_id),
            control_id,
            actor=actor,
            expected=expected,
            owner=request.owner,
            applicability=(
                store_states.IN_SCOPE if request.applicable else store_states.NOT_APPLICABLE
            ),
            # An applicable control keeps no reason: the binder would print a stale one.
            applicability_reason="" if request.applicable else request.reason,
        )


def add_exception(
    db: Database, engagement_id: int, control_id: str, request: ExceptionRequest, actor: str
) -> int:
    with db.session() as session:
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


def revoke_exception(db: Database, engagement_id: int, exception_id: int, actor: str) -> None:
    with db.session() as session:
        exception = owned_row(session, RiskException, exception_id, engagement_id, "Exception")
        store_risk.revoke_exception(session, exception, actor=actor)


def sign_off(
    db: Database,
    catalogue: Catalogue,
    engagement_id: int,
    control_id: str,
    request: SignOffRequest,
) -> int:
    """The store records the reviewer as the actor: the sign-off is theirs, not the typist's."""
    catalogue.get(control_id)
    with db.session() as session:
        entry = store_signoffs.sign_off(
            session,
            get_engagement(session, engagement_id),
            control_id,
            reviewer=request.reviewer,
            role=request.role,
            comment=request.comment,
        )
        return entry.id


def record_unlock(db: Database, engagement_id: int, control_id: str, actor: str) -> None:
    """An explicit unlock is on the record: the sign-off stays, later edits make it stale."""
    with db.session() as session:
        record(
            session,
            actor=actor,
            action="control.unlock",
            target=control_id,
            engagement=get_engagement(session, engagement_id),
        )
