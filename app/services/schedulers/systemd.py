"""Linux: a systemd user service (the scan) and timer (when), in the user's unit folder.

`OnCalendar` at the schedule's local time, `Persistent=true` so a run missed while the
machine was off happens at the next boot. User units run only while the user has a
session unless lingering is on (`loginctl enable-linger`): `install` says so.
"""

from __future__ import annotations

import getpass
import os
import shutil
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
from app.store.schedule import Every, ScanSchedule

PREFIX = "audit-binder-scan-"
_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def unit_dir() -> Path:
    """`$XDG_CONFIG_HOME/systemd/user` (default `~/.config/systemd/user`)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def _escaped(text: str) -> str:
    out = []
    for char in text:
        if char in _C_ESCAPES:
            out.append(_C_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out).replace("%", "%%")  # `%` starts a specifier (systemd.unit(5))


def quote_arg(arg: str) -> str:
    """One ExecStart word: double-quoted, C-escaped, `%` and `$` doubled (no expansion)."""
    return '"' + _escaped(arg).replace("$", "$$") + '"'


def quote_assignment(name: str, value: str) -> str:
    """One Environment= assignment (no `$` expansion happens there)."""
    return '"' + _escaped(f"{name}={value}") + '"'


def _description(text: str) -> str:
    """A free-text value: specifiers escaped, no control characters."""
    return "".join(" " if ord(c) < 0x20 else c for c in text).replace("%", "%%")


def on_calendar(schedule: ScanSchedule) -> str:
    day = "Mon " if schedule.every is Every.WEEKLY else ""
    return f"{day}*-*-* {schedule.at:%H:%M}:00"


def unit_names(job_id: str) -> tuple[str, str]:
    return f"{PREFIX}{job_id}.service", f"{PREFIX}{job_id}.timer"


def render_service(job: ScanJob) -> str:
    lines = [
        "# Written by `audit-binder schedule install`; remove it with",
        "# `audit-binder schedule remove`. It holds no secret: the scan signs in with",
        "# the AWS profile named below when it runs.",
        "[Unit]",
        f'Description=Audit Binder: scheduled scan of engagement "{_description(job.engagement)}"',
        "",
        "[Service]",
        "Type=oneshot",
        "ExecStart=" + " ".join(quote_arg(arg) for arg in job.argv()),
    ]
    lines += [f"Environment={quote_assignment(k, v)}" for k, v in sorted(job.environment.items())]
    lines += ["StandardInput=null", ""]
    return "\n".join(lines)


def render_timer(job: ScanJob) -> str:
    service, _ = unit_names(job.id)
    return "\n".join(
        [
            "# Written by `audit-binder schedule install`.",
            "[Unit]",
            f'Description=Audit Binder: scan "{_description(job.engagement)}" '
            f"{job.schedule.describe()}",
            "",
            "[Timer]",
            f"OnCalendar={on_calendar(job.schedule)}",
            "Persistent=true",
            f"Unit={service}",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
        ]
    )


class SystemdUser:
    """Installs, inspects and removes the units; `systemctl --user` when reachable."""

    kind = "systemd user timer"

    def __init__(self, folder: Path | None = None, run: Runner = run_command) -> None:
        self.folder = folder or unit_dir()
        self.run = run

    def files(self, job: ScanJob) -> list[JobFile]:
        service, timer = unit_names(job.id)
        return [
            JobFile(str(self.folder / service), render_service(job), self.folder / service),
            JobFile(str(self.folder / timer), render_timer(job), self.folder / timer),
        ]

    def unavailable(self) -> str | None:
        """Why `systemctl --user` cannot be used here, or None."""
        if shutil.which("systemctl") is None:
            return "systemctl is not installed"
        answer = self.run(["systemctl", "--user", "show-environment"])
        if answer.returncode != 0:
            reason = first_line(answer.stderr) or f"exit code {answer.returncode}"
            return f"systemctl --user cannot reach your user manager ({reason})"
        return None

    def _systemctl(self, *args: str) -> None:
        answer = self.run(["systemctl", "--user", *args])
        if answer.returncode != 0:
            raise SchedulerError(
                f"systemctl --user {' '.join(args)} failed: "
                f"{first_line(answer.stderr) or answer.returncode}"
            )

    def install(self, job: ScanJob) -> list[str]:
        self.folder.mkdir(parents=True, exist_ok=True)
        for item in self.files(job):
            assert item.path is not None
            temporary = item.path.with_name(item.path.name + ".tmp")
            temporary.write_text(item.text, encoding="utf-8")
            temporary.replace(item.path)
        _, timer = unit_names(job.id)
        done = [f"Wrote {item.where}" for item in self.files(job)]
        reason = self.unavailable()
        if reason is not None:
            return [
                *done,
                f"Not enabled: {reason}. Enable it where your user manager runs with: "
                f"systemctl --user daemon-reload && systemctl --user enable --now {timer}",
            ]
        self._systemctl("daemon-reload")
        self._systemctl("enable", "--now", timer)
        return [*done, f"Enabled {timer} (systemctl --user)."]

    def hints(self) -> list[str]:
        """Lingering: without it, user timers stop when the user logs out."""
        user = getpass.getuser()
        answer = self.run(["loginctl", "show-user", user, "--property=Linger", "--value"])
        if answer.returncode == 0 and answer.stdout.strip() == "yes":
            return []
        return [
            "User timers run only while you are logged in. To scan while logged out too, "
            f"enable lingering once: loginctl enable-linger {user}"
        ]

    def status(self, job_id: str) -> JobStatus:
        service, timer = unit_names(job_id)
        path = self.folder / timer
        if not path.exists():
            return JobStatus(False, str(path))
        reason = self.unavailable()
        if reason is not None:
            return JobStatus(True, str(path), note=f"Timer state unknown: {reason}.")
        shown = self._show(timer, "NextElapseUSecRealtime", "LastTriggerUSec", "ActiveState")
        result = self._show(service, "Result", "ExecMainStatus")
        last = shown.get("LastTriggerUSec", "")
        if last and last != "n/a":
            last += f" (result: {result.get('Result', '?')}, exit {result.get('ExecMainStatus')})"
        return JobStatus(
            True,
            str(path),
            next_run=shown.get("NextElapseUSecRealtime", ""),
            last_run=last,
            note=f"timer {shown.get('ActiveState', 'unknown')}",
        )

    def _show(self, unit: str, *names: str) -> dict[str, str]:
        properties = [f"--property={name}" for name in names]
        answer = self.run(["systemctl", "--user", "show", unit, *properties])
        if answer.returncode != 0:
            return {}
        pairs = (line.partition("=") for line in answer.stdout.splitlines())
        return {key: value for key, _, value in pairs if key}

    def remove(self, job_id: str) -> list[str]:
        service, timer = unit_names(job_id)
        paths = [self.folder / timer, self.folder / service]
        if not any(path.exists() for path in paths):
            return []
        reachable = self.unavailable() is None
        if reachable:
            self.run(["systemctl", "--user", "disable", "--now", timer])
        done = []
        for path in paths:
            if path.exists():
                path.unlink()
                done.append(f"Removed {path}")
        if reachable:
            self._systemctl("daemon-reload")
            done.append(f"Disabled {timer} (systemctl --user).")
        return done
