"""Ctrl-C or Cancel mid-scan: the rows of the controls already checked are kept (the
scan marked incomplete, saying which controls were not checked), and `--json` is
written for them."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.cli import main
from app.controls.results import CheckResult
from app.scan import runner
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import ScanInterrupted, run_scan
from app.store.database import open_database
from app.store.models import Scan
from app.store.scan_state import ScanState
from tests.result_schema import assert_valid

CONTROLS = ["cloudtrail", "nacls", "least-privilege", "backups"]


def _stored(db_path: Path) -> tuple[str, str, set[str]]:
    with open_database(db_path) as db, db.session() as session:
        (scan,) = session.query(Scan).all()
        return scan.state, scan.error, {row.control_id for row in scan.results}


def test_a_cancelled_scan_keeps_the_controls_already_checked(aws: str, tmp_path: Path) -> None:
    cancel = threading.Event()
    judged: list[str] = []

    def first_control_then_cancel(control: str, rows: list[CheckResult]) -> None:
        judged.append(control)
        cancel.set()

    db_path = tmp_path / "db.sqlite3"
    with open_database(db_path) as db, pytest.raises(ScanInterrupted) as raised:
        run_scan(
            ScanRequest(boto3.Session, "Acme", controls=CONTROLS, regions=["us-east-1"]),
            db,
            ScanWatch(cancel=cancel, on_results=first_control_then_cancel),
        )

    outcome = raised.value.outcome
    assert judged and outcome.results  # at least one control was checked before the cancel
    assert {row.control for row in outcome.results} == set(judged)
    assert outcome.state == ScanState.INCOMPLETE
    state, error, stored = _stored(db_path)
    assert state == ScanState.INCOMPLETE
    assert stored == set(judged)
    missing = [c for c in CONTROLS if c not in judged]
    assert f"{len(judged)} of {len(CONTROLS)} control(s) were checked" in error
    assert f"not checked: {', '.join(missing)}" in error
    document = outcome.document()
    assert document["scan"] == {"id": outcome.scan_id, "state": "incomplete", "error": error}


def test_ctrl_c_writes_json_for_the_rows_already_judged(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = runner.check_control
    pressed: list[str] = []

    def check_then_ctrl_c(*args: Any) -> list[CheckResult]:
        rows = real(*args)
        if not pressed:  # the user's Ctrl-C, once, after the first control was checked
            pressed.append(args[1])
            os.kill(os.getpid(), signal.SIGINT)
        return rows

    monkeypatch.setattr(runner, "check_control", check_then_ctrl_c)
    db_path, out = tmp_path / "db.sqlite3", tmp_path / "scan.json"

    code = main(
        [
            *("scan", "--regions", "us-east-1", "--controls", ",".join(CONTROLS)),
            *("--db", str(db_path), "--json", str(out)),
        ]
    )

    err = capsys.readouterr().err
    assert code == 130, err
    assert "interrupted; the scan is stored as incomplete" in err and "Traceback" not in err
    document = json.loads(out.read_text())
    assert_valid(document)
    state, error, stored = _stored(db_path)
    assert document["scan"]["state"] == state == "incomplete"
    assert document["scan"]["error"] == error
    assert document["results"], "the controls judged before Ctrl-C are in the document"
    assert {row["control"] for row in document["results"]} == stored
    assert pressed[0] in stored and stored < set(CONTROLS)
