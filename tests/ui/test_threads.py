"""Threads: the GUI stays responsive during a scan; workers report errors; layering holds."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.store.models import Scan
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.stall_probe import EventLoopProbe
from app.ui.workers import Progress, Worker, WorkerRegistry
from tests.moto_resources import open_ssh_to_the_world
from tests.ui.conftest import make_window
from tests.ui.helpers import create_via_dialog

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_gui_thread_is_never_blocked_long_during_a_scan(
    threaded_ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    open_ssh_to_the_world(aws)
    window = make_window(threaded_ctx, qtbot)
    window.sign_in.select_profile(moto_profile)
    window.sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: threaded_ctx.signed_in is not None, timeout=30000)
    create_via_dialog(window, qtbot, "Responsive", regions="us-east-1, eu-west-1")

    probe = EventLoopProbe(interval_ms=10)
    probe.start()
    started = time.monotonic()
    progress: list[str] = []
    window.scans.scan_progress.connect(lambda _d, _t, text: progress.append(text))
    with qtbot.waitSignal(window.scans.scan_finished, timeout=180000):
        window.run_all_action.trigger()
        # The scan runs elsewhere: the window is back at once, progress arriving.
        assert window.scans.is_running
        assert window.task_status.isVisible()
    worst, scan_took = probe.stop(), time.monotonic() - started
    assert len(progress) > 3  # results arrive as they come, not all at the end
    assert probe.ticks > 10
    # A scan run on the GUI thread would block it for (nearly) all of the scan. The bound
    # is a share of the scan's own time, so a busy machine, which slows both, does not
    # fail it; how short the stalls are is measured by bench/gui_stall.py.
    assert worst < scan_took / 4, f"the GUI thread stalled {worst:.2f} s of {scan_took:.2f} s"
    assert not window.task_status.isVisible()


def _three_region_window(ctx: AppContext, qtbot: QtBot, moto_profile: str, name: str) -> MainWindow:
    """Signed in through the real panel (a real thread), an engagement of three regions."""
    window = make_window(ctx, qtbot)
    window.sign_in.select_profile(moto_profile)
    window.sign_in.sign_in_button.click()
    qtbot.waitUntil(lambda: ctx.signed_in is not None, timeout=30000)
    create_via_dialog(window, qtbot, name, regions="us-east-1, eu-west-1, eu-central-1")
    return window


def test_cancel_stops_a_running_scan_and_keeps_it_as_incomplete(
    threaded_ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    window = _three_region_window(threaded_ctx, qtbot, moto_profile, "Cancelled")
    with qtbot.waitSignal(window.scans.scan_failed, timeout=180000) as failed:
        window.run_all_action.trigger()
        qtbot.waitUntil(lambda: window.task_status.bar.maximum() > 0, timeout=60000)
        window.task_status.cancel_button.click()
    assert "cancelled" in failed.args[0]
    window.history.refresh()
    assert window.history.table.item(0, 2).text() == "incomplete"
    assert not window.scans.is_running


def test_closing_the_window_ends_the_scan_process_and_keeps_the_scan_incomplete(
    threaded_ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    window = _three_region_window(threaded_ctx, qtbot, moto_profile, "Closed")
    window.run_all_action.trigger()
    child = window.scans._child
    assert child is not None and child.process.is_alive()  # the scan runs in its own process
    assert child.process.pid != os.getpid()
    qtbot.waitUntil(lambda: window.task_status.bar.value() > 2, timeout=60000)
    window.close()  # what quitting does: cancel, give it time to store, end it
    assert not child.process.is_alive()
    with threaded_ctx.db.session() as session:
        (scan,) = session.query(Scan).all()
    assert scan.state == "incomplete"


def test_a_worker_reports_the_error_instead_of_dying(qtbot: QtBot) -> None:
    pool = QThreadPool()
    registry = WorkerRegistry(pool)

    def boom(_progress: Progress) -> None:
        raise ValueError("broken on purpose")

    worker = Worker(boom, name="boom")
    with qtbot.waitSignal(worker.signals.failed, timeout=10000) as failed:
        registry.submit(worker)
    assert isinstance(failed.args[0], ValueError)
    assert threading.current_thread() is threading.main_thread()
    pool.waitForDone(5000)
    qtbot.waitUntil(lambda: not registry.running, timeout=5000)


def test_a_worker_finishes_on_the_gui_thread_with_its_value(qtbot: QtBot) -> None:
    pool = QThreadPool()
    seen: list[str] = []

    def work(progress: Progress) -> int:
        seen.append(threading.current_thread().name)
        progress(1, 2, "half")
        return 42

    worker = Worker(work)
    received: list[tuple[object, str]] = []
    worker.signals.finished.connect(
        lambda value: received.append((value, threading.current_thread().name))
    )
    with qtbot.waitSignal(worker.signals.finished, timeout=10000):
        WorkerRegistry(pool).submit(worker)
    assert seen != [threading.main_thread().name]  # the work ran on a pool thread
    assert received == [(42, threading.main_thread().name)]  # the result came home
    pool.waitForDone(5000)


def test_only_app_ui_imports_pyside6() -> None:
    # Module names from the file tree: pkgutil.walk_packages would import app.ui itself.
    names = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "app").rglob("*.py")
    )
    others = [n for n in names if not n.startswith("app.ui") and n != "app.__main__"]
    code = (
        "import importlib, sys\n"
        f"names = {others!r}\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(len(names), leaked)\n"
        "assert not leaked, leaked\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    count = int(done.stdout.split()[0])
    assert count > 30  # the walk really imported the app's modules
