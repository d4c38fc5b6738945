"""Windows: a Task Scheduler task (`schtasks /Create /XML`) in the "Audit Binder" folder.

A calendar trigger at the schedule's local time; `StartWhenAvailable` runs a start
missed while the computer was off as soon as it can. The task runs as the signed-in
user, only while they are logged on (no password is stored). Task Scheduler gives
the task the user's own environment variables; none are written into the task.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

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

NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
FOLDER = "\\Audit Binder\\"
# Any past date: the trigger repeats from there at the same local time.
_START_DAY = "2026-01-05"  # a Monday


def task_name(job_id: str) -> str:
    return f"{FOLDER}scan-{job_id}"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _trigger(triggers: ET.Element, job: ScanJob) -> None:
    trigger = _add(triggers, "CalendarTrigger")
    _add(trigger, "StartBoundary", f"{_START_DAY}T{job.schedule.at:%H:%M}:00")
    _add(trigger, "Enabled", "true")
    if job.schedule.every is Every.WEEKLY:
        weekly = _add(trigger, "ScheduleByWeek")
        _add(weekly, "WeeksInterval", "1")
        _add(_add(weekly, "DaysOfWeek"), "Monday")
    else:
        _add(_add(trigger, "ScheduleByDay"), "DaysInterval", "1")


def render_task_xml(job: ScanJob) -> str:
    """The task definition (Task Scheduler schema 1.2); ElementTree escapes the text."""
    # The children are unqualified on purpose: written under this default namespace
    # they are in it, which is how Task Scheduler exports its own definitions.
    task = ET.Element("Task", {"version": "1.2", "xmlns": NAMESPACE})
    info = _add(task, "RegistrationInfo")
    _add(info, "Description", f"Audit Binder: {job.describe()}. Holds no secret.")
    _add(info, "URI", task_name(job.id))
    _trigger(_add(task, "Triggers"), job)
    principal = _add(_add(task, "Principals"), "Principal")
    principal.set("id", "Author")
    _add(principal, "LogonType", "InteractiveToken")
    _add(principal, "RunLevel", "LeastPrivilege")
    settings = _add(task, "Settings")
    for tag, value in (
        ("MultipleInstancesPolicy", "IgnoreNew"),
        ("DisallowStartIfOnBatteries", "false"),
        ("StopIfGoingOnBatteries", "false"),
        ("StartWhenAvailable", "true"),
        ("Enabled", "true"),
        ("ExecutionTimeLimit", "PT2H"),
    ):
        _add(settings, tag, value)
    actions = _add(task, "Actions")
    actions.set("Context", "Author")
    program, *arguments = job.argv()
    execute = _add(actions, "Exec")
    _add(execute, "Command", program)
    # The quoting CreateProcess and the C runtime undo: what subprocess uses on Windows.
    _add(execute, "Arguments", subprocess.list2cmdline(arguments))
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n"


class TaskScheduler:
    kind = "Task Scheduler task"

    def __init__(self, run: Runner = run_command) -> None:
        self.run = run

    def files(self, job: ScanJob) -> list[JobFile]:
        return [JobFile(f"Task Scheduler task {task_name(job.id)}", render_task_xml(job))]

    def unavailable(self) -> str | None:
        if sys.platform != "win32":
            return "Task Scheduler exists only on Windows"
        if shutil.which("schtasks") is None:
            return "schtasks is not available"
        return None

    def install(self, job: ScanJob) -> list[str]:
        reason = self.unavailable()
        if reason is not None:
            raise SchedulerError(f"Cannot create a scheduled task here: {reason}.")
        (item,) = self.files(job)
        with tempfile.TemporaryDirectory() as folder:
            definition = Path(folder) / "task.xml"
            definition.write_text(item.text, encoding="utf-16")
            name = task_name(job.id)
            answer = self.run(["schtasks", "/Create", "/TN", name, "/XML", str(definition), "/F"])
        if answer.returncode != 0:
            detail = first_line(answer.stderr) or first_line(answer.stdout)
            raise SchedulerError(f"schtasks /Create failed: {detail or answer.returncode}")
        return [f"Created {item.where} (schtasks)."]

    def hints(self) -> list[str]:
        return [
            "The task runs while you are logged on; a start missed meanwhile runs as "
            "soon as you are."
        ]

    def status(self, job_id: str) -> JobStatus:
        name = task_name(job_id)
        if self.unavailable() is not None:
            return JobStatus(False, name, note="Task Scheduler is not available here.")
        if self.run(["schtasks", "/Query", "/TN", name]).returncode != 0:
            return JobStatus(False, name)
        folder, _, leaf = name.rpartition("\\")
        script = (
            f"Get-ScheduledTaskInfo -TaskPath '{folder}\\' -TaskName '{leaf}' | Select-Object "
            "@{n='LastRunTime';e={$_.LastRunTime.ToString('s')}},LastTaskResult,"
            "@{n='NextRunTime';e={$_.NextRunTime.ToString('s')}} | ConvertTo-Json"
        )
        answer = self.run(["powershell", "-NoProfile", "-NonInteractive", "-Command", script])
        return parse_task_info(name, answer.stdout if answer.returncode == 0 else "")

    def remove(self, job_id: str) -> list[str]:
        name = task_name(job_id)
        if self.unavailable() is not None:
            return []
        answer = self.run(["schtasks", "/Delete", "/TN", name, "/F"])
        return [f"Deleted Task Scheduler task {name}."] if answer.returncode == 0 else []


def parse_task_info(name: str, text: str) -> JobStatus:
    """`Get-ScheduledTaskInfo | ConvertTo-Json` as a status (empty text: unknown)."""
    try:
        info = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        info = {}
    last = str(info.get("LastRunTime") or "")
    if last:
        last += f" (result {info.get('LastTaskResult')})"
    return JobStatus(True, name, next_run=str(info.get("NextRunTime") or ""), last_run=last)
