"""The engagement dialog's scheduled scans: status, install and remove through the same
service as `audit-binder schedule`, with systemd driven by a recording stand-in for
`systemctl` (units written under the test's temp folder, never the real user manager),
as tests/services/test_scheduler_install.py does; and a failed scheduled scan shows in
the app's scan history."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot

from app.controls.results import Status
from app.scan.unattended import last_scan_id, record_failure
from app.services.engagements import get_engagement as engagement_info
from app.services.scheduled_scans import database_of
from app.services.schedulers.job import job_id
from app.services.schedulers.systemd import SystemdUser, unit_names
from app.store.database import Database
from app.store.engagements import create_engagement, get_engagement
from app.store.schedule import Every, ScanSchedule, engagement_schedule
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.engagement_dialog import EngagementDialog
from app.ui.engagements_panel import EngagementsPanel
from app.ui.scan_history import ScanHistoryPanel
from app.ui.schedule_box import ScheduleBox
from tests.services.scheduler_helpers import Recorder
from tests.ui.controls_fixtures import ACCOUNT, ARN, add_scan, db, signed_in  # noqa: F401

NAME = "Scheduled 2026"


@pytest.fixture
def systemctl(systemctl_on_path: None) -> Recorder:
    return Recorder()


@pytest.fixture
def systemd(systemctl: Recorder, tmp_path: Path) -> SystemdUser:
    """Units under the test's temp folder; `systemctl` answered by the Recorder."""
    return SystemdUser(tmp_path / "units", run=systemctl)


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(hours=3)


def _engagement(db: Database) -> int:
    with db.session() as session:
        return create_engagement(session, NAME, actor=ARN).id


def _box(ctx: AppContext, db: Database, qtbot: QtBot, systemd: SystemdUser) -> ScheduleBox:
    box = ScheduleBox(ctx, _engagement(db), NAME, systemd, profiles=["acme-audit"])
    qtbot.addWidget(box)
    box.show()
    return box


def _recorded(db: Database, eid: int) -> ScanSchedule | None:
    with db.session() as session:
        return engagement_schedule(get_engagement(session, eid))


def test_install_shows_the_status_records_the_schedule_and_remove_undoes_it(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    tmp_path: Path,
    systemctl: Recorder,
    systemd: SystemdUser,
) -> None:
    units = tmp_path / "units"
    box = _box(ctx, db, qtbot, systemd)
    assert box.status.text().startswith(f"Scheduled scan of '{NAME}': not installed")
    assert "Recorded on the engagement: no schedule" in box.status.text()

    box.every.setCurrentIndex(box.every.findData(Every.WEEKLY.value))
    box.at.setTime(QTime(6, 30))
    qtbot.mouseClick(box.install_button, Qt.MouseButton.LeftButton)

    service, timer = unit_names(job_id(NAME, database_of(db)))
    assert (units / service).is_file() and (units / timer).is_file()
    assert "OnCalendar=Mon *-*-* 06:30:00" in (units / timer).read_text()
    assert f'"--db" "{db.path.resolve()}"' in (units / service).read_text()
    assert ["systemctl", "--user", "enable", "--now", timer] in systemctl.calls
    assert _recorded(db, box.engagement_id) == ScanSchedule(Every.WEEKLY, time(6, 30))
    assert box.result.text().startswith(f"Scheduled scan of engagement '{NAME}' every Monday")
    assert f"Scheduled scan of '{NAME}': installed (systemd" in box.status.text()
    assert "Recorded on the engagement: every Monday at 06:30" in box.status.text()

    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    assert not (units / timer).exists() and not (units / service).exists()
    assert _recorded(db, box.engagement_id) is None
    assert "Removed the schedule recorded on the engagement." in box.result.text()
    assert "not installed" in box.status.text()


def test_a_scheduler_that_refuses_leaves_no_schedule_recorded(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    tmp_path: Path,
    systemctl_on_path: None,
) -> None:
    refusing = Recorder(failing="enable")
    box = _box(ctx, db, qtbot, SystemdUser(tmp_path / "units", run=refusing))
    qtbot.mouseClick(box.install_button, Qt.MouseButton.LeftButton)
    assert box.result.text().startswith("Could not do it: ")
    assert "masked" in box.result.text()
    assert _recorded(db, box.engagement_id) is None
    assert box.install_button.isEnabled()


def test_a_profile_that_cannot_run_unattended_is_refused_in_the_box(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    systemd: SystemdUser,
) -> None:
    box = _box(ctx, db, qtbot, systemd)
    box.profile.setCurrentText("no-such-profile")
    qtbot.mouseClick(box.install_button, Qt.MouseButton.LeftButton)
    assert box.result.text().startswith("Not installed: cannot run unattended:")
    assert not systemd.folder.exists()


def test_the_engagement_dialog_offers_it_when_editing(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    systemd: SystemdUser,
) -> None:
    eid = _engagement(db)
    panel = EngagementsPanel(ctx)
    qtbot.addWidget(panel)
    panel.scheduler = lambda: systemd
    info = engagement_info(db, eid)
    dialog = EngagementDialog(lambda _draft: None, info, schedule=panel._schedule_box(info))
    qtbot.addWidget(dialog)
    assert isinstance(dialog.schedule, ScheduleBox)
    assert dialog.schedule.name == NAME
    assert dialog.schedule.status.text().startswith(f"Scheduled scan of '{NAME}'")
    assert dialog.schedule.every.accessibleName() == "Scheduled scan runs"


def test_a_failed_scheduled_scan_shows_in_the_history_the_box_and_on_the_strip(
    ctx: AppContext,
    db: Database,
    signed_in: AppContext,
    qtbot: QtBot,
    systemd: SystemdUser,
) -> None:
    eid = _engagement(db)
    add_scan(db, eid, [("us-east-1", "sg-0aaa", Status.PASS, "no world-open rule")], _now())
    reason = "the IAM Identity Center session is missing or expired"
    said = record_failure(db, NAME, None, reason, since_scan_id=last_scan_id(db))
    assert said.startswith("Recorded as failed scan #")
    ctx.set_engagement(eid)

    history = ScanHistoryPanel(ctx)
    qtbot.addWidget(history)
    [failed] = [line for line in history.lines if line.state == "failed"]
    row = history.lines.index(failed)
    cells = [history.table.item(row, c).text() for c in range(history.table.columnCount())]
    assert "failed" in cells and reason in cells and ACCOUNT in cells
    history.table.selectRow(row)
    assert history.changes.toPlainText().startswith(f"Scan #{failed.id} of account {ACCOUNT}")
    assert reason in history.changes.toPlainText()

    box = ScheduleBox(ctx, eid, NAME, systemd)
    qtbot.addWidget(box)
    assert f"Last scheduled scan: #{failed.id} of account {ACCOUNT}" in box.status.text()
    assert reason in box.status.text()

    page = ControlPage(ctx)
    qtbot.addWidget(page)
    page.show_control(eid, "sg-inbound")
    [strip] = page.period.strips
    [attempt] = [m for m in strip.marks if m.row == "attempt"]
    assert attempt.text.startswith(f"Failed scan #{failed.id}") and reason in attempt.text
