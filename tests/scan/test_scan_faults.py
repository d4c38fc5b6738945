"""Faults during a scan: exactly the controls needing the failed data are ERROR; the rest
completes. Cancelling leaves the scan incomplete and earlier scans intact."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from app.aws.calls import ScanCancelled
from app.aws.clients import MAX_ATTEMPTS
from app.aws.inventory import collect
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import run_scan
from app.store.database import open_database
from app.store.location import StoreLocation
from app.store.models import ResultRow, Scan
from app.store.scan_state import ScanState
from tests.conftest import db_argument
from tests.scan.helpers import answer_with_error
from tests.scan.scenario import HOME, Built


def _db(tmp_path: Path) -> Any:
    return open_database(tmp_path / "faults.sqlite3")


def test_denied_operation_errors_exactly_the_controls_that_need_it(
    scan_env: Built, tmp_path: Path
) -> None:
    deny = answer_with_error("ec2", "DescribeNetworkAcls", "UnauthorizedOperation", 403)
    with _db(tmp_path) as db:
        outcome = run_scan(
            ScanRequest(boto3.Session, "Faults", regions=[HOME], hooks=[deny], actor="t"), db
        )
    assert outcome.state == "complete"
    by_check: dict[str, set[str]] = {}
    for row in outcome.results:
        by_check.setdefault(row.check, set()).add(row.status.value)
    # nacls reads only the NACL listing; the default VPC's isolation needs it too.
    assert by_check["nacl-restricted"] == {"ERROR"}
    assert by_check["default-vpc-isolated"] == {"ERROR"}
    denied = [r for r in outcome.results if r.check == "nacl-restricted"]
    assert all("ec2:DescribeNetworkAcls" in r.detail for r in denied)
    assert all("UnauthorizedOperation" in r.detail for r in denied)
    # Everything else is judged as usual.
    for check in (
        "sg-no-ssh",
        "sg-inbound-restricted",
        "default-sg-no-rules",
        "trail-logging",
        "iam-policy-unbounded",
        "ebs-volume-encrypted",
        "kms-key-rotation",
    ):
        assert "ERROR" not in by_check[check], check
    assert "FAIL" in by_check["sg-no-ssh"] and "PASS" in by_check["sg-no-ssh"]


def test_throttled_past_retries_errors_only_kms_rows(
    scan_env: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)  # no backoff wait
    attempts: list[str] = []

    def throttle_kms_listing(client: Any) -> None:
        def before_send(request: Any, **_: Any) -> AWSResponse:
            attempts.append("ListKeys")
            response = AWSResponse(request.url, 400, {"content-type": "application/json"}, None)
            response._content = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
            return response

        client.meta.events.register("before-send.kms.ListKeys", before_send)

    with _db(tmp_path) as db:
        outcome = run_scan(
            ScanRequest(
                boto3.Session, "Faults", regions=[HOME], hooks=[throttle_kms_listing], actor="t"
            ),
            db,
        )
    assert outcome.state == "complete"
    assert len(attempts) == MAX_ATTEMPTS  # botocore's bounded retries, then the error
    rotation = [r for r in outcome.results if r.check == "kms-key-rotation"]
    deletion = [r for r in outcome.results if r.check == "kms-key-deletion"]
    assert rotation and {r.status.value for r in rotation} == {"ERROR"}
    assert deletion and {r.status.value for r in deletion} == {"ERROR"}
    assert "Throttled" in rotation[0].detail
    volumes = [r for r in outcome.results if r.check == "ebs-volume-encrypted"]
    assert {r.status.value for r in volumes} == {"PASS", "FAIL"}


def test_one_control_fetches_only_what_it_needs(scan_env: Built, tmp_path: Path) -> None:
    sent: Counter[str] = Counter()

    def count(client: Any) -> None:
        client.meta.events.register(
            "before-send", lambda event_name, **_: sent.update([event_name.split(".", 1)[1]])
        )

    with _db(tmp_path) as db:
        outcome = run_scan(
            ScanRequest(
                boto3.Session,
                "Partial",
                controls=["nacls"],
                regions=[HOME],
                hooks=[count],
                actor="t",
            ),
            db,
        )
        with db.session() as session:
            scan = session.get(Scan, outcome.scan_id)
            assert scan is not None and scan.controls == ["nacls"]
    assert {r.control for r in outcome.results} == {"nacls"}
    assert sent == Counter(
        {"sts.GetCallerIdentity": 1, "ec2.DescribeRegions": 1, "ec2.DescribeNetworkAcls": 1}
    )


def test_cancel_marks_the_scan_incomplete_and_keeps_earlier_scans(
    scan_env: Built, tmp_path: Path
) -> None:
    with _db(tmp_path) as db:
        first = run_scan(ScanRequest(boto3.Session, "Cancel", regions=[HOME], actor="t"), db)
        cancel = threading.Event()

        def progress(done: int, total: int, message: str) -> None:
            if done >= 5:
                cancel.set()

        with pytest.raises(ScanCancelled):
            run_scan(
                ScanRequest(boto3.Session, "Cancel", regions=[HOME], actor="t"),
                db,
                ScanWatch(progress=progress, cancel=cancel),
            )
        with db.session() as session:
            scans = {s.id: s for s in session.query(Scan).all()}
            assert scans[first.scan_id].state == ScanState.COMPLETE
            (second,) = [s for s in scans.values() if s.id != first.scan_id]
            assert second.state == ScanState.INCOMPLETE
            assert "Cancelled" in second.error
            kept = session.query(ResultRow).filter(ResultRow.scan_id == first.scan_id).count()
            assert kept == len(first.results)
            # Only the rows of controls checked before the cancel (a one-part control such as
            # threat-detection can be), as many as the reason says.
            partial = session.query(ResultRow).filter(ResultRow.scan_id == second.id).all()
            if partial:
                named = second.error.split("were checked (", 1)[1].split(")", 1)[0]
                assert {row.control_id for row in partial} == set(named.split(", "))
                assert f"their {len(partial)} results kept" in second.error
            else:
                assert "before any control was checked" in second.error


def test_progress_reaches_its_total(scan_env: Built, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def progress(done: int, total: int, message: str) -> None:
        with lock:
            seen.append((done, total, message))

    with _db(tmp_path) as db:
        run_scan(
            ScanRequest(boto3.Session, "Progress", regions=[HOME], actor="t"),
            db,
            ScanWatch(progress=progress),
        )
    done, total, message = max(seen)
    assert done == total
    assert "Checked 17 control(s)" in message
    assert any("ec2:DescribeVpcs in us-east-1" in m for _, _, m in seen)


KILLED_SCAN = """
import os, sys, boto3
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import run_scan
from app.store.database import open_database

