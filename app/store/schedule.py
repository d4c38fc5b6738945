"""An engagement's scan schedule: how often its scheduled scan runs, and at what time.

Kept in the engagement's `settings` JSON under "schedule" (no table of its own), e.g.
``{"schedule": {"every": "daily", "at": "09:00"}}``, so the period ledger knows the
expected cadence. `at` is the local wall-clock time the operating system's scheduler
starts the job. Read it only through `engagement_schedule`; write it through
`set_engagement_schedule` (the audit log records the change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.store.engagements import update_engagement
from app.store.errors import InvalidInput
from app.store.models import Engagement

SETTINGS_KEY = "schedule"
DEFAULT_AT = time(9, 0)
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


class Every(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # on Mondays


_INTERVALS = {Every.DAILY: timedelta(days=1), Every.WEEKLY: timedelta(days=7)}


def parse_time(text: str) -> time:
    """'HH:MM' (24-hour clock) as a time; `InvalidInput` otherwise."""
    match = _HH_MM.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(f"'{text}' is not a time of day as HH:MM (24-hour clock, e.g. 09:00).")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class ScanSchedule:
    every: Every
    at: time = DEFAULT_AT

    @property
    def interval(self) -> timedelta:
        return _INTERVALS[self.every]

    @property
    def at_text(self) -> str:
        return f"{self.at:%H:%M}"

    def describe(self) -> str:
        when = "every day" if self.every is Every.DAILY else "every Monday"
        return f"{when} at {self.at_text}"

    def to_json(self) -> dict[str, str]:
        return {"every": self.every.value, "at": self.at_text}

    @classmethod
    def from_json(cls, data: Any) -> ScanSchedule:
        """The stored form back; `InvalidInput` when it is not one."""
        if not isinstance(data, dict):
            raise InvalidInput("The engagement's schedule is not a JSON object.")
        try:
            every = Every(str(data.get("every", "")))
        except ValueError as exc:
            raise InvalidInput(
                f"The engagement's schedule says every '{data.get('every')}'; "
                f"expected one of {', '.join(Every)}."
            ) from exc
        return cls(every, parse_time(str(data.get("at", DEFAULT_AT.strftime("%H:%M")))))


def engagement_schedule(engagement: Engagement) -> ScanSchedule | None:
    """The recorded schedule; None when there is none or it cannot be read (a hand-edited
    value must not stop the ledger: without a schedule it assumes the 7-day default)."""
    data = (engagement.settings or {}).get(SETTINGS_KEY)
    if data is None:
        return None
    try:
        return ScanSchedule.from_json(data)
    except InvalidInput:
        return None


def set_engagement_schedule(
    session: Session, engagement: Engagement, schedule: ScanSchedule | None, *, actor: str
) -> None:
    """Record (or with None, forget) the schedule; the other settings stay as they are."""
    settings = dict(engagement.settings or {})
    if schedule is None:
        settings.pop(SETTINGS_KEY, None)
    else:
        settings[SETTINGS_KEY] = schedule.to_json()
    update_engagement(session, engagement, actor=actor, settings=settings)
