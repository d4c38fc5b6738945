"""Recurring evidence: which manual evidence is due when, what is overdue, and setting a
request's recurrence and a file's effective date (Qt-free; the CLI, the binder and the
GUI call these).

The requests are the catalogue's manual evidence items of every control (recurring by
the catalogue's default until the engagement chooses otherwise) and those the user added.
Due dates count from the audit period's first day (without a period, from the day the
engagement was created) to its last day; the next due date may lie beyond. A catalogue
default with no due date chosen is due at the end of each step from that first day
(quarterly from 1 July: 30 September, 31 December, ...).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue, Control, load_catalogue
from app.recurrence import (
    Recurrence,
    add_months,
    answers,
    due_dates,
    occurrence_windows,
    previous_due,
)
from app.services.recurring_model import (
    EffectiveFile,
    EvidenceSchedule,
    Occurrence,
    OverdueItem,
    RequestSchedule,
)
from app.store.attachments import add_attachment, attachments
from app.store.control_states import NOT_APPLICABLE, control_states
from app.store.engagements import owned_row
from app.store.errors import InvalidInput
from app.store.evidence_asked import (
    AskedRequest,
    asked_requests,
    counted_from,
    default_due,
    effective_day,
)
from app.store.evidence_requests import add_request, evidence_requests
from app.store.evidence_requests import remove_request as store_remove_request
from app.store.evidence_requests import set_effective_date as store_effective_date
from app.store.evidence_requests import set_recurrence as store_recurrence
from app.store.models import Attachment, Engagement
from app.store.risk import today_utc

# Looking for the next unanswered due date stops after this many steps.
_MAX_STEPS_AHEAD = 24


def evidence_schedule(
    session: Session,
    engagement: Engagement,
    *,
    catalogue: Catalogue | None = None,
    as_of: date | None = None,
) -> EvidenceSchedule:
    """Every manual evidence request of the engagement with its due dates as of a day
    (default today, UTC); only files added by then count."""
    day = as_of or today_utc()
    catalogue = catalogue or load_catalogue()
    stored = evidence_requests(session, engagement)
    states = control_states(session, engagement)
    files = [f for f in attachments(session, engagement) if f.added_at.date() <= day]
    start, end = counted_from(engagement), engagement.period_end
    requests = []
    for asked in asked_requests(engagement, catalogue.controls, stored):
        own = [
            f for f in files if (f.control_id, f.evidence_item) == (asked.control_id, asked.item_id)
        ]
        state = states.get(asked.control_id)
        applicable = state is None or state.applicability != NOT_APPLICABLE
        requests.append(_schedule(asked, own, applicable, day, start, end))
    return EvidenceSchedule(engagement.id, day, start, end, tuple(requests))


def overdue_evidence(
    session: Session,
    engagement: Engagement,
    *,
    catalogue: Catalogue | None = None,
    as_of: date | None = None,
) -> tuple[OverdueItem, ...]:
    """What is overdue as of a day (default today), the oldest first: the dashboard's list."""
    return evidence_schedule(session, engagement, catalogue=catalogue, as_of=as_of).overdue


def _effective(file: Attachment) -> EffectiveFile:
    return EffectiveFile(
        attachment_id=file.id,
        name=file.original_name,
        sha256=file.sha256,
        added_by=file.added_by,
        added_at=file.added_at,
        effective_on=effective_day(file),
        effective_given=file.effective_on is not None,
    )


def _schedule(
    asked: AskedRequest,
    files: list[Attachment],
    applicable: bool,
    day: date,
    start: date,
    end: date | None,
) -> RequestSchedule:
    effective = tuple(_effective(f) for f in files)
    occurrences = _occurrences(asked, effective, day, start, end)
    upcoming = [o for o in occurrences if o.due >= day and not o.answered]
    next_due = upcoming[0].due if upcoming else None
    if next_due is None and asked.recurrence is not Recurrence.ONCE and asked.due_on:
        next_due = _next_unanswered(asked.due_on, asked.recurrence, effective, day)
    return RequestSchedule(
        control_id=asked.control_id,
        item_id=asked.item_id,
        title=asked.title,
        description=asked.description,
        recurrence=asked.recurrence,
        due_on=asked.due_on,
        source=asked.source,
        applicable=applicable,
        as_of=day,
        occurrences=occurrences,
        files=effective,
        next_due=next_due,
    )


def _occurrences(
    asked: AskedRequest, files: tuple[EffectiveFile, ...], day: date, start: date, end: date | None
) -> tuple[Occurrence, ...]:
    windows = occurrence_windows(asked.due_on, asked.recurrence, start, end, day)
    return tuple(Occurrence(due, after, _within(files, after, due)) for due, after in windows)


