"""Results as they arrive, in the GUI: during a scan of all controls, each control's row in
the checklist and the open control page show its provisional results while the scan is
still running; when it ends, everything shows what the store holds.

Deterministic without timing: a client hook holds backup:ListBackupPlans (needed by
"backups" only) until the test releases it, so the scan cannot end before we looked.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.controls.results import CheckResult
from app.scan.runner import ALL_CONTROLS, run_scan
from app.ui import scan_controller
from app.ui.context import AppContext
from app.ui.control_page.results_model import LINE_ROLE
from app.ui.control_page.snapshot import ResultLine
from app.ui.control_page.status import checklist_overview
from app.ui.main_window import MainWindow, Screen
from tests.moto_resources import open_ssh_to_the_world
from tests.ui.conftest import make_window
from tests.ui.helpers import create_via_dialog

WAIT_MS = 120_000


def hold_backup_plans(gate: threading.Event, held: threading.Event) -> Any:
    def hook(client: Any) -> None:
        def before_call(**_: Any) -> None:
            held.set()
            gate.wait(WAIT_MS / 1000)  # released by the test (or the scan gives up waiting)

        client.meta.events.register("before-call.backup.ListBackupPlans", before_call)

    return hook


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
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = open_ssh_to_the_world(aws)
    gate, held = threading.Event(), threading.Event()
    monkeypatch.setattr(
        scan_controller,
        "run_scan",
        functools.partial(run_scan, hooks=[hold_backup_plans(gate, held)]),
    )
    window = make_window(threaded_ctx, qtbot)
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
        assert held.is_set() and not gate.is_set()
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
    finally:
        gate.set()

    qtbot.waitUntil(lambda: finished == [engagement_id], timeout=WAIT_MS)
    assert sorted(control for control, _ in arrived) == sorted(ALL_CONTROLS)
    outcome = scans.last_outcome
    assert outcome is not None and outcome.state == "complete"
    assert sum(n for _, n in arrived) == len(outcome.results)
    # The end: what the store holds, nothing provisional left.
    assert checklist.live == {} and scans.live_results == {}
    with threaded_ctx.db.session() as session:
        stored, _, _ = checklist_overview(session, threaded_ctx.catalogue, engagement_id)
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
