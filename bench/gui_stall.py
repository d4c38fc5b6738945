"""GUI responsiveness during a scan: the longest the event loop went without running.

    .venv/bin/python bench/gui_stall.py [--regions 4] [--in-process]

Opens the real main window (offscreen) on a temp DB, signs in to a moto server on
127.0.0.1 (a subprocess by default, like AWS being elsewhere; `--in-process` shares the
GIL with it), runs "all checks" through the window's scan controller (the scan runs in
its child process) and prints the worst gap between the ticks of a 10 ms timer on the
GUI thread (what a user feels as a frozen window): while scanning, and with the end
included, when the screens re-read the store; plus the scan's wall time and the load
average (the machine's other work shows in the figures).
"""

from __future__ import annotations

import argparse
import functools
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2", "sa-east-1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _moto_subprocess() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
            return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("moto server did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="gui-stall-"))
    os.environ.update(
        HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        AUDIT_BINDER_DB=str(home / "bench.sqlite3"),
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    process = None
    server = None
    if args.in_process:
        from app.demo.moto_server import LocalMotoServer

        server = LocalMotoServer()
        endpoint = server.start()
    else:
        process, endpoint = _moto_subprocess()
    os.environ["AWS_ENDPOINT_URL"] = endpoint

    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from app.aws.login import session_for_profile
    from app.services.engagements import EngagementDraft, create_engagement
    from app.ui.context import SignedIn
    from app.ui.launch import build_context
    from app.ui.main_window import MainWindow
    from app.ui.settings import AppSettings
    from app.ui.stall_probe import EventLoopProbe

    app = QApplication([])
    pool = QThreadPool()
    ctx = build_context(AppSettings.at(home / "settings.ini"), pool)
    regions = REGIONS[: max(1, min(args.regions, len(REGIONS)))]
    engagement_id = create_engagement(
        ctx.db,
        EngagementDraft("Bench", "", ("iso27001", "soc2"), None, None, regions, ()),
        ctx.actor,
    )
    ctx.set_signed_in(
        SignedIn(
            "123456789012",
            "arn:aws:sts::123456789012:user/moto",
            "",
            # As the sign-in panel does: a partial goes to the scan's process as it is.
            make_session=functools.partial(session_for_profile, None),
        )
    )
    ctx.set_engagement(engagement_id)
    window = MainWindow(ctx)
    window.show()
    app.processEvents()

    probe = EventLoopProbe(interval_ms=10)
    loop = QEventLoop()
    # The outcome's first row is announced before the screens re-read the store: the
    # worst gap until then is the scan's; the one closing at the end is that refresh.
    scanning: list[float] = []
    window.scans.result_arrived.connect(
        lambda _row: scanning.append(probe.worst_gap) if not scanning else None
    )
    window.scans.scan_finished.connect(lambda _eid: loop.quit())
    window.scans.scan_failed.connect(lambda _why: loop.quit())
    load = os.getloadavg()[0]
    started = time.perf_counter()
    probe.start()
    QTimer.singleShot(0, lambda: window.scans.run_checks(engagement_id))
    loop.exec()
    worst = probe.stop()
    took = time.perf_counter() - started
    outcome = window.scans.last_outcome
    rows = len(outcome.results) if outcome else 0
    mode = "in-process moto" if args.in_process else "moto in a subprocess"
    print(f"scan of {len(regions)} region(s), {mode}: {took:.1f} s, {rows} results")
    if window.scans.last_error:
        print(f"scan error: {window.scans.last_error}")
    print(f"load average: {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"event-loop ticks: {probe.ticks}")
    if scanning:
        print(f"worst GUI-thread stall while scanning: {scanning[0] * 1000:.0f} ms")
    print(f"worst GUI-thread stall, the end's refresh included: {worst * 1000:.0f} ms")
    window.close()
    pool.waitForDone(30000)
    ctx.db.close()
    if server is not None:
        server.stop()
    if process is not None:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
