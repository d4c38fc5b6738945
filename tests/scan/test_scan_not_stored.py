"""Nothing lost: a finished scan the DB will not take is saved to a file beside it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.cli import main
from app.scan import storing
from app.scan.runner import run_scan
from app.store import scans as scan_store
from app.store.database import open_database
from app.store.engagements import find_engagement
from app.store.errors import DatabaseLocked
from tests.result_schema import assert_valid


def _locked_when_complete(real: Any) -> Any:
    def finish(db: Any, scan_id: int, state: str, actor: str, **kwargs: Any) -> Any:
        if state == scan_store.COMPLETE:
            raise DatabaseLocked("database is locked by another program")
        return real(db, scan_id, state, actor, **kwargs)

    return finish


def test_results_go_to_a_file_when_the_db_stays_locked(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", _locked_when_complete(storing.finish))
    db = open_database(tmp_path / "db.sqlite3")
    with pytest.raises(storing.ScanNotStored) as raised:
        run_scan(boto3.session.Session, db, "acme", controls=["nacls"], regions=["us-east-1"])
    rescue = next(tmp_path.glob("db.unsaved-scan-*.json"))
    assert str(rescue) in str(raised.value)
    document = json.loads(rescue.read_text())
    assert document["results"], "the rescued document holds the scan's rows"
    assert {row["control"] for row in document["results"]} == {"nacls"}
    with db.session() as session:
        engagement = find_engagement(session, "acme")
        assert engagement is not None
        (scan,) = scan_store.scans(session, engagement)
        assert scan.state == scan_store.INCOMPLETE
        assert str(rescue) in scan.error
    db.close()


def test_the_cli_names_the_rescue_file_and_fails(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", _locked_when_complete(storing.finish))
    db_path = tmp_path / "db.sqlite3"
    code = main(["scan", "--db", str(db_path), "--regions", "us-east-1", "--controls", "nacls"])
    assert code == 1
    rescue = next(tmp_path.glob("db.unsaved-scan-*.json"))
    assert str(rescue) in capsys.readouterr().err


def test_a_real_lock_the_whole_way_still_names_the_rescue_file_in_the_stored_reason(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program holds the write lock from the end of the scan on: neither the
    results nor the "incomplete" mark get in. The next open names the rescue file."""
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    db_path = tmp_path / "db.sqlite3"
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)

    def lock_once_checked(done: int, total: int, message: str) -> None:
        if message.startswith("Checked") and not other.in_transaction:
            other.execute("BEGIN EXCLUSIVE")

    db = open_database(db_path, busy_timeout_ms=200)
    with pytest.raises(storing.ScanNotStored) as raised:
        run_scan(
            boto3.session.Session,
            db,
            "acme",
            controls=["nacls"],
            regions=["us-east-1"],
            progress=lock_once_checked,
        )
    db.close()
    other.execute("ROLLBACK")
    other.close()
    rescue = raised.value.rescue
    assert rescue.is_file() and rescue.parent == tmp_path
    assert raised.value.document["results"]
    # This process is still alive; the next open (a later run) sees a dead runner.
    monkeypatch.setattr(scan_store, "_runner_alive", lambda runner: False)
    with open_database(db_path) as db, db.session() as session:
        engagement = find_engagement(session, "acme")
        assert engagement is not None
        (scan,) = scan_store.scans(session, engagement)
        assert scan.state == scan_store.INCOMPLETE
        assert str(rescue) in scan.error and "Interrupted" not in scan.error
        assert json.loads(rescue.read_text())["scan"]["id"] == scan.id


def test_the_cli_writes_json_for_results_it_could_not_store(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def always_locked(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseLocked("database is locked by another program")

    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", always_locked)
    db_path, out = tmp_path / "db.sqlite3", tmp_path / "scan.json"

    code = main(
        [
            *("scan", "--db", str(db_path), "--regions", "us-east-1", "--controls", "nacls"),
            *("--json", str(out)),
        ]
    )

    assert code == 1
    rescue = next(tmp_path.glob("db.unsaved-scan-*.json"))
    assert str(rescue) in capsys.readouterr().err
    document = json.loads(out.read_text())
    assert_valid(document)
    assert document == json.loads(rescue.read_text())
    assert document["scan"]["state"] == "not stored"
    assert str(rescue) in document["scan"]["error"]
    assert {row["control"] for row in document["results"]} == {"nacls"}
