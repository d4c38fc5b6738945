"""Recurring evidence as plain values: each request's due dates, the files effective for
each, what is next due and what is overdue as of a day (`app.services.recurring` builds
them from the store).

A request recurring every N months is due on its series' dates (`app.recurrence`); the
occurrence due on a date is answered by a file *effective* for a day after the previous
due date, up to and including that date. A request asked for once with a due date is
answered by any file; one without a due date is never overdue (only missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.recurrence import Recurrence
from app.services.ledger_words import full_date
from app.store.evidence_asked import RequestSource


@dataclass(frozen=True)
class EffectiveFile:
    """A file attached against a request, and the day it is evidence for."""

    attachment_id: int
    name: str
    sha256: str
    added_by: str
    added_at: datetime
    effective_on: date  # the day given, else the day it was added (UTC)
    effective_given: bool


@dataclass(frozen=True)
class Occurrence:
    """One due date of a request and the files effective for it."""

    due: date
    # The window: days after `after`, up to `due`; None: any day (asked for once).
    after: date | None
    files: tuple[EffectiveFile, ...]

    @property
    def answered(self) -> bool:
        return bool(self.files)

    def overdue_days(self, as_of: date) -> int:
        """Days past its due date without evidence, as of `as_of` (0: not overdue)."""
        if self.answered or as_of <= self.due:
            return 0
        return (as_of - self.due).days


@dataclass(frozen=True)
class OverdueItem:
    control_id: str
    item_id: str
    title: str
    recurrence: Recurrence
    due: date
    days: int  # overdue by

    @property
    def words(self) -> str:
        """'due 30 September 2026, 66 days overdue'."""
        unit = "day" if self.days == 1 else "days"
        return f"due {full_date(self.due)}, {self.days} {unit} overdue"


@dataclass(frozen=True)
class RequestSchedule:
    """One evidence request of an engagement, as of a day."""

    control_id: str
    item_id: str
    title: str
    description: str
    recurrence: Recurrence
    due_on: date | None  # one date of its series (its anchor); None: no due date
    source: RequestSource
    applicable: bool  # False when its control is marked not applicable
    as_of: date
    occurrences: tuple[Occurrence, ...]  # due in the period up to `as_of`, then the next
    files: tuple[EffectiveFile, ...]  # every file against it, oldest first
    next_due: date | None

    @property
    def recurring(self) -> bool:
        return self.recurrence is not Recurrence.ONCE

    @property
    def own(self) -> bool:
        """A request the user added (which the user may remove), not the catalogue's."""
        return self.source is RequestSource.OWN

    @property
    def overdue(self) -> tuple[Occurrence, ...]:
        return tuple(o for o in self.occurrences if o.overdue_days(self.as_of))

    @property
    def overdue_items(self) -> tuple[OverdueItem, ...]:
        return tuple(
            OverdueItem(
                self.control_id,
                self.item_id,
                self.title,
                self.recurrence,
                o.due,
                o.overdue_days(self.as_of),
            )
            for o in self.overdue
        )

    @property
    def words(self) -> str:
        """'every quarter, next due 31 December 2026' or 'once, no due date'."""
        if self.next_due is None:
            due = "no due date" if self.due_on is None else "answered"
            return f"{self.recurrence.label}, {due}"
        return f"{self.recurrence.label}, next due {full_date(self.next_due)}"


@dataclass(frozen=True)
class EvidenceSchedule:
    """Every manual evidence request of an engagement, as of a day."""

    engagement_id: int
    as_of: date
    # Due dates from this day count (the audit period's start, else the engagement's
    # creation), up to the period's end.
    counted_from: date
    counted_until: date | None
    requests: tuple[RequestSchedule, ...]

    def for_control(self, control_id: str) -> tuple[RequestSchedule, ...]:
        return tuple(r for r in self.requests if r.control_id == control_id)

    def request(self, control_id: str, item_id: str) -> RequestSchedule | None:
        found = (r for r in self.requests if (r.control_id, r.item_id) == (control_id, item_id))
        return next(found, None)

    @property
    def overdue(self) -> tuple[OverdueItem, ...]:
        """Every overdue occurrence of an applicable control's request, the oldest first."""
        items = [i for r in self.requests if r.applicable for i in r.overdue_items]
        return tuple(sorted(items, key=lambda i: (i.due, i.control_id, i.item_id)))
