"""Which manual evidence an engagement asks for, and which of it is still unanswered.

The requests are the catalogue's manual evidence items of every control (recurring by
the catalogue's default until the engagement chooses otherwise) and those the user added
(`evidence_requests`). `app.services.recurring` builds the due dates and files of each
from `asked_requests`; `app.store.control_status` rests a manual control on
`evidence_gaps`, so the checklist, the dashboard and the binder count the same requests.

Due dates count from `counted_from` (the audit period's first day; without a period, the
day the engagement was created) up to the period's last day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from app.controls.catalogue import Control
from app.recurrence import Recurrence, add_months, answers, occurrence_windows
from app.store.evidence_requests import USER_PREFIX
from app.store.models import Attachment, Engagement, EvidenceRequest


class RequestSource(StrEnum):
    CATALOGUE = "catalogue"  # a catalogue item with the catalogue's default
    ENGAGEMENT = "engagement"  # a catalogue item, recurrence chosen for this engagement
    OWN = "own"  # a request the user added


@dataclass(frozen=True)
class AskedRequest:
    """A request before its dates are worked out."""

    control_id: str
    item_id: str
    title: str
    description: str
    recurrence: Recurrence
    due_on: date | None  # one date of its series (its anchor); None: no due date
    source: RequestSource
    # A stored row for an item this catalogue version no longer asks for: it is listed
    # (with the files against it) but nothing rests on it.
    retired: bool = False


@dataclass(frozen=True)
class EvidenceGaps:
    """What a control's requests lack as of a day (item ids, in the requests' order)."""

    asked: tuple[AskedRequest, ...]  # the requests that count (none retired)
    missing: tuple[str, ...]  # no file against them at all
    overdue: tuple[str, ...]  # files, but a due date passed with none effective for it

    @property
    def answered(self) -> tuple[str, ...]:
        lacking = set(self.missing) | set(self.overdue)
        return tuple(a.item_id for a in self.asked if a.item_id not in lacking)


def counted_from(engagement: Engagement) -> date:
    """The first day due dates count from: the period's start, else the creation day."""
    return engagement.period_start or engagement.created_at.date()


def default_due(engagement: Engagement, recurrence: Recurrence) -> date | None:
    """The due date a recurring request gets when none is chosen: the last day of the
    first step from `counted_from` (None for evidence asked for once)."""
    if recurrence is Recurrence.ONCE:
        return None
    return add_months(counted_from(engagement), recurrence.months) - timedelta(days=1)


def recurrence_of(row: EvidenceRequest) -> Recurrence:
    try:
        return Recurrence(row.recurrence)
    except ValueError:  # written by a newer version: asked for once, never overdue here
        return Recurrence.ONCE


def asked_requests(
    engagement: Engagement, controls: Sequence[Control], stored: Sequence[EvidenceRequest]
) -> list[AskedRequest]:
    """The catalogue's items of `controls` in catalogue order, then every stored row that
    is not one of them (the user's own requests, items a later catalogue dropped)."""
    rows = {(r.control_id, r.item_id): r for r in stored}
    asked = []
    for control in controls:
        for item in control.manual_evidence:
            row = rows.pop((control.id, item.id), None)
            if row is not None:
                recurrence, due, source = recurrence_of(row), row.due_on, RequestSource.ENGAGEMENT
            else:
                recurrence = item.recurrence or Recurrence.ONCE
                due, source = default_due(engagement, recurrence), RequestSource.CATALOGUE
            asked.append(
                AskedRequest(
                    control.id, item.id, item.title, item.description, recurrence, due, source
                )
            )
    for (control_id, item_id), row in sorted(rows.items()):
        own = item_id.startswith(USER_PREFIX)
        title = row.title or f"{item_id} (not in this catalogue version)"
        source = RequestSource.OWN if own else RequestSource.ENGAGEMENT
        asked.append(
            AskedRequest(
                control_id,
                item_id,
                title,
                row.description,
                recurrence_of(row),
                row.due_on,
                source,
                retired=not own,
            )
        )
    return asked


def effective_day(file: Attachment) -> date:
    """The day a file is evidence for: the one given, else the day it was added (UTC)."""
    return file.effective_on or file.added_at.date()


def missed_due(
    request: AskedRequest, effective: Iterable[date], start: date, end: date | None, as_of: date
) -> date | None:
    """The oldest due date of `request` that passed before `as_of` with no file effective
    for it (None: none did)."""
    days = list(effective)
    for due, after in occurrence_windows(request.due_on, request.recurrence, start, end, as_of):
        if due < as_of and not any(answers(day, due, after) for day in days):
            return due
    return None


def evidence_gaps(
    engagement: Engagement,
    asked: Iterable[AskedRequest],
    files: Iterable[Attachment],
    as_of: date,
) -> EvidenceGaps:
    """A control's requests (`asked`, retired ones left out) against its files; as in
    the schedule, only files added by `as_of` count."""
    counted = tuple(a for a in asked if not a.retired)
    start, end = counted_from(engagement), engagement.period_end
    days: dict[str, list[date]] = {}
    for file in files:
        if file.added_at.date() <= as_of:
            days.setdefault(file.evidence_item, []).append(effective_day(file))
    missing = tuple(a.item_id for a in counted if a.item_id not in days)
    overdue = tuple(
        a.item_id
        for a in counted
        if a.item_id in days and missed_due(a, days[a.item_id], start, end, as_of) is not None
    )
    return EvidenceGaps(counted, missing, overdue)
