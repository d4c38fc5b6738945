"""Scheduled scans as one service for the CLI and (later) the engagement dialog.

`install_scheduled_scan` creates the engagement if missing (as `scan` does), installs the
job with the operating system's scheduler, then records the schedule on the engagement
so the period ledger knows the cadence; `remove_scheduled_scan` undoes both;
`scheduled_scan_status` gathers what the scheduler and the store say about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.scan.unattended import last_scheduled_scan
from app.services.schedulers import Scheduler
from app.services.schedulers.job import JobStatus, ScanJob, job_id, next_run
from app.store.database import Database
from app.store.engagements import create_engagement, find_engagement
from app.store.models import Scan
from app.store.scans import scans
from app.store.schedule import ScanSchedule, engagement_schedule, set_engagement_schedule


@dataclass(frozen=True)
class ScanFacts:
    """A stored scan as the status shows it (no ORM object leaves the session)."""

    id: int
    account_id: str
    started_at: datetime
    state: str
    error: str

    @classmethod
    def of(cls, scan: Scan | None) -> ScanFacts | None:
        if scan is None:
            return None
        return cls(scan.id, scan.account_id, scan.started_at, scan.state, scan.error)


@dataclass(frozen=True)
class ScheduledScanStatus:
    engagement: str
    job: JobStatus
    engagement_found: bool = False
    schedule: ScanSchedule | None = None  # as recorded on the engagement
    last_scheduled: ScanFacts | None = None
    latest: ScanFacts | None = None

    def next_run(self, now: datetime) -> str:
        """The scheduler's own answer, else computed from the recorded schedule."""
        if self.job.next_run:
            return self.job.next_run
        if self.job.installed and self.schedule is not None:
            return f"{next_run(self.schedule, now):%Y-%m-%d %H:%M} local time (computed)"
        return ""


def install_scheduled_scan(
    database: Database, job: ScanJob, scheduler: Scheduler, *, actor: str
) -> list[str]:
    """Engagement (created if missing), job installed, schedule recorded; what was done.
    `SchedulerError` from the scheduler leaves the recorded schedule as it was."""
    with database.session() as session:
        if find_engagement(session, job.engagement) is None:
            create_engagement(session, job.engagement, actor=actor)
    done = scheduler.install(job)
    with database.session() as session:
        engagement = find_engagement(session, job.engagement)
        if engagement is not None:
            set_engagement_schedule(session, engagement, job.schedule, actor=actor)
    return done


def remove_scheduled_scan(
    database: Database | None,
    engagement: str,
    target: str,
    scheduler: Scheduler,
    *,
    actor: str,
) -> list[str]:
    """The job removed and the recorded schedule forgotten; what was done (empty: there
    was nothing). `database` None: only the job (the store is not there)."""
    done = scheduler.remove(job_id(engagement, target))
    if database is None:
        return done
    with database.session() as session:
        found = find_engagement(session, engagement)
        if found is not None and engagement_schedule(found) is not None:
            set_engagement_schedule(session, found, None, actor=actor)
            done.append("Removed the schedule recorded on the engagement.")
    return done


def scheduled_scan_status(
    database: Database | None, engagement: str, target: str, scheduler: Scheduler
) -> ScheduledScanStatus:
    job = scheduler.status(job_id(engagement, target))
    if database is None:
        return ScheduledScanStatus(engagement, job)
    with database.session() as session:
        found = find_engagement(session, engagement)
        if found is None:
            return ScheduledScanStatus(engagement, job)
        return ScheduledScanStatus(
            engagement=engagement,
            job=job,
            engagement_found=True,
            schedule=engagement_schedule(found),
            last_scheduled=ScanFacts.of(last_scheduled_scan(session, found)),
            latest=ScanFacts.of(next(iter(scans(session, found)), None)),
        )
