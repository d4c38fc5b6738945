"""The engagement's scan schedule, kept in its settings JSON."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.errors import InvalidInput
from app.store.models import AuditLogEntry, Engagement
from app.store.schedule import (
    Every,
    ScanSchedule,
    engagement_schedule,
    parse_time,
    set_engagement_schedule,
)


def test_set_read_and_clear_keep_the_other_settings(
    session: Session, engagement: Engagement
) -> None:
    engagement.settings = {"sensitive_buckets": ["ledger"]}
    assert engagement_schedule(engagement) is None

    set_engagement_schedule(
        session, engagement, ScanSchedule(Every.WEEKLY, time(6, 30)), actor="qa"
    )
    assert engagement.settings == {
        "sensitive_buckets": ["ledger"],
        "schedule": {"every": "weekly", "at": "06:30"},
    }
    schedule = engagement_schedule(engagement)
    assert schedule == ScanSchedule(Every.WEEKLY, time(6, 30))
    assert schedule is not None and schedule.interval == timedelta(days=7)
    assert schedule.describe() == "every Monday at 06:30"

    set_engagement_schedule(session, engagement, None, actor="qa")
    assert engagement.settings == {"sensitive_buckets": ["ledger"]}
    logged = session.scalars(
        select(AuditLogEntry.detail).where(AuditLogEntry.action == "engagement.update")
    ).all()
    assert len(logged) == 2 and "settings" in logged[0]


@pytest.mark.parametrize(
    "stored", ["daily", {"every": "hourly"}, {"every": "daily", "at": "25:00"}, ["daily"]]
)
def test_a_hand_edited_schedule_that_makes_no_sense_is_ignored(
    stored: object, engagement: Engagement
) -> None:
    engagement.settings = {"schedule": stored}
    assert engagement_schedule(engagement) is None


@pytest.mark.parametrize("text", ["9", "9:5", "24:00", "12:60", "noon", ""])
def test_times_must_be_hh_mm(text: str) -> None:
    with pytest.raises(InvalidInput, match="HH:MM"):
        parse_time(text)


def test_times_in_hh_mm() -> None:
    assert parse_time("9:05") == time(9, 5)
    assert parse_time(" 23:59 ") == time(23, 59)
