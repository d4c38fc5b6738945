"""Scheduled scans as one service for the CLI and the engagement dialog.

`install_scheduled_scan` creates the engagement if missing (as `scan` does), installs the
job with the operating system's scheduler, then records the schedule on the engagement
so the period ledger knows the cadence; `remove_scheduled_scan` undoes both;
`scheduled_scan_status` gathers what the scheduler and the store say about it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.scan.unattended import last_scheduled_scan, unattended_advice, unattended_problem
from app.services.schedulers import Scheduler
from app.services.schedulers.job import (
    SECRET_VARIABLES,
    JobStatus,
    ScanJob,
    carried_environment,
    job_id,
    next_run,
)
from app.store.database import Database
from app.store.engagements import create_engagement, find_engagement
from app.store.errors import InvalidInput
from app.store.models import Scan
from app.store.scan_state import ScanState
from app.store.scans import scans
from app.store.schedule import DEFAULT_AT, engagement_schedule, set_engagement_schedule

# The schedule's value types, for the engagement dialog (app/ui leaves app.store alone).
from app.store.schedule import Every as Every
from app.store.schedule import ScanSchedule as ScanSchedule

EVERY_CHOICES = ((Every.DAILY, "every day"), (Every.WEEKLY, "every Monday"))
DEFAULT_TIME = DEFAULT_AT


@dataclass(frozen=True)
class ScanFacts:
    """A stored scan as the status shows it (no ORM object leaves the session)."""

    id: int
    account_id: str
    started_at: datetime
    state: ScanState
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


def database_of(database: Database) -> str:
    """What a job opens to reach this store: the SQLite file's absolute path, or the
    server's URL without its password (which the job never holds)."""
    location = database.location
    if location.url is None:
        return str(location.sqlite_path.resolve())
    bare = location.without_password().url
    assert bare is not None  # a server store stays one
    return bare.render_as_string(hide_password=False)


def scan_job(
    engagement: str,
    schedule: ScanSchedule,
    database: str,
    *,
    profile: str | None,
    regions: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ScanJob:
    """The job to install; `InvalidInput` when the profile cannot work unattended (an
    MFA role, a profile that is not configured)."""
    problem = unattended_problem(profile)
    if problem is not None:
        raise InvalidInput(f"cannot run unattended: {problem}.")
    return ScanJob(
        engagement=engagement,
        schedule=schedule,
        database=database,
        profile=profile,
        regions=regions,
        environment=carried_environment(environ),
    )


def install_notes(job: ScanJob, environ: Mapping[str, str] | None = None) -> list[str]:
    """What the user should know after installing: secrets of this shell left out, and
    how long the profile's credentials last unattended."""
    source = os.environ if environ is None else environ
    found = [name for name in SECRET_VARIABLES if source.get(name)]
    notes = []
    if found:
        notes.append(
            f"{', '.join(found)} of this shell are not written into the job (no secret ever "
            "is): it signs in with "
            + (f'profile "{job.profile}".' if job.profile else "the default profile.")
        )
    advice = unattended_advice(job.profile)
    if advice:
        notes.append(advice + " README: 'Scheduled scans' says which profiles suit.")
    return notes


def scan_line(label: str, scan: ScanFacts | None) -> str:
    if scan is None:
        return f"{label}: none yet"
    when = f"{scan.started_at:%Y-%m-%d %H:%M} UTC"
    line = f"{label}: #{scan.id} of account {scan.account_id or '?'}, {when}, {scan.state}"
    return line + (f" ({' '.join(scan.error.split())})" if scan.error else "")


def status_lines(
    found: ScheduledScanStatus, kind: str, database: str, now: datetime
) -> tuple[str, list[str]]:
    """The status as a headline and its details (`schedule status`, the dialog)."""
    state, name = found.job, found.engagement
    if state.installed:
        headline = f"Scheduled scan of '{name}': installed ({kind}, {state.where})."
    else:
        headline = f"Scheduled scan of '{name}': not installed (no {state.where})."
    next_time = found.next_run(now)
    lines = [
        f"Next run: {next_time}" if next_time else "",
        f"Last run (scheduler): {state.last_run}" if state.last_run else "",
        state.note,
    ]
    if found.engagement_found:
        recorded = found.schedule.describe() if found.schedule else "no schedule"
        lines += [
            f"Recorded on the engagement: {recorded}",
            scan_line("Last scheduled scan", found.last_scheduled),
            scan_line("Latest scan (any)", found.latest),
        ]
    else:
        lines.append(f"No engagement named '{name}' in {database}.")
    return headline, [line for line in lines if line]
