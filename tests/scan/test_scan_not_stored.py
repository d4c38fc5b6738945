"""Nothing lost: a finished scan the DB will not take is saved to a file beside it."""

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
