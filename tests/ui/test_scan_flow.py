"""Run checks as a user does (F5, or one control from its page) and watch the app update."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.context import AppContext
from app.ui.main_window import MainWindow, Screen
from tests.moto_resources import SSH_FROM_ANYWHERE, open_ssh_to_the_world
from tests.ui.conftest import make_window, prompts
from tests.ui.helpers import create_via_dialog, signed_in_window


def statuses(window: MainWindow) -> dict[str, str]:
    return dict(window.checklist.checklist.statuses)


def _mapped(ctx: AppContext, framework: str, *, automated: bool | None = None) -> int:
    """How many controls map to the framework (of one kind, if given)."""
    return sum(
        1
        for c in ctx.catalogue.controls
        if c.mapping.ids(framework) and automated in (None, c.automated)
    )


@pytest.mark.slow
def test_run_all_checks_updates_checklist_dashboard_and_history(
    ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    open_ssh_to_the_world(aws)
    window = signed_in_window(ctx, qtbot, moto_profile, "Scanned")
    automated = ctx.catalogue.automated_ids
    # Before any scan: automated controls not checked; manual ones wait for evidence.
    before = statuses(window)
    assert {before[c] for c in automated} == {"not_checked"}
    assert {before[c] for c in ctx.catalogue.ids if c not in automated} == {"evidence_missing"}
    window.go_to(Screen.DASHBOARD)
    not_checked_before = [c.not_checked for c in window.dashboard.counts]
    assert not_checked_before == [
        _mapped(ctx, "iso27001", automated=True),
        _mapped(ctx, "soc2", automated=True),
    ]

    progress: list[tuple[int, int, str]] = []
    window.scans.scan_progress.connect(lambda d, t, m: progress.append((d, t, m)))
    with qtbot.waitSignal(window.scans.scan_finished, timeout=120000):
        qtbot.keyClick(window, Qt.Key.Key_F5)

    assert progress and progress[-1][0] == progress[-1][1]
    after = statuses(window)
    assert after["no-ssh"] == "failing"
    assert after["sg-inbound"] == "failing"
    assert "not_checked" not in [after[control] for control in automated]
    # Manual controls rest on evidence and sign-off: a scan does not check them.
    assert {after[c] for c in ctx.catalogue.ids if c not in automated} == {"evidence_missing"}
    counts = {c.framework: c for c in window.dashboard.counts}
    assert counts["iso27001"].not_checked == 0
    assert counts["iso27001"].evidence_missing == _mapped(ctx, "iso27001", automated=False)
    assert counts["iso27001"].failing >= 2
    bars = window.dashboard.chart.bars
    assert len(bars) == 2 and bars[0].total == counts["iso27001"].applicable
    assert "failing" in window.dashboard.chart.accessibleDescription()
    assert window.history.table.rowCount() == 1
    assert window.history.table.item(0, 2).text() == "complete"
    assert "nothing to compare with" in window.history.changes.toPlainText()
    assert "Scan finished" in window.statusBar().currentMessage()


@pytest.mark.slow
def test_one_control_scan_then_fix_shows_what_changed(
    ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    group = open_ssh_to_the_world(aws)
    window = signed_in_window(ctx, qtbot, moto_profile, "One control")
    page = window.checklist.page
    assert window.checklist.checklist.select_control("no-ssh")
    assert page.control_id == "no-ssh"
    with qtbot.waitSignal(window.scans.scan_finished, timeout=120000):
        page.run_requested.emit("no-ssh")
    assert statuses(window)["no-ssh"] == "failing"
    assert statuses(window)["cloudtrail"] == "not_checked"  # only no-ssh ran

    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=aws)
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=SSH_FROM_ANYWHERE)
    with qtbot.waitSignal(window.scans.scan_finished, timeout=120000):
        page.run_requested.emit("no-ssh")
    assert statuses(window)["no-ssh"] != "failing"
    window.go_to(Screen.HISTORY)
    assert window.history.table.rowCount() == 2
    text = window.history.changes.toPlainText()
    assert "since scan #" in text
    assert f"{group}: FAIL → PASS" in text


@pytest.mark.slow
def test_export_binder_writes_the_pdf_and_offers_to_open_it(
    ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str, tmp_path: Path
) -> None:
    window = signed_in_window(ctx, qtbot, moto_profile, "Binder")
    with qtbot.waitSignal(window.scans.scan_finished, timeout=120000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    out = tmp_path / "binder"
    prompts(ctx).paths.append(out)
    prompts(ctx).confirms.append(True)
    with qtbot.waitSignal(window.binder.export_done, timeout=120000) as done:
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    summary = done.args[0]
    assert summary is not None, window.binder.last_error
    pdf = tmp_path / "binder.pdf"  # the .pdf suffix is added
    assert summary.path == pdf and pdf.read_bytes().startswith(b"%PDF")
    assert summary.pages > 1
    assert prompts(ctx).opened_files == [pdf]
    assert "Binder written" in window.statusBar().currentMessage()


def test_export_binder_into_a_missing_folder_says_why(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(window, qtbot, "Nowhere")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    prompts(ctx).paths.append(blocker / "b.pdf")
    with qtbot.waitSignal(window.binder.export_done, timeout=120000) as done:
        window.export_binder_action.trigger()
    assert done.args[0] is None
    assert "could not be written" in window.binder.last_error
    assert prompts(ctx).opened_files == []


def test_running_checks_signed_out_sends_you_to_sign_in(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    create_via_dialog(window, qtbot, "Signed out")
    window.go_to(Screen.DASHBOARD)
    qtbot.mouseClick(window.dashboard.run_button, Qt.MouseButton.LeftButton)
    assert window.current_screen is Screen.SIGN_IN
    assert "Sign in first" in window.sign_in.message.text()
    assert not window.scans.is_running