def progress(done, total, message):
    if done >= 6:
        os._exit(9)  # the process dies mid-scan: no cleanup, no finally

with open_database(sys.argv[1]) as db:
    run_scan(ScanRequest(boto3.Session, "Killed", regions=["us-east-1"], actor="t"), db,
             ScanWatch(progress=progress))
"""


def test_a_killed_scan_is_incomplete_on_next_open_and_earlier_scans_survive(
    scan_env: Built, store_location: StoreLocation
) -> None:
    path = store_location
    with open_database(path) as db:
        first = run_scan(ScanRequest(boto3.Session, "Killed", regions=[HOME], actor="t"), db)
    died = subprocess.run(
        [sys.executable, "-c", KILLED_SCAN, db_argument(path)], capture_output=True, timeout=300
    )
    assert died.returncode == 9, died.stderr.decode()[-2000:]
    with open_database(path) as db, db.session() as session:
        states = {s.id: s.state for s in session.query(Scan).all()}
        assert states[first.scan_id] == ScanState.COMPLETE
        (killed,) = [state for scan_id, state in states.items() if scan_id != first.scan_id]
        assert killed == ScanState.INCOMPLETE
        kept = session.query(ResultRow).filter(ResultRow.scan_id == first.scan_id).count()
        assert kept == len(first.results)


def test_a_failing_fetcher_gives_error_rows_not_a_failed_scan(
    scan_env: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ctx: Any, region: str) -> Any:
        raise RuntimeError("parser bug")

    monkeypatch.setitem(
        collect.REGION_PARTS, "flow_logs", collect.RegionPart("ec2", "DescribeFlowLogs", broken)
    )
    with _db(tmp_path) as db:
        outcome = run_scan(
            ScanRequest(
                boto3.Session, "Bug", controls=["vpc-flow-logs"], regions=[HOME], actor="t"
            ),
            db,
        )
    assert outcome.state == "complete"
    flow = [r for r in outcome.results if r.check == "vpc-flow-log-all-traffic"]
    assert flow and {r.status.value for r in flow} == {"ERROR"}
    assert all("parser bug" in r.detail for r in flow)
