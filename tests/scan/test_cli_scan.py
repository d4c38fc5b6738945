"""`audit-binder scan` end to end: JSON document, stored scan (in an SQLite file and in a
PostgreSQL store), clear failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.cli import main
from app.scan.document import document_for_scan
from app.store.database import open_database
from app.store.location import StoreLocation
from app.store.models import Engagement, ResultRow, Scan
from tests.conftest import db_argument
from tests.moto_resources import open_ssh_to_the_world

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_scan_writes_the_document_and_stores_the_scan(
    aws: str, tmp_path: Path, store_location: StoreLocation, capsys: pytest.CaptureFixture[str]
) -> None:
    group = open_ssh_to_the_world(region="eu-west-1", name="bastion")
    out, db_path = tmp_path / "out" / "scan.json", store_location
    store = db_argument(store_location)

    code = main(["scan", "--regions", "eu-west-1", "--db", store, "--json", str(out)])

    assert code == 0
    err = capsys.readouterr().err
    assert "Signed in as arn:aws:sts::123456789012:" in err
    assert "stored in engagement '123456789012'" in err
    document = json.loads(out.read_text())
    assert document["schema_version"] == 1
    assert document["account"] == {
        "id": "123456789012",
        "caller_arn": "arn:aws:sts::123456789012:user/moto",
    }
    assert ISO_Z.match(document["started_at"]) and ISO_Z.match(document["finished_at"])
    assert document["regions"] == ["eu-west-1"]
    for row in document["results"]:
        assert {"control", "check", "region", "resource", "status", "detail"} <= set(row)
        assert row["status"] in {"PASS", "FAIL", "ERROR", "NOT_APPLICABLE"}
    ssh = [r for r in document["results"] if r["check"] == "sg-no-ssh" and group in r["resource"]]
    assert [r["status"] for r in ssh] == ["FAIL"]
    assert ssh[0]["resource"] == f"arn:aws:ec2:eu-west-1:123456789012:security-group/{group}"
    assert {r["control"] for r in document["results"]} >= {"no-ssh", "cloudtrail", "backups"}
    with open_database(db_path) as db, db.session() as session:
        (engagement,) = session.query(Engagement).all()
        assert engagement.name == "123456789012"
        (scan,) = session.query(Scan).all()
        assert scan.state == "complete" and scan.id == document["scan"]["id"]
        assert session.query(ResultRow).count() == len(document["results"])
        # The stored scan gives back the very document the command wrote.
        assert document_for_scan(scan) == document


@pytest.mark.slow
def test_a_second_scan_goes_to_the_named_engagement_and_keeps_the_first(
    aws: str, tmp_path: Path
) -> None:
    db_path = tmp_path / "cli.sqlite3"
    assert main(["scan", "--regions", "eu-west-1", "--db", str(db_path)]) == 0
    assert (
        main(
            [
                "scan",
                "--regions",
                "eu-west-1",
                "--db",
                str(db_path),
                "--engagement",
                "Acme 2026",
                "--controls",
                "nacls,no-ssh",
            ]
        )
        == 0
    )
    with open_database(db_path) as db, db.session() as session:
        names = sorted(e.name for e in session.query(Engagement).all())
        assert names == ["123456789012", "Acme 2026"]
        scans = session.query(Scan).order_by(Scan.id).all()
        assert [s.state for s in scans] == ["complete", "complete"]
        assert scans[1].controls == ["no-ssh", "nacls"]
        controls = {r.control_id for r in session.query(ResultRow).filter_by(scan_id=scans[1].id)}
        assert controls == {"no-ssh", "nacls"}


def test_unreachable_endpoint_exits_non_zero_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    db_path = tmp_path / "cli.sqlite3"

    code = main(["scan", "--db", str(db_path)])

    assert code == 1
    err = capsys.readouterr().err
    assert "could not run" in err and "could not be reached" in err
    assert "Traceback" not in err
    with open_database(db_path) as db, db.session() as session:
        assert session.query(Scan).count() == 0  # nothing to attribute a scan to


def test_no_credentials_exits_non_zero_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--db", str(tmp_path / "cli.sqlite3")]) == 1
    assert "No AWS credentials" in capsys.readouterr().err


def test_expired_sso_sign_in_says_to_sign_in_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path.home() / ".aws" / "config"
    config.write_text(
        "[profile acme]\n"
        "sso_session = acme\nsso_account_id = 123456789012\nsso_role_name = Audit\n"
        "region = eu-west-1\n\n"
        "[sso-session acme]\n"
        "sso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    code = main(["scan", "--profile", "acme", "--db", str(tmp_path / "cli.sqlite3")])
    assert code == 1
    err = capsys.readouterr().err
    assert "Sign in again" in err and "acme" in err


def test_unknown_region_is_refused_before_anything_is_stored(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "cli.sqlite3"
    code = main(
        [
            "scan",
            "--regions",
            "eu-west-1,eu-nowhere-9",
            "--engagement",
            "Acme",
            "--db",
            str(db_path),
        ]
    )
    assert code == 2  # a typo is a usage mistake
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (message,) = [line for line in err.splitlines() if line.startswith("audit-binder")]
    assert message.startswith("audit-binder scan: Unknown region(s): eu-nowhere-9.")
    # The valid names come from the account's own DescribeRegions(AllRegions=True).
    assert "eu-west-1" in err and "us-east-1" in err and "Not enabled: " in err
    assert "cn-north-1" not in err  # another partition: not a name this account can use
    with open_database(db_path) as db, db.session() as session:
        assert session.query(Scan).all() == []
        assert session.query(Engagement).all() == []
