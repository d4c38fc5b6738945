"""A scan in a child process (what the GUI and the demo run): messages, cancel, death."""

from __future__ import annotations

import functools
import pickle
import time
from pathlib import Path

import boto3

from app.aws.portable_sessions import KeySessions, portable
from app.scan.child import (
    ChildJob,
    ChildScan,
    Failed,
    Finished,
    Message,
    Progress,
    Rows,
    Stopped,
    run_in_child,
)
from app.scan.request import ScanRequest
from app.scan.runner import ScanOutcome
from app.store.database import open_database
from app.store.models import ResultRow, Scan
from app.store.scan_state import ScanState
from tests.scan.scenario import HOME, Built

WAIT_S = 180


def _drain(child: ChildScan) -> list[Message]:
    seen: list[Message] = []
    deadline = time.monotonic() + WAIT_S
    while child.running and time.monotonic() < deadline:
        child.wait(0.2)
        seen.extend(child.messages(budget_s=0.5))
    return seen


def test_a_child_scan_stores_its_scan_and_reports_rows_then_the_outcome(
    scan_env: Built, tmp_path: Path
) -> None:
    path = tmp_path / "child.sqlite3"
    with open_database(path) as db:
        request = ScanRequest(boto3.Session, "Child", regions=[HOME], controls=["nacls"], actor="t")
        child = ChildScan(ChildJob(request, db.location))
        seen = _drain(child)
        final = seen[-1]
        assert isinstance(final, Finished) and isinstance(final.report, ScanOutcome)
        outcome = final.report
        rows = [m for m in seen if isinstance(m, Rows)]
        assert [r.control for r in rows] == ["nacls"]
        assert rows[0].rows == outcome.results  # the provisional rows are the stored ones
        assert any(isinstance(m, Progress) and "DescribeNetworkAcls" in m.text for m in seen)
        with db.session() as session:
            scan = session.get(Scan, outcome.scan_id)
            assert scan is not None and scan.state == ScanState.COMPLETE
            assert scan.runner.split(":")[-1] == str(child.process.pid)  # the child stored it
            stored = session.query(ResultRow).filter(ResultRow.scan_id == scan.id).count()
        assert stored == len(outcome.results) > 0
    child.process.join(60)  # the GUI never waits for it: it exits on its own
    assert child.process.exitcode == 0


def test_cancel_reaches_the_child_which_keeps_the_scan_as_incomplete(
    scan_env: Built, tmp_path: Path
) -> None:
    with open_database(tmp_path / "cancel.sqlite3") as db:
        child = ChildScan(ChildJob(ScanRequest(boto3.Session, "Cancel", actor="t"), db.location))
        child.cancel()  # before it even started: it reads the pipe first
        seen = _drain(child)
        assert isinstance(seen[-1], Stopped)
        with db.session() as session:
            (scan,) = session.query(Scan).all()
            assert scan.state == ScanState.INCOMPLETE


def test_an_ended_child_leaves_no_scan_running(scan_env: Built, tmp_path: Path) -> None:
    with open_database(tmp_path / "ended.sqlite3") as db:
        request = ScanRequest(boto3.Session, "Ended", regions="all", actor="t")
        child = ChildScan(ChildJob(request, db.location))
        deadline = time.monotonic() + WAIT_S
        started = False
        while not started and time.monotonic() < deadline:  # until it fetches
            child.wait(0.2)
            started = any(
                isinstance(m, Progress) and m.done > 2 for m in child.messages(budget_s=0.5)
            )
        child.end(grace_s=0.0)  # no time to store: ended, as when the app is killed
        assert not child.process.is_alive()
        assert isinstance(child.final, Failed)
        with db.session() as session:
            states = [s.state for s in session.query(Scan).all()]
        assert states and ScanState.RUNNING not in states


def test_run_in_child_returns_the_outcome(scan_env: Built, tmp_path: Path) -> None:
    steps: list[str] = []
    with open_database(tmp_path / "wait.sqlite3") as db:
        request = ScanRequest(boto3.Session, "Wait", regions=[HOME], controls=["cloudtrail"])
        outcome = run_in_child(request, db, lambda done, total, text: steps.append(text))
    assert isinstance(outcome, ScanOutcome) and outcome.state == ScanState.COMPLETE
    assert {r.control for r in outcome.results} == {"cloudtrail"}
    assert steps and steps[-1].startswith("Checked 1 control(s)")


def test_only_picklable_session_factories_travel_as_they_are(scan_env: Built) -> None:
    by_name = functools.partial(boto3.Session, profile_name=None)
    assert portable(by_name) is by_name
    resolved = portable(lambda: boto3.Session(region_name=HOME))
    assert isinstance(resolved, KeySessions)
    assert resolved.access_key_id == "testing" and resolved.region == HOME
    assert "testing" not in repr(resolved).replace("access_key_id='testing'", "")
    assert pickle.loads(pickle.dumps(resolved))().get_credentials() is not None
