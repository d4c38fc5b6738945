"""Nothing lost: a finished scan the store will not take is saved to a file: beside an
SQLite file, or in the user's data folder for a PostgreSQL store (also when the server
stops in the middle of the scan)."""

from __future__ import annotations

import json
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
from app.store.location import StoreLocation
from tests.conftest import db_argument
from tests.postgres import PgServer


def _locked_when_complete(real: Any) -> Any:
    def finish(db: Any, scan_id: int, state: str, actor: str, **kwargs: Any) -> Any:
        if state == scan_store.COMPLETE:
            raise DatabaseLocked("database is locked by another program")
        return real(db, scan_id, state, actor, **kwargs)

    return finish


def _rescued(location: StoreLocation) -> Path:
    folder = location.rescue_file("unsaved-scan").parent
    (found,) = folder.glob("*.unsaved-scan-*.json")
    return found


def test_results_go_to_a_file_when_the_db_stays_locked(
    aws: str, store_location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storing, "STORE_RETRY_PAUSE_S", 0.0)
    monkeypatch.setattr(storing, "finish", _locked_when_complete(storing.finish))
    db = open_database(store_location)
    with pytest.raises(storing.ScanNotStored) as raised:
        run_scan(boto3.session.Session, db, "acme", controls=["nacls"], regions=["us-east-1"])
    rescue = _rescued(store_location)
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
            run_scan(boto3.session.Session, db, "acme", controls=["nacls"],
                     regions=["us-east-1"], on_results=server_goes_away)  # fmt: skip
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
        assert scan.state == scan_store.RUNNING and scan.results == []
    pg_server.drop(location)
