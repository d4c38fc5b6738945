"""macOS: a launchd agent in `~/Library/LaunchAgents`, loaded with `launchctl bootstrap`.

`StartCalendarInterval` at the schedule's local time (Mondays for weekly). launchd runs
a job whose time passed while the Mac slept when it wakes; one missed while it was off
is not run: the ledger then shows the gap. Output goes to the app's log folder.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from pathlib import Path
from typing import Any

from app.paths import log_dir
from app.services.schedulers.job import (
    JobFile,
    JobStatus,
    Runner,
    ScanJob,
    SchedulerError,
    first_line,
    run_command,
)
from app.store.schedule import Every

LABEL_PREFIX = "audit-binder.scan."


def agents_dir() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


def label(job_id: str) -> str:
    return LABEL_PREFIX + job_id


def render_plist(job: ScanJob, log_file: Path) -> str:
    """The agent's property list (plistlib escapes every string for XML)."""
    interval: dict[str, int] = {"Hour": job.schedule.at.hour, "Minute": job.schedule.at.minute}
    if job.schedule.every is Every.WEEKLY:
        interval["Weekday"] = 1  # Monday
    agent: dict[str, Any] = {
        "Label": label(job.id),
        "ProgramArguments": job.argv(),
        "StartCalendarInterval": interval,
        "ProcessType": "Background",
        "RunAtLoad": False,
        "StandardInputPath": "/dev/null",
        "StandardOutPath": str(log_file),
        "StandardErrorPath": str(log_file),
    }
    if job.environment:
        agent["EnvironmentVariables"] = dict(sorted(job.environment.items()))
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=False).decode("utf-8")


class Launchd:
    kind = "launchd agent"

    def __init__(self, folder: Path | None = None, run: Runner = run_command) -> None:
        self.folder = folder or agents_dir()
        self.run = run

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{label(job_id)}.plist"

    def files(self, job: ScanJob) -> list[JobFile]:
        path = self._path(job.id)
        log_file = log_dir() / f"scheduled-scan-{job.id}.log"
        return [JobFile(str(path), render_plist(job, log_file), path)]

    def unavailable(self) -> str | None:
        if sys.platform != "darwin":
            return "launchd agents exist only on macOS"
        if shutil.which("launchctl") is None:
            return "launchctl is not installed"
        return None

    def _domain(self) -> str:
        return f"gui/{os.getuid()}"

    def install(self, job: ScanJob) -> list[str]:
        reason = self.unavailable()
        if reason is not None:
            raise SchedulerError(f"Cannot install a launchd agent here: {reason}.")
        (item,) = self.files(job)
        assert item.path is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        log_dir().mkdir(parents=True, exist_ok=True)
        target = f"{self._domain()}/{label(job.id)}"
        self.run(["launchctl", "bootout", target])  # an earlier version, if loaded
        item.path.write_text(item.text, encoding="utf-8")
        answer = self.run(["launchctl", "bootstrap", self._domain(), str(item.path)])
        if answer.returncode != 0:
            raise SchedulerError(
                f"launchctl bootstrap failed: {first_line(answer.stderr) or answer.returncode}"
            )
        return [f"Wrote {item.where}", f"Loaded {label(job.id)} (launchctl bootstrap)."]

    def hints(self) -> list[str]:
        return [
            "launchd runs a scan missed while the Mac slept when it wakes, not one "
            "missed while it was shut down."
        ]

    def status(self, job_id: str) -> JobStatus:
        path = self._path(job_id)
        if not path.exists():
            return JobStatus(False, str(path))
        if self.unavailable() is not None:
            return JobStatus(True, str(path), note="launchctl is not available here.")
        answer = self.run(["launchctl", "print", f"{self._domain()}/{label(job_id)}"])
        if answer.returncode != 0:
            return JobStatus(True, str(path), note="the agent file exists but is not loaded")
        fields: dict[str, str] = {}
        for line in answer.stdout.splitlines():
            key, sep, value = line.strip().partition(" = ")
            if sep:
                fields.setdefault(key, value)
        last = fields.get("last exit code", "")
        return JobStatus(
            True,
            str(path),
            last_run=f"last exit code {last}" if last else "",
            note=f"state {fields.get('state', 'unknown')}, runs {fields.get('runs', '0')}",
        )

    def remove(self, job_id: str) -> list[str]:
        path = self._path(job_id)
        if not path.exists():
            return []
        done = []
        if self.unavailable() is None:
            self.run(["launchctl", "bootout", f"{self._domain()}/{label(job_id)}"])
            done.append(f"Unloaded {label(job_id)} (launchctl bootout).")
        path.unlink()
        return [f"Removed {path}", *done]
