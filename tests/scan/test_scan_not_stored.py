"""Nothing lost: a finished scan the store will not take is saved to a file: beside an
SQLite file, or in the user's data folder for a PostgreSQL store (also when the server
stops in the middle of the scan)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.cli import main
from app.scan import storing
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import run_scan
from app.store import scans as scan_store
from app.store.database import open_database
from app.store.engagements import find_engagement
from app.store.errors import DatabaseLocked
from app.store.location import StoreLocation
from app.store.scan_state import ScanState
from tests.conftest import db_argument
from tests.postgres import PgServer
from tests.result_schema import assert_valid


def _locked_when_complete(real: Any) -> Any:
    def finish(db: Any, scan_id: int, state: str, actor: str, **kwargs: Any) -> Any:
        if state == ScanState.COMPLETE:
            raise DatabaseLocked("database is locked by another program")
        return real(db, scan_id, state, actor, **kwargs)

    return finish


def _rescued(location: StoreLocation) -> Path:
    stem = location.rescue_stem()
    (found,) = stem.parent.glob(f"{stem.name}.unsaved-scan-*.json")
    return found


def test_results_go_to_a_file_when_the_db_stays_locked(
    aws: str, store_location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", _locked_when_complete(storing.finish))
    db = open_database(store_location)
    with pytest.raises(storing.ScanNotStored) as raised:
        run_scan(
            ScanRequest(boto3.session.Session, "acme", controls=["nacls"], regions=["us-east-1"]),
            db,
        )
    rescue = _rescued(store_location)
    assert str(rescue) in str(raised.value)
    document = json.loads(rescue.read_text())
    assert document["results"], "the rescued document holds the scan's rows"
    assert {row["control"] for row in document["results"]} == {"nacls"}
    with db.session() as session:
        engagement = find_engagement(session, "acme")
        assert engagement is not None
        (scan,) = scan_store.scans(session, engagement)
        assert scan.state == ScanState.INCOMPLETE
        assert str(rescue) in scan.error
    db.close()


def test_the_cli_names_the_rescue_file_and_fails(
    aws: str,
    store_location: StoreLocation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", _locked_when_complete(storing.finish))
    store = db_argument(store_location)
    code = main(["scan", "--db", store, "--regions", "us-east-1", "--controls", "nacls"])
    assert code == 1
    rescue = _rescued(store_location)
    assert str(rescue) in capsys.readouterr().err


def test_a_server_that_stops_during_the_scan_loses_nothing(
    aws: str, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pg_server.cluster is not None, "needs the throwaway cluster (it stops it)"
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    location = pg_server.new_store(fresh=True)
    db = open_database(location)
    stopped: list[str] = []

    def server_goes_away(control: str, rows: Any) -> None:
        if not stopped:  # the scan has started; its results are not stored yet
            stopped.append(control)
            assert pg_server.cluster is not None
            pg_server.cluster.halt()

    try:
        with pytest.raises(storing.ScanNotStored) as raised:
            request = ScanRequest(
                boto3.session.Session, "acme", controls=["nacls"], regions=["us-east-1"]
            )
            run_scan(request, db, ScanWatch(on_results=server_goes_away))
    finally:
        pg_server.cluster.resume()
    message = str(raised.value)
    assert "cannot be reached" in message and "\n" not in message
    rescue = _rescued(location)
    assert rescue.name.startswith("team-store-") and str(rescue) in message
    assert {row["control"] for row in json.loads(rescue.read_text())["results"]} == {"nacls"}
    db.close()
    with open_database(location) as reopened, reopened.session() as session:
        (scan,) = scan_store.scans(session, find_engagement(session, "acme"))  # type: ignore[arg-type]
        # Nothing half-written: no rows and never complete. (It stays "running" while this
        # process lives, as with SQLite; the next open after it exits marks it incomplete.)
        assert scan.state == ScanState.RUNNING and scan.results == []
    pg_server.drop(location)


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
            ScanRequest(boto3.session.Session, "acme", controls=["nacls"], regions=["us-east-1"]),
            db,
            ScanWatch(progress=lock_once_checked),
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
        assert scan.state == ScanState.INCOMPLETE
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
