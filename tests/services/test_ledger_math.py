"""The ledger's arithmetic on plain values: spans, gaps, edges, words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.controls.control_status import ControlStatus
from app.services.ledger_math import (
    coverage_gaps,
    failure_spans,
    gap_threshold,
    tally,
)
from app.services.ledger_model import Attempt, GapEdge, LedgerWindow, ScanPoint, Tally
from app.services.ledger_words import control_sentence, day_range, duration
from app.store.schedule import Every, ScanSchedule
from tests.services.conftest import day

P, F, E, X, N = (
    ControlStatus.PASSING,
    ControlStatus.FAILING,
    ControlStatus.ERROR,
    ControlStatus.EXCEPTION,
    ControlStatus.NOT_CHECKED,
)


def timeline(*statuses: ControlStatus) -> tuple[ScanPoint, ...]:
    """One point a day from day 0."""
    return tuple(ScanPoint(n + 1, day(n), status) for n, status in enumerate(statuses))


def window(start: date | None, end: date | None, now: datetime) -> LedgerWindow:
    begin = None if start is None else datetime.combine(start, time(0), UTC)
    stop = None if end is None else datetime.combine(end + timedelta(days=1), time(0), UTC)
    return LedgerWindow(begin, stop, now if stop is None else min(stop, now), start, end)


JUNE = window(date(2026, 6, 1), date(2026, 6, 30), datetime(2026, 12, 1, tzinfo=UTC))


def test_a_failure_span_runs_to_the_first_passing_scan_after_it() -> None:
    (span,) = failure_spans(timeline(P, P, F, F, E, N, P, P))
    assert (span.start, span.end) == (day(2), day(6))
    assert span.last_failing.at == day(3)
    assert span.failing_scans == 2
    assert span.fixed and not span.open
    assert span.length(day(100)) == timedelta(days=4)


def test_an_error_after_a_failure_does_not_close_it_and_an_open_span_lasts_to_the_end() -> None:
    first, second = failure_spans(timeline(F, P, F, E, E))
    assert first.end == day(1)
    assert second.open and second.end is None
    assert second.length(day(10)) == timedelta(days=8)


def test_an_exception_closes_a_span_without_calling_it_fixed() -> None:
    (span,) = failure_spans(timeline(P, F, X, X))
    assert span.end == day(2)
    assert not span.fixed


def test_errors_alone_are_no_failure_span_and_never_passes() -> None:
    points = timeline(P, E, E, N, X)
    assert failure_spans(points) == ()
    assert tally(points) == Tally(scans=5, passed=1, errors=2, not_checked=1, excepted=1)


def test_the_gap_threshold_is_twice_the_schedule_or_seven_days() -> None:
    assert gap_threshold(None) == timedelta(days=7)
    assert gap_threshold(ScanSchedule(Every.DAILY)) == timedelta(days=2)
    assert gap_threshold(ScanSchedule(Every.WEEKLY)) == timedelta(days=14)


def test_gaps_between_scans_are_longer_than_the_threshold_only() -> None:
    times = [day(0), day(2), day(5), day(7)]
    gaps = coverage_gaps(times, window(None, None, day(8)), timedelta(days=2))
    assert [(g.start, g.end, g.edge) for g in gaps] == [(day(2), day(5), GapEdge.BETWEEN)]
    assert coverage_gaps(times, window(None, None, day(8)), timedelta(days=7)) == ()


def test_period_edges_count_from_its_start_and_to_its_end() -> None:
    times = [day(9), day(10)]  # 10 and 11 June, 09:00
    gaps = coverage_gaps(times, JUNE, timedelta(days=2))
    assert [(g.edge, g.start, g.end) for g in gaps] == [
        (GapEdge.START, datetime(2026, 6, 1, tzinfo=UTC), day(9)),
        (GapEdge.END, day(10), datetime(2026, 7, 1, tzinfo=UTC)),
    ]


def test_without_a_period_only_the_end_edge_counts_up_to_now() -> None:
    gaps = coverage_gaps([day(30)], window(None, None, day(40)), timedelta(days=7))
    assert [(g.edge, g.start, g.end) for g in gaps] == [(GapEdge.END, day(30), day(40))]


def test_a_period_with_no_scan_is_one_whole_gap_and_a_future_period_has_none() -> None:
    (whole,) = coverage_gaps([], JUNE, timedelta(days=7))
    assert (whole.edge, whole.length) == (GapEdge.WHOLE, timedelta(days=30))
    future = window(date(2027, 1, 1), date(2027, 6, 30), datetime(2026, 12, 1, tzinfo=UTC))
    assert coverage_gaps([], future, timedelta(days=7)) == ()
    assert coverage_gaps([], window(None, None, day(40)), timedelta(days=7)) == ()


def test_a_period_still_running_ends_its_coverage_now() -> None:
    running = window(date(2026, 6, 1), date(2026, 12, 31), day(20))
    (gap,) = coverage_gaps([day(5)], running, timedelta(days=7))
    assert (gap.edge, gap.end) == (GapEdge.END, day(20))


def test_failed_attempts_inside_a_gap_are_named_with_the_latest_reason() -> None:
    attempts = [
        Attempt(day(3), "the IAM Identity Center session is missing or expired"),
        Attempt(day(4), "still expired"),
        Attempt(day(20), "outside the gap"),
    ]
    (gap,) = coverage_gaps([day(1), day(6)], window(None, None, day(7)), timedelta(2), attempts)
    assert (gap.failed_attempts, gap.last_error) == (2, "still expired")


def test_durations_and_day_ranges_in_words() -> None:
    assert duration(timedelta(hours=3)) == "less than a day"
    assert duration(timedelta(days=1)) == "1 day"
    assert duration(timedelta(days=9)) == "9 days"
    assert duration(timedelta(days=21)) == "3 weeks"
    assert duration(timedelta(days=120)) == "4 months"
    assert day_range(date(2026, 6, 3), date(2026, 6, 24), 2026) == "from 3 to 24 June"
    assert day_range(date(2026, 5, 28), date(2026, 6, 3), 2026) == "from 28 May to 3 June"
    assert (
        day_range(date(2025, 12, 28), date(2026, 1, 3), 2026)
        == "from 28 December 2025 to 3 January"
    )


def test_the_sentence_of_a_control_that_failed_for_three_weeks_and_was_fixed() -> None:
    points = timeline(*([P] * 2 + [F] * 21 + [P] * 38))  # 61 scans, failing 3 to 23 June
    spans = failure_spans(points)
    sentence = control_sentence(tally(points), spans, (), JUNE)
    assert sentence == "passed in 40 of 61 scans; failed from 3 to 24 June (3 weeks), fixed since."


def test_the_sentence_names_open_failures_errors_and_gaps() -> None:
    points = timeline(P, E, P, F, F)
    gaps = coverage_gaps([p.at for p in points], JUNE, timedelta(days=2))
    sentence = control_sentence(tally(points), failure_spans(points), gaps, JUNE)
    assert sentence.startswith("passed in 2 of 5 scans; failing since 4 June (")
    assert "could not be checked in 1 scan;" in sentence
    assert "no complete scan for 4 weeks (from 5 to 30 June)" in sentence


def test_the_sentence_when_nothing_was_scanned() -> None:
    assert control_sentence(Tally(), (), (), JUNE) == (
        "not checked by any complete scan in the audit period."
    )
