"""Due-date arithmetic: month ends, leap years, steps back and forth from the anchor."""

from __future__ import annotations

from datetime import date

import pytest

from app.recurrence import (
    Recurrence,
    add_months,
    due_date,
    due_dates,
    parse_recurrence,
    previous_due,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 5), 0, date(2026, 12, 5)),
    ],
)
def test_add_months_clamps_to_the_months_last_day(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_a_series_is_counted_from_its_anchor_so_month_ends_never_drift() -> None:
    # From 31 January monthly: 28 February, then 31 March (not 28 March).
    assert due_date(date(2026, 1, 31), Recurrence.MONTHLY, 1) == date(2026, 2, 28)
    assert due_date(date(2026, 1, 31), Recurrence.MONTHLY, 2) == date(2026, 3, 31)
    # A month-end anchor keeps every date on a month end, also from February's 28th.
    quarters = list(
        due_dates(date(2027, 2, 28), Recurrence.QUARTERLY, date(2026, 6, 1), date(2027, 6, 30))
    )
    assert quarters == [date(2026, 8, 31), date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 31)]
    # ... and in a leap year February's month end is the 29th.
    assert due_date(date(2027, 11, 30), Recurrence.QUARTERLY, 1) == date(2028, 2, 29)


def test_due_dates_run_from_start_to_end_inclusive_and_before_the_anchor() -> None:
    dues = list(
        due_dates(date(2026, 12, 31), Recurrence.QUARTERLY, date(2026, 6, 30), date(2026, 12, 31))
    )
    assert dues == [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    yearly = list(
        due_dates(date(2026, 7, 8), Recurrence.YEARLY, date(2020, 1, 1), date(2028, 1, 1))
    )
    assert yearly == [date(y, 7, 8) for y in range(2020, 2028)]
    half = list(
        due_dates(date(2026, 4, 30), Recurrence.HALF_YEARLY, date(2026, 1, 1), date(2027, 12, 31))
    )
    assert half == [date(2026, 4, 30), date(2026, 10, 31), date(2027, 4, 30), date(2027, 10, 31)]


def test_once_is_due_on_its_anchor_only() -> None:
    anchor = date(2026, 9, 1)
    assert list(due_dates(anchor, Recurrence.ONCE, date(2026, 1, 1), date(2026, 12, 31))) == [
        anchor
    ]
    assert list(due_dates(anchor, Recurrence.ONCE, date(2026, 10, 1), date(2026, 12, 31))) == []
    assert previous_due(anchor, Recurrence.ONCE, anchor) is None


def test_previous_due_is_the_step_before() -> None:
    anchor = date(2026, 12, 31)
    assert previous_due(anchor, Recurrence.QUARTERLY, date(2026, 9, 30)) == date(2026, 6, 30)
    assert previous_due(anchor, Recurrence.MONTHLY, date(2027, 3, 31)) == date(2027, 2, 28)
    assert previous_due(date(2028, 2, 29), Recurrence.YEARLY, date(2028, 2, 29)) == date(
        2027, 2, 28
    )


def test_parse_recurrence_names_the_choices() -> None:
    assert parse_recurrence(" Quarterly ") is Recurrence.QUARTERLY
    assert parse_recurrence("half-yearly") is Recurrence.HALF_YEARLY
    with pytest.raises(ValueError, match="once, monthly, quarterly, half-yearly, yearly"):
        parse_recurrence("fortnightly")
