"""Scheduled scans with the operating system's own scheduler.

`scheduler_for(sys.platform)` picks one: a systemd user service and timer on Linux
(`systemd`), a launchd agent on macOS (`launchd`), a Task Scheduler task on Windows
(`windows`). Each renders the job's definition with pure functions (tested for every
OS on any machine) and installs, inspects and removes it with the OS's own tools.
`job` holds what they share: the job's command line, its name, the refusals of secrets.
"""

from __future__ import annotations

import sys
from typing import Protocol

from app.services.schedulers.job import JobFile, JobStatus, ScanJob
from app.services.schedulers.launchd import Launchd
from app.services.schedulers.systemd import SystemdUser
from app.services.schedulers.windows import TaskScheduler


class Scheduler(Protocol):
    kind: str

    def files(self, job: ScanJob) -> list[JobFile]:
        """What `install` would write (for `--print`)."""

    def unavailable(self) -> str | None:
        """Why this scheduler cannot be driven on this machine, or None."""

    def install(self, job: ScanJob) -> list[str]:
        """Write and enable the job (replacing an earlier one); what was done, line by line.
        Raises `SchedulerError` when the scheduler refuses."""

    def hints(self) -> list[str]:
        """What the user should know about running unattended with this scheduler."""

    def status(self, job_id: str) -> JobStatus: ...

    def remove(self, job_id: str) -> list[str]:
        """Disable and delete the job; what was done (empty: nothing was installed)."""


def scheduler_for(platform: str = sys.platform) -> Scheduler:
    if platform == "darwin":
        return Launchd()
    if platform == "win32":
        return TaskScheduler()
    return SystemdUser()
