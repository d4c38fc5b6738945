"""`audit-binder scan --org-role`: every member account scanned, failures named, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.commands import scan_options
from app.store.database import open_database
from app.store.models import Account, Engagement, Scan
from tests.result_schema import assert_valid
from tests.scan.helpers import MANAGEMENT, make_organization, refusing_assume_role


@pytest.mark.slow
def test_members_are_scanned_into_one_engagement_and_written_as_an_array(
    aws: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = make_organization()
    monkeypatch.setattr(
        scan_options, "profile_session", lambda profile: refusing_assume_role(ids["prod"])
    )
    out, db_path = tmp_path / "org.json", tmp_path / "cli.sqlite3"

    code = main(
        [
            "scan",
            "--org-role",
            "AuditBinderReadOnly",
            "--accounts",
            f"{ids['staging']},{ids['prod']}",
            "--external-id",
            "client-external-id",
            "--regions",
            "us-east-1",
            "--controls",
            "no-iam-access-keys,sg-inbound",
            "--db",
            str(db_path),
            "--json",
            str(out),
        ]
    )

    assert code == 1  # one account could not be scanned: CI must notice
    err = capsys.readouterr().err
    assert f"[account 1/2] prod ({ids['prod']}) as AuditBinderReadOnly" in err
    assert f"[account 2/2] staging ({ids['staging']})" in err
    assert f"staging ({ids['staging']}): Signed in as arn:aws:sts::{ids['staging']}:" in err
    assert "Scanned 1 of 2 account(s)" in err
    assert f"stored in engagement '{MANAGEMENT}'" in err
    assert f"prod ({ids['prod']}): NOT SCANNED" in err and "access denied" in err
    assert f"1 account(s) could not be scanned ({ids['prod']})" in err
    assert "client-external-id" not in err

    documents = json.loads(out.read_text())
    assert_valid(documents)  # a failed account's document included
    assert isinstance(documents, list) and len(documents) == 2
    by_account = {d["account"]["id"]: d for d in documents}
    assert all(d["schema_version"] == 1 for d in documents)
    staging, prod = by_account[ids["staging"]], by_account[ids["prod"]]
    assert staging["scan"]["state"] == "complete" and staging["scan"]["error"] == ""
    assert staging["results"]
    assert {r["account"] for r in staging["results"]} == {ids["staging"]}
    assert staging["account"]["caller_arn"].endswith("/AuditBinderReadOnly/audit-binder")
    assert prod["scan"]["state"] == "failed" and prod["results"] == []
    assert "could not assume" in prod["scan"]["error"]

    with open_database(db_path) as db, db.session() as session:
        (engagement,) = session.query(Engagement).all()
        assert engagement.name == MANAGEMENT
        scans = {s.account_id: s for s in session.query(Scan).all()}
        assert {a: s.state for a, s in scans.items()} == {
            ids["prod"]: "failed",
            ids["staging"]: "complete",
        }
        assert scans[ids["staging"]].id == staging["scan"]["id"]
        assert {a.account_id for a in session.query(Account).all()} == set(ids.values())


def test_all_scanned_exits_zero_and_stdout_json_is_the_array(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = make_organization()
    code = main(
        [
            "scan",
            "--org-role",
            "Audit",
            "--accounts",
            ids["staging"],
            "--regions",
            "us-east-1",
            "--controls",
            "no-iam-access-keys",
            "--engagement",
            "Acme group",
            "--db",
            str(tmp_path / "cli.sqlite3"),
            "--json",
            "-",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (document,) = json.loads(captured.out)
    assert document["account"]["id"] == ids["staging"]
    assert document["engagement"] == "Acme group"
    assert "could not be scanned" not in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--accounts", "all"], "need --org-role ROLE"),
        (
            ["--org-role", "Audit", "--accounts", "12345"],
            "not an AWS account id (12 digits): 12345",
        ),
        (["--org-role", "Audit", "--accounts", " , "], "--accounts is empty"),
        (["--org-role", "bad role"], "is not an IAM role name"),
        (["--org-role", "Audit", "--controls", "bogus"], "unknown control(s) bogus"),
        (["--org-role", "Audit", "--controls", ""], "--controls is empty"),
    ],
)
def test_bad_member_options_are_refused_before_scanning(
    aws: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    db_path = tmp_path / "cli.sqlite3"
    assert main(["scan", *argv, "--db", str(db_path)]) == 2  # usage mistakes
    assert message in capsys.readouterr().err
    assert not db_path.exists()  # refused before anything was opened


def test_outside_an_organization_exits_one_with_the_reason(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto lists no accounts outside an organization (AWS refuses): either way, nothing runs.
    code = main(["scan", "--org-role", "Audit", "--db", str(tmp_path / "cli.sqlite3")])
    assert code == 1
    assert "the scan could not run" in capsys.readouterr().err


def test_a_region_typo_is_refused_before_any_account_is_scanned(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "cli.sqlite3"
    argv = ["scan", "--org-role", "Audit", "--regions", "us-east-1,nowhere-1"]

    code = main([*argv, "--db", str(db_path)])

    assert code == 2
    err = capsys.readouterr().err
    assert "Unknown region(s): nowhere-1" in err and "us-east-1" in err
    with open_database(db_path) as db, db.session() as session:
        assert session.query(Scan).count() == 0
