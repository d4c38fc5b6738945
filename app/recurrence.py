"""How often a piece of manual evidence is due again, and the due dates that follows from.

Used by the catalogue (a default per evidence item), the store (an engagement's choice)
and the services (due and overdue). Plain dates, no time zones: a due date is a day.

A series is anchored on one due date; the others are whole steps of months before and
after it, each counted from the anchor (not from the previous date), so a month end
never drifts: from 31 January, one month on is 28 (or 29) February and two months on is
31 March. An anchor on the last day of its month keeps every date on a month end
(30 November quarterly: 28 February, 31 May, 31 August, 30 November).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from enum import StrEnum


class Recurrence(StrEnum):
    ONCE = "once"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half-yearly"  # twice a year: every six months
    YEARLY = "yearly"

    @property
    def months(self) -> int:
        """Months between two due dates; 0 for evidence asked for once."""
        return _MONTHS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_MONTHS = {
    Recurrence.ONCE: 0,
    Recurrence.MONTHLY: 1,
    Recurrence.QUARTERLY: 3,
    Recurrence.HALF_YEARLY: 6,
    Recurrence.YEARLY: 12,
}
_LABELS = {
    Recurrence.ONCE: "once",
    Recurrence.MONTHLY: "every month",
    Recurrence.QUARTERLY: "every quarter",
    Recurrence.HALF_YEARLY: "every six months",
    Recurrence.YEARLY: "every year",
}


def parse_recurrence(text: str) -> Recurrence:
    """'quarterly' (any case) as a `Recurrence`; `ValueError` naming the choices."""
    try:
        return Recurrence(text.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Recurrence)
        raise ValueError(f"'{text}' is not a recurrence (one of: {choices})") from None


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def due_date(anchor: date, recurrence: Recurrence, step: int) -> date:
    """The series' due date `step` steps after the anchor (before it, when negative)."""
    moved = add_months(anchor, step * recurrence.months)
    if is_month_end(anchor):
        return date(moved.year, moved.month, calendar.monthrange(moved.year, moved.month)[1])
    return moved


def due_dates(anchor: date, recurrence: Recurrence, start: date, end: date) -> Iterator[date]:
    """Every due date of the series from `start` to `end` (both included), in order.

    Once: the anchor alone (if it falls between them).
    """
    if recurrence is Recurrence.ONCE:
        if start <= anchor <= end:
            yield anchor
        return
    months = recurrence.months
    # The first step at or after `start`, counted from the anchor (a rough guess, then
    # corrected: month lengths differ).
    step = ((start.year - anchor.year) * 12 + start.month - anchor.month) // months - 1
    while due_date(anchor, recurrence, step) < start:
        step += 1
    while due_date(anchor, recurrence, step - 1) >= start:
        step -= 1
    while (due := due_date(anchor, recurrence, step)) <= end:
        yield due
        step += 1


def previous_due(anchor: date, recurrence: Recurrence, due: date) -> date | None:
    """The due date before `due` in the series (None for evidence asked for once)."""
    if recurrence is Recurrence.ONCE:
        return None
    months = recurrence.months
    step = ((due.year - anchor.year) * 12 + due.month - anchor.month) // months + 1
    while due_date(anchor, recurrence, step) >= due:
        step -= 1
    return due_date(anchor, recurrence, step)


def answers(day: date, due: date, after: date | None) -> bool:
    """Evidence effective on `day` answers the due date `due` whose window opens after
    `after`: a day after it, up to `due`. None: evidence asked for once, which a file of
    any day answers (a late one too)."""
    return after is None or after < day <= due


def occurrence_windows(
    anchor: date | None, recurrence: Recurrence, start: date, end: date | None, as_of: date
) -> list[tuple[date, date | None]]:
    """The (due, after) windows of a series as of a day: every due date from `start` up
    to `as_of` (or `end`, when earlier), then the next one. Asked for once: the anchor
    alone, with no window (`after` None). No anchor: none."""
    if anchor is None:
        return []
    if recurrence is Recurrence.ONCE:
        return [(anchor, None)]
    last = min(as_of, end) if end is not None else as_of
    dues = list(due_dates(anchor, recurrence, start, last))
    # The next one, beyond `last`: what is coming.
    later = add_months(last, recurrence.months) + timedelta(days=1)
    dues += list(due_dates(anchor, recurrence, last + timedelta(days=1), later))[:1]
    return [(due, previous_due(anchor, recurrence, due)) for due in dues]
