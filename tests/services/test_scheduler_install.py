"""Installing, inspecting and removing the job. For real where this machine has the
scheduler (skipped with the reason elsewhere); otherwise with a recording stand-in for
`systemctl`, which checks which commands are sent, in which order."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from app.services.schedulers import scheduler_for
from app.services.schedulers.job import ScanJob
from app.services.schedulers.launchd import Launchd
from app.services.schedulers.systemd import SystemdUser, unit_names
from app.services.schedulers.windows import TaskScheduler
from app.store.schedule import Every, ScanSchedule
from tests.services.scheduler_helpers import Recorder


def _job(name: str = "Scheduler test Zürich") -> ScanJob:
    return ScanJob(
        engagement=name,
        schedule=ScanSchedule(Every.DAILY, time(3, 7)),
        database="/tmp/scheduler-test.sqlite3",
        program=(sys.executable, "-m", "app"),
    )


def test_install_enables_the_timer_then_remove_disables_it(
    systemctl_on_path: None, tmp_path: Path
) -> None:
    recorder = Recorder()
    systemd = SystemdUser(tmp_path / "units", run=recorder)
    service, timer = unit_names(_job().id)

    lines = systemd.install(_job())

    assert (tmp_path / "units" / service).is_file() and (tmp_path / "units" / timer).is_file()
    sent = [call[2:] for call in recorder.calls if call[:2] == ["systemctl", "--user"]]
    assert sent == [["show-environment"], ["daemon-reload"], ["enable", "--now", timer]]
    assert lines[-1] == f"Enabled {timer} (systemctl --user)."
    status = systemd.status(_job().id)
    assert status.installed and status.next_run == "Sat 2026-12-05 03:07:00 UTC"

    recorder.calls.clear()
    removed = systemd.remove(_job().id)
    assert not list((tmp_path / "units").iterdir())
    assert ["systemctl", "--user", "disable", "--now", timer] in recorder.calls
    assert removed[-1] == f"Disabled {timer} (systemctl --user)."
    assert systemd.remove(_job().id) == []


def test_a_refusal_of_systemctl_is_reported(systemctl_on_path: None, tmp_path: Path) -> None:
    from app.services.schedulers.job import SchedulerError

    systemd = SystemdUser(tmp_path / "units", run=Recorder(failing="enable"))
    with pytest.raises(SchedulerError, match=r"enable --now .* failed: Unit file is masked"):
        systemd.install(_job())


def test_without_a_user_manager_the_units_are_written_and_not_enabled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no systemctl at all
    systemd = SystemdUser(tmp_path / "units")
    lines = systemd.install(_job())
    assert lines[-1].startswith("Not enabled: systemctl is not installed.")
    assert "systemctl --user enable --now" in lines[-1]
    assert systemd.status(_job().id).note.startswith("Timer state unknown")


def test_launchd_and_task_scheduler_refuse_off_their_platform(tmp_path: Path) -> None:
    from app.services.schedulers.job import SchedulerError

    if sys.platform != "darwin":
        with pytest.raises(SchedulerError, match="only on macOS"):
            Launchd(tmp_path).install(_job())
    if sys.platform != "win32":
        with pytest.raises(SchedulerError, match="only on Windows"):
            TaskScheduler().install(_job())


def _user_manager() -> str | None:
    if shutil.which("systemctl") is None:
        return "systemctl is not installed"
    probe = subprocess.run(
        ["systemctl", "--user", "show-environment"], capture_output=True, text=True, check=False
    )
    return None if probe.returncode == 0 else f"no systemd user manager: {probe.stderr.strip()}"


@pytest.mark.skipif(sys.platform != "linux", reason="systemd user timers are Linux only")
def test_real_systemd_install_and_remove(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = _user_manager()
    if reason is not None:
        pytest.skip(reason)
    # The real user manager reads the real unit folder, not the tests' temporary HOME.
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    systemd = SystemdUser(real_home / ".config" / "systemd" / "user")
    job = _job(f"audit-binder test {os.getpid()}")
    _, timer = unit_names(job.id)
    try:
        systemd.install(job)
        enabled = subprocess.run(
            ["systemctl", "--user", "is-enabled", timer], capture_output=True, text=True
        )
        assert enabled.stdout.strip() == "enabled"
        assert systemd.status(job.id).next_run
    finally:
        systemd.remove(job.id)
    assert not systemd.status(job.id).installed


@pytest.mark.skipif(sys.platform != "darwin", reason="launchd agents are macOS only")
def test_real_launchd_install_and_remove() -> None:
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    agents = Launchd(real_home / "Library" / "LaunchAgents")
    job = _job(f"audit-binder test {os.getpid()}")
    try:
        agents.install(job)
        assert agents.status(job.id).installed
    finally:
        agents.remove(job.id)
    assert not agents.status(job.id).installed


@pytest.mark.skipif(sys.platform != "win32", reason="Task Scheduler is Windows only")
def test_real_task_scheduler_install_and_remove() -> None:
    tasks = TaskScheduler()
    job = _job(f"audit-binder test {os.getpid()}")
    try:
        tasks.install(job)
        assert tasks.status(job.id).installed
    finally:
        tasks.remove(job.id)
    assert not tasks.status(job.id).installed


def test_each_platform_gets_its_own_scheduler() -> None:
    assert scheduler_for("linux").kind == "systemd user timer"
    assert scheduler_for("darwin").kind == "launchd agent"
    assert scheduler_for("win32").kind == "Task Scheduler task"
