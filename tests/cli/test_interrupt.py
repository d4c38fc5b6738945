"""Ctrl-C during `audit-binder scan`, as a user would press it: a real process, a real
SIGINT, the moto server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.demo.moto_server import LocalMotoServer


def _default_sigint() -> None:
    # A child of a shell's background job inherits SIGINT ignored; Python then keeps it
    # ignored and the test would prove nothing.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stores_the_scan_as_incomplete_and_exits_130(
    moto_server: LocalMotoServer, tmp_path: Path
) -> None:
    moto_server.reset()
    db_path = tmp_path / "db.sqlite3"
    env = dict(os.environ)  # the isolated HOME, AWS files and keyring of conftest
    env.update(
        AWS_ENDPOINT_URL=moto_server.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AUDIT_BINDER_DB=str(db_path),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "scan", "--regions", "all", "--engagement", "Acme"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,  # before exec: no threads of ours run meanwhile
    )
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:  # wait until the inventory calls are under way
        seen.append(line)
        if line.startswith("[3/"):
            break
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=120)[::-1]
    err = "".join(seen) + rest

    assert process.returncode == 130, err
    assert "interrupted; the scan is stored as incomplete" in err
    assert "Traceback" not in err
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        scans = connection.execute("SELECT state, error FROM scans").fetchall()
    finally:
        connection.close()
    assert len(scans) == 1
    state, error = scans[0]
    assert state == "incomplete"
    assert "before it finished" in error