def _within(
    files: tuple[EffectiveFile, ...], after: date | None, due: date
) -> tuple[EffectiveFile, ...]:
    return tuple(f for f in files if answers(f.effective_on, due, after))


def _next_unanswered(
    anchor: date, recurrence: Recurrence, files: tuple[EffectiveFile, ...], day: date
) -> date | None:
    horizon = add_months(day, recurrence.months * _MAX_STEPS_AHEAD)
    for due in due_dates(anchor, recurrence, day, horizon):
        if not _within(files, previous_due(anchor, recurrence, due), due):
            return due
    return None


# Changes: each takes the actor, checks the request against the catalogue, and is
# recorded in the audit log by the store.


def _control(catalogue: Catalogue, control_id: str) -> Control:
    try:
        return catalogue.get(control_id)
    except KeyError:
        raise InvalidInput(f"There is no control '{control_id}' in the catalogue.") from None


def _known_item(session: Session, engagement: Engagement, control: Control, item_id: str) -> bool:
    if any(item.id == item_id for item in control.manual_evidence):
        return True
    return any(
        (r.control_id, r.item_id) == (control.id, item_id)
        for r in evidence_requests(session, engagement)
    )


def _item_or_refuse(
    session: Session, engagement: Engagement, catalogue: Catalogue, control_id: str, item: str
) -> None:
    control = _control(catalogue, control_id)
    if not _known_item(session, engagement, control, item):
        asked = ", ".join(i.id for i in control.manual_evidence) or "none in the catalogue"
        raise InvalidInput(
            f"'{control_id}' asks for no evidence item '{item}' (its items: {asked})."
        )


def set_request_recurrence(
    session: Session,
    engagement: Engagement,
    control_id: str,
    item_id: str,
    recurrence: Recurrence,
    *,
    actor: str,
    due_on: date | None = None,
    catalogue: Catalogue | None = None,
) -> RequestSchedule:
    """Make a request recur (or be asked for once) with one of its due dates (default:
    `default_due`); returns the request as of today."""
    catalogue = catalogue or load_catalogue()
    _item_or_refuse(session, engagement, catalogue, control_id, item_id)
    due = due_on if due_on is not None else default_due(engagement, recurrence)
    store_recurrence(
        session,
        engagement,
        control_id,
        item_id,
        recurrence=recurrence,
        due_on=due,
        actor=actor,
    )
    found = evidence_schedule(session, engagement, catalogue=catalogue).request(control_id, item_id)
    assert found is not None  # just stored
    return found


def add_own_request(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    title: str,
    recurrence: Recurrence,
    actor: str,
    due_on: date | None = None,
    description: str = "",
    catalogue: Catalogue | None = None,
) -> RequestSchedule:
    """A request of the user's own for a control; its id is returned in the schedule."""
    catalogue = catalogue or load_catalogue()
    _control(catalogue, control_id)
    due = due_on if due_on is not None else default_due(engagement, recurrence)
    row = add_request(
        session,
        engagement,
        control_id,
        title=title,
        recurrence=recurrence,
        due_on=due,
        actor=actor,
        description=description,
    )
    found = evidence_schedule(session, engagement, catalogue=catalogue).request(
        control_id, row.item_id
    )
    assert found is not None  # just stored
    return found


def attach_evidence(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    name: str,
    content: bytes,
    actor: str,
    item_id: str = "",
    effective_on: date | None = None,
    description: str = "",
    catalogue: Catalogue | None = None,
) -> Attachment:
    """Attach a file to a control, against one of its requests (or none), effective for
    a day (default: today)."""
    catalogue = catalogue or load_catalogue()
    _control(catalogue, control_id)
    if item_id:
        _item_or_refuse(session, engagement, catalogue, control_id, item_id)
    return add_attachment(
        session,
        engagement,
        control_id,
        name=name,
        content=content,
        actor=actor,
        description=description,
        evidence_item=item_id,
        effective_on=effective_on,
    )


def set_effective_date(
    session: Session,
    engagement: Engagement,
    attachment_id: int,
    effective_on: date | None,
    *,
    actor: str,
) -> None:
    """Set (None: clear) the day an attached file is evidence for."""
    attachment = owned_row(session, Attachment, attachment_id, engagement.id, "Evidence file")
    store_effective_date(session, attachment, effective_on, actor=actor)


def remove_own_request(
    session: Session,
    engagement: Engagement,
    control_id: str,
    item_id: str,
    *,
    actor: str,
    catalogue: Catalogue | None = None,
) -> None:
    """Remove a request the user added (not the catalogue's; not one with files)."""
    _control(catalogue or load_catalogue(), control_id)
    store_remove_request(session, engagement, control_id, item_id, actor=actor)
