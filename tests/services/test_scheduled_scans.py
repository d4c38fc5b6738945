"""The scheduled-scan service the CLI (and later the engagement dialog) calls."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

import pytest

from app.services.scheduled_scans import (
    install_scheduled_scan,
    remove_scheduled_scan,
    scheduled_scan_status,
)
from app.services.schedulers.job import ScanJob, SchedulerError
from app.services.schedulers.systemd import SystemdUser
from app.store.database import open_database
from app.store.engagements import find_engagement
from app.store.scan_state import ScanState
from app.store.scans import finish_scan, start_scan
from app.store.schedule import Every, ScanSchedule, engagement_schedule


def _refusing(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    code = 1 if "enable" in argv else 0
    return subprocess.CompletedProcess(list(argv), code, "", "Access denied")


@pytest.fixture
def no_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SystemdUser:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    return SystemdUser(tmp_path / "units")


def _job(db_path: Path) -> ScanJob:
    return ScanJob("Acme 2026", ScanSchedule(Every.WEEKLY, time(5, 0)), str(db_path))


def test_install_status_remove(no_systemctl: SystemdUser, tmp_path: Path) -> None:
    db_path = tmp_path / "db.sqlite3"
    with open_database(db_path) as db:
        install_scheduled_scan(db, _job(db_path), no_systemctl, actor="qa")
        with db.session() as session:
            engagement = find_engagement(session, "Acme 2026")
            assert engagement is not None
            assert engagement_schedule(engagement) == ScanSchedule(Every.WEEKLY, time(5, 0))
            scan = start_scan(session, engagement, account_id="123456789012", actor="x")
            finish_scan(session, scan, ScanState.FAILED, actor="x", error="expired")

        status = scheduled_scan_status(db, "Acme 2026", str(db_path), no_systemctl)
        assert status.job.installed and status.engagement_found
        assert status.latest is not None and status.latest.error == "expired"
        assert status.last_scheduled is None  # started by hand, not by the job
        assert status.next_run(datetime(2026, 12, 4, 12, 0)).startswith("2026-12-07 05:00")

        done = remove_scheduled_scan(db, "Acme 2026", str(db_path), no_systemctl, actor="qa")
        assert done[-1] == "Removed the schedule recorded on the engagement."
        assert not scheduled_scan_status(db, "Acme 2026", str(db_path), no_systemctl).job.installed


def test_a_refused_install_records_no_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "systemctl").write_text("#!/bin/sh\n")
    (tmp_path / "bin" / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    db_path = tmp_path / "db.sqlite3"
    with open_database(db_path) as db:
        refusing = SystemdUser(tmp_path / "units", run=_refusing)
        with pytest.raises(SchedulerError, match="Access denied"):
            install_scheduled_scan(db, _job(db_path), refusing, actor="qa")
        with db.session() as session:
            engagement = find_engagement(session, "Acme 2026")
            assert engagement is not None and engagement_schedule(engagement) is None
