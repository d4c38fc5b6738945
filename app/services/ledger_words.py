"""The ledger in plain words, e.g. "passed in 58 of 61 scans; failed from 3 to 24 June
(3 weeks), fixed since." Dates are UTC days; the year is named only when it is not the
reference year (the window's end)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from app.services.ledger_model import CoverageGap, FailureSpan, LedgerWindow, Tally

# Not calendar.month_name: that follows the locale, and the binder is in English.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MAX_SPANS_NAMED = 3


def day(value: date, year: int) -> str:
    text = f"{value.day} {_MONTHS[value.month - 1]}"
    return text if value.year == year else f"{text} {value.year}"


def day_range(start: date, end: date, year: int) -> str:
    """'3 to 24 June', '28 May to 3 June', '28 December 2025 to 3 January' ..."""
    if start == end:
        return f"on {day(start, year)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"from {start.day} to {day(end, year)}"
    return f"from {day(start, year)} to {day(end, year)}"


def duration(length: timedelta) -> str:
    days = round(length.total_seconds() / 86400)
    if length < timedelta(days=1) and days == 0:
        return "less than a day"
    if days < 14:
        return "1 day" if days == 1 else f"{days} days"
    if days < 63:
        return f"{round(days / 7)} weeks"
    return f"{round(days / 30.44)} months"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _when(span: FailureSpan, until: datetime, year: int) -> str:
    length = duration(span.length(until))
    if span.end is None:
        return f"since {day(span.start.date(), year)} ({length})"
    return f"{day_range(span.start.date(), span.end.date(), year)} ({length})"


def _spans(spans: Sequence[FailureSpan], until: datetime, year: int) -> str:
    def named(span: FailureSpan) -> str:
        return ("failing " if span.open else "failed ") + _when(span, until, year)

    if len(spans) > _MAX_SPANS_NAMED:
        longest = max(spans, key=lambda s: s.length(until))
        text = f"failed {len(spans)} times, the longest {_when(longest, until, year)}"
        if spans[-1].open:
            text += f", {named(spans[-1])}"
    elif len(spans) == 1:
        text = named(spans[0])
    else:
        text = ", ".join(named(s) for s in spans[:-1]) + " and " + named(spans[-1])
    last = spans[-1]
    if last.open:
        return text
    return text + (", fixed since" if last.fixed else ", accepted as an exception since")


def _gaps(gaps: Sequence[CoverageGap], year: int) -> str:
    longest = max(gaps, key=lambda gap: gap.length)
    when = day_range(longest.start.date(), _last_day(longest.end), year)
    text = f"no complete scan for {duration(longest.length)} ({when.removeprefix('on ')})"
    if len(gaps) > 1:
        text = f"{len(gaps)} gaps in coverage, the longest {text.removeprefix('no complete scan ')}"
    if longest.failed_attempts:
        text += f", {_plural(longest.failed_attempts, 'failed attempt')} in it"
    return text


def _last_day(end: datetime) -> date:
    """The day a gap ends on: a gap up to a period's end (midnight after its last day)
    ends on that last day."""
    if end.time() == time(0) and end.microsecond == 0:
        return (end - timedelta(days=1)).date()
    return end.date()


def _scans_clause(tally: Tally) -> str:
    if tally.scans == 1:
        return "passed in the only scan" if tally.passed else "did not pass in the only scan"
    if tally.passed == tally.scans:
        return f"passed in all {tally.scans} scans"
    return f"passed in {tally.passed} of {tally.scans} scans"


def control_sentence(
    tally: Tally,
    spans: Sequence[FailureSpan],
    gaps: Sequence[CoverageGap],
    window: LedgerWindow,
) -> str:
    """One sentence an auditor can read aloud, about one control in one account."""
    year = window.until.year
    if tally.scans == 0:
        where = " in the audit period" if window.period_set else ""
        return f"not checked by any complete scan{where}."
    parts = [_scans_clause(tally)]
    if spans:
        parts.append(_spans(spans, window.until, year))
    if tally.excepted:
        parts.append(f"failures accepted as exceptions in {_plural(tally.excepted, 'scan')}")
    if tally.errors:
        parts.append(f"could not be checked in {_plural(tally.errors, 'scan')}")
    if tally.not_checked:
        parts.append(f"no result in {_plural(tally.not_checked, 'scan')}")
    if gaps:
        parts.append(_gaps(gaps, year))
    return "; ".join(parts) + "."


def window_description(window: LedgerWindow) -> str:
    """'the audit period 1 June 2026 to 30 November 2026', or 'all scans (no audit period
    set)'."""
    start, end = window.period_start, window.period_end
    if start is not None and end is not None:
        return f"the audit period {full_date(start)} to {full_date(end)}"
    if start is not None:
        return f"the audit period from {full_date(start)} (no end set)"
    if end is not None:
        return f"the audit period up to {full_date(end)} (no start set)"
    return "all scans (no audit period set)"


def full_date(value: date) -> str:
    """'30 September 2026'."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
