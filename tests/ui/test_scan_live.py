"""Results as they arrive, in the GUI: during a scan of all controls, each control's row in
the checklist and the open control page show its provisional results while the scan is
still running; when it ends, everything shows what the store holds.

Deterministic without timing: a client hook holds backup:ListBackupPlans (needed by
"backups" only) until the test releases it, so the scan cannot end before we looked.
The scan runs in a child process: the hook goes there with the request and the two
meet through files.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.controls.results import CheckResult
from app.scan.runner import ALL_CONTROLS
from app.services.control_edits import ExceptionRequest, add_exception, revoke_exception
from app.services.control_model import ResultLine
from app.services.control_statuses import checklist_overview
from app.store.risk import today_utc
from app.ui.context import AppContext
from app.ui.control_page.results_model import LINE_ROLE
from app.ui.main_window import MainWindow, Screen
from tests.moto_resources import open_ssh_to_the_world
from tests.ui.conftest import make_window
from tests.ui.helpers import create_via_dialog

WAIT_MS = 120_000


@dataclass(frozen=True)
class HoldBackupPlans:
    """A client hook holding backup:ListBackupPlans until `gate` exists; it creates `held`
    when it starts waiting. Files, not events: the scan runs in another process."""

    held: Path
    gate: Path

    def __call__(self, client: Any) -> None:
        client.meta.events.register("before-call.backup.ListBackupPlans", self.wait)

    def wait(self, **_: Any) -> None:
        self.held.touch()
        deadline = time.monotonic() + WAIT_MS / 1000  # or the scan gives up waiting
        while not self.gate.exists() and time.monotonic() < deadline:
            time.sleep(0.02)


def page_lines(window: MainWindow) -> list[ResultLine]:
    proxy = window.checklist.page.results.proxy
    return [proxy.index(r, 0).data(LINE_ROLE) for r in range(proxy.rowCount())]


def judged(lines: list[ResultLine]) -> Counter[tuple[str, str, str, str]]:
    return Counter((ln.check_id, ln.region, ln.resource, ln.status) for ln in lines)


@pytest.mark.slow
def test_results_reach_the_checklist_and_page_while_the_scan_runs(
    threaded_ctx: AppContext,
    qtbot: QtBot,
    moto_profile: str,
    aws: str,
    tmp_path: Path,
) -> None:
    group = open_ssh_to_the_world(aws)
    hold = HoldBackupPlans(tmp_path / "held", tmp_path / "gate")
    window = make_window(threaded_ctx, qtbot)
    window.scans.client_hooks = (hold,)
    window.sign_in.select_profile(moto_profile)
    window.sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: threaded_ctx.signed_in is not None, timeout=30000)
    engagement_id = create_via_dialog(window, qtbot, "Live", regions="us-east-1")
    window.go_to(Screen.CHECKLIST)
    checklist = window.checklist.checklist
    assert checklist.select_control("no-ssh")
    assert checklist.status_text("no-ssh") == "Not checked"
    scans = window.scans
    arrived: list[tuple[str, int]] = []
    scans.results_arrived.connect(lambda control, rows: arrived.append((control, len(rows))))
    finished: list[int] = []
    scans.scan_finished.connect(finished.append)

    try:
        with qtbot.waitSignal(
            scans.results_arrived,
            timeout=WAIT_MS,
            check_params_cb=lambda control, _rows: control == "no-ssh",
        ) as no_ssh:
            window.run_all_action.trigger()
        rows = no_ssh.args[1]
        assert isinstance(rows, tuple) and all(isinstance(r, CheckResult) for r in rows)
        # Every control but the held one arrives while the scan is still running.
        qtbot.waitUntil(lambda: len(checklist.live) == len(ALL_CONTROLS) - 1, timeout=WAIT_MS)
        assert hold.held.exists() and not hold.gate.exists()
        assert scans.is_running and finished == []
        assert "backups" not in checklist.live
        assert checklist.status_text("backups") == "Not checked"
        assert checklist.live["no-ssh"] == "failing"
        assert checklist.status_text("no-ssh") == "Failing (scanning…)"
        assert checklist.statuses["no-ssh"] == "not_checked"  # nothing stored yet
        # The page showing no-ssh has its rows, marked provisional.
        live_lines = page_lines(window)
        assert live_lines and all(line.provisional for line in live_lines)
        assert len(live_lines) == len(rows)
        ours = [ln for ln in live_lines if ln.check_id == "sg-no-ssh" and group in ln.resource]
        assert [ln.status for ln in ours] == ["FAIL"]
        assert "Fail (provisional)" in {proxy_text(window, r) for r in range(len(live_lines))}
        assert "Provisional" in window.checklist.page.results.summary.text()
        accept_meanwhile(threaded_ctx, window, engagement_id, group)
    finally:
        hold.gate.touch()

    qtbot.waitUntil(lambda: finished == [engagement_id], timeout=WAIT_MS)
    assert sorted(control for control, _ in arrived) == sorted(ALL_CONTROLS)
    outcome = scans.last_outcome
    assert outcome is not None and outcome.state == "complete"
    assert sum(n for _, n in arrived) == len(outcome.results)
    # The end: what the store holds, nothing provisional left.
    assert checklist.live == {} and scans.live_results == {}
    stored = checklist_overview(threaded_ctx.db, threaded_ctx.catalogue, engagement_id).statuses
    assert checklist.statuses == stored
    assert stored["no-ssh"] == "failing"
    assert checklist.status_text("no-ssh") == "Failing"
    final_lines = page_lines(window)
    assert not any(line.provisional for line in final_lines)
    assert all(line.row_id > 0 for line in final_lines)
    assert judged(final_lines) == judged(live_lines)


def proxy_text(window: MainWindow, row: int) -> str:
    proxy = window.checklist.page.results.proxy
    return str(proxy.index(row, 0).data())


def accept_meanwhile(ctx: AppContext, window: MainWindow, engagement_id: int, group: str) -> None:
    """An exception added while the scan runs applies to its provisional rows at once; so
    does its revocation."""
    checklist = window.checklist.checklist
    request = ExceptionRequest(f"*{group}*", "Bastion until March", "CTO", today_utc())
    exception_id = add_exception(ctx.db, engagement_id, "no-ssh", request, ctx.actor)
    ctx.notify_data_changed(engagement_id)
    assert checklist.status_text("no-ssh") == "Exception (scanning…)"
    ours = [ln for ln in page_lines(window) if group in ln.resource and ln.status == "FAIL"]
    assert ours and all(line.accepted for line in ours)
    revoke_exception(ctx.db, engagement_id, exception_id, ctx.actor)
    ctx.notify_data_changed(engagement_id)
    assert checklist.status_text("no-ssh") == "Failing (scanning…)"
    assert not any(line.accepted for line in page_lines(window))
