"""An engagement's manual evidence requests: how often each recurs and when it is due, and
the requests the user added beside the catalogue's; the day each file is effective for.

Every change is in the audit log (`evidence_request.set`, `evidence_request.add`,
`evidence_request.remove`, `attachment.effective`). Which requests there are:
`app.store.evidence_asked`; due dates and what is overdue: `app.services.recurring`.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.recurrence import Recurrence
from app.store.attachments import checked_effective_date
from app.store.audit import record
from app.store.errors import InvalidInput, NotFound
from app.store.models import Attachment, Engagement, EvidenceRequest, next_version

# A request the user added gets an id of its own, never one the catalogue could use.
USER_PREFIX = "own-"
MAX_TITLE = 500


def evidence_requests(session: Session, engagement: Engagement) -> list[EvidenceRequest]:
    """The engagement's requests, by control and item."""
    query = (
        select(EvidenceRequest)
        .where(EvidenceRequest.engagement_id == engagement.id)
        .order_by(EvidenceRequest.control_id, EvidenceRequest.item_id)
    )
    return list(session.scalars(query))


def _find(
    session: Session, engagement: Engagement, control_id: str, item_id: str
) -> EvidenceRequest | None:
    query = select(EvidenceRequest).where(
        EvidenceRequest.engagement_id == engagement.id,
        EvidenceRequest.control_id == control_id,
        EvidenceRequest.item_id == item_id,
    )
    return session.scalars(query).first()


def _checked(recurrence: Recurrence, due_on: date | None) -> None:
    if recurrence is not Recurrence.ONCE and due_on is None:
        raise InvalidInput(
            f"Evidence due {recurrence.label} needs a due date (the next one, or any one "
            "of the series)."
        )


def set_recurrence(
    session: Session,
    engagement: Engagement,
    control_id: str,
    item_id: str,
    *,
    recurrence: Recurrence,
    due_on: date | None,
    actor: str,
) -> EvidenceRequest:
    """Set how often a request recurs and one of its due dates (a catalogue item's row
    is made on first use)."""
    _checked(recurrence, due_on)
    request = _find(session, engagement, control_id, item_id)
    before = None
    if request is None:
        request = EvidenceRequest(
            engagement_id=engagement.id, control_id=control_id, item_id=item_id
        )
        session.add(request)
    else:
        before = {"recurrence": request.recurrence, "due_on": _iso(request.due_on)}
    request.recurrence = recurrence.value
    request.due_on = due_on
    request.updated_by = actor
    request.updated_at = next_version(request.updated_at)
    session.flush()
    record(
        session,
        actor=actor,
        action="evidence_request.set",
        target=f"{control_id}/{item_id}",
        engagement=engagement,
        detail={"recurrence": recurrence.value, "due_on": _iso(due_on), "before": before},
    )
    return request


def add_request(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    title: str,
    recurrence: Recurrence,
    due_on: date | None,
    actor: str,
    description: str = "",
) -> EvidenceRequest:
    """A request of the user's own for a control (e.g. "Quarterly firewall review")."""
    clean = " ".join(title.split())
    if not clean:
        raise InvalidInput("An evidence request needs a title: what is asked for.")
    if len(clean) > MAX_TITLE:
        raise InvalidInput(f"An evidence request's title can be at most {MAX_TITLE} characters.")
    _checked(recurrence, due_on)
    slug = re.sub(r"[^a-z0-9]+", "-", clean.lower()).strip("-")[:40].strip("-") or "request"
    item_id, number = f"{USER_PREFIX}{slug}", 1
    while _find(session, engagement, control_id, item_id) is not None:
        number += 1
        item_id = f"{USER_PREFIX}{slug}-{number}"
    request = EvidenceRequest(
        engagement_id=engagement.id,
        control_id=control_id,
        item_id=item_id,
        title=clean,
        description=description.strip(),
        recurrence=recurrence.value,
        due_on=due_on,
        updated_by=actor,
    )
    session.add(request)
    session.flush()
    record(
        session,
        actor=actor,
        action="evidence_request.add",
        target=f"{control_id}/{item_id}",
        engagement=engagement,
        detail={"title": clean, "recurrence": recurrence.value, "due_on": _iso(due_on)},
    )
    return request


def remove_request(
    session: Session, engagement: Engagement, control_id: str, item_id: str, *, actor: str
) -> None:
    """Remove a request the user added (one added by mistake). The catalogue's requests
    stay (mark the control not applicable instead); so does one with files against it,
    which would be left answering nothing."""
    if not item_id.startswith(USER_PREFIX):
        raise InvalidInput(
            f"'{control_id}/{item_id}' is the catalogue's request: only a request you added "
            "can be removed (mark the control not applicable if it does not apply)."
        )
    request = _find(session, engagement, control_id, item_id)
    if request is None:
        raise NotFound(f"There is no request '{control_id}/{item_id}' (removed meanwhile?).")
    query = select(Attachment.original_name).where(
        Attachment.engagement_id == engagement.id,
        Attachment.control_id == control_id,
        Attachment.evidence_item == item_id,
    )
    names = list(session.scalars(query))
    if names:
        count = f"{len(names)} file{'s are' if len(names) != 1 else ' is'}"
        raise InvalidInput(
            f"“{request.title}” cannot be removed: {count} evidence of it "
            f"({', '.join(sorted(names))}). Remove the files first."
        )
    record(
        session,
        actor=actor,
        action="evidence_request.remove",
        target=f"{control_id}/{item_id}",
        engagement=engagement,
        detail={
            "title": request.title,
            "description": request.description,
            "recurrence": request.recurrence,
            "due_on": _iso(request.due_on),
        },
    )
    session.delete(request)
    session.flush()


def set_effective_date(
    session: Session, attachment: Attachment, effective_on: date | None, *, actor: str
) -> None:
    """Set (None: clear, the day it was added counts) the day a file is evidence for."""
    if effective_on is not None:
        checked_effective_date(effective_on)
    before = attachment.effective_on
    attachment.effective_on = effective_on
    session.flush()
    record(
        session,
        actor=actor,
        action="attachment.effective",
        target=attachment.control_id,
        engagement=session.get(Engagement, attachment.engagement_id),
        detail={
            "attachment": attachment.id,
            "name": attachment.original_name,
            "effective_on": _iso(effective_on),
            "before": _iso(before),
        },
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
