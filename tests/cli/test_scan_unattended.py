"""`audit-binder scan --unattended` (what a scheduled job runs): never prompts, and a scan
that cannot run is stored as *failed* with the reason, for the right account."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import botocore.credentials
import pytest
from sqlalchemy import select

from app.store.accounts import add_account
from app.store.database import open_database
from app.store.engagements import create_engagement
from app.store.models import AuditLogEntry, Scan
from app.store.scans import finish_scan, start_scan
from tests.cli.helpers import Ran, one_clear_line, run_cli

SSO_ACCOUNT = "111122223333"
ROLE_ACCOUNT = "444455556666"


def _unattended(
    capsys: pytest.CaptureFixture[str], db_path: Path, *extra: str, engagement: str = "Acme 2026"
) -> Ran:
    """`scan --unattended --engagement E --db PATH` and the options given."""
    return run_cli(
        capsys, "scan", "--unattended", "--engagement", engagement, "--db", str(db_path), *extra
    )


def _config(text: str) -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(text, encoding="utf-8")


def _scans(db_path: Path) -> list[tuple[str, str, str, str]]:
    """(engagement, account, state, error) of every scan, in order."""
    with open_database(db_path) as db, db.session() as session:
        return [
            (scan.engagement.name, scan.account_id, scan.state, scan.error)
            for scan in session.scalars(select(Scan).order_by(Scan.id))
        ]


def _actors(db_path: Path) -> set[str]:
    with open_database(db_path) as db, db.session() as session:
        return set(
            session.scalars(select(AuditLogEntry.actor).where(AuditLogEntry.action == "scan.start"))
        )


@pytest.fixture
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any prompt fails the test: nobody is there to answer."""

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("an unattended scan prompted")

    monkeypatch.setattr(getpass, "getpass", refuse)
    # botocore binds getpass.getpass as a default argument when it is imported.
    init = botocore.credentials.AssumeRoleProvider.__init__
    monkeypatch.setattr(init, "__defaults__", (refuse, None, None))
    monkeypatch.setattr("builtins.input", refuse)
    monkeypatch.setattr("webbrowser.open", refuse)


def test_an_expired_identity_center_session_is_a_failed_scan_of_its_account(
    no_prompt: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(
        "[profile nightly]\n"
        "sso_session = corp\n"
        f"sso_account_id = {SSO_ACCOUNT}\n"
        "sso_role_name = Audit\n"
        "region = eu-west-1\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    db_path = tmp_path / "db.sqlite3"

    ran = _unattended(capsys, db_path, "--profile", "nightly", "--regions", "eu-west-1")

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "IAM Identity Center session is missing or expired" in line
    assert f"Recorded as failed scan #1 (account {SSO_ACCOUNT}) in engagement 'Acme 2026'" in line
    ((engagement, account, state, error),) = _scans(db_path)
    assert (engagement, account, state) == ("Acme 2026", SSO_ACCOUNT, "failed")
    assert "IAM Identity Center session is missing or expired" in error
    assert all(actor.endswith(" (scheduled)") for actor in _actors(db_path))


def test_without_any_credentials_it_is_recorded_against_the_engagements_accounts(
    no_prompt: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite3"
    with open_database(db_path) as db, db.session() as session:
        engagement = create_engagement(session, "Acme 2026", actor="qa")
        add_account(session, engagement, "123456789012", actor="qa")
        earlier = start_scan(session, engagement, account_id="210987654321", actor="qa")
        finish_scan(session, earlier, actor="qa")

    ran = _unattended(capsys, db_path)

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "No AWS credentials were found" in line
    failed = [(a, s) for _, a, s, _ in _scans(db_path) if s == "failed"]
    assert failed == [("123456789012", "failed"), ("210987654321", "failed")]


def test_with_no_account_known_nothing_is_recorded_and_it_says_so(
    no_prompt: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite3"

    ran = _unattended(capsys, db_path, engagement="New")

    assert ran.code == 1
    assert "Nothing recorded: engagement 'New' has no known account yet" in one_clear_line(ran.err)
    assert _scans(db_path) == []


def test_a_role_that_needs_an_mfa_code_is_refused_without_prompting(
    no_prompt: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _config(
        "[profile base]\n"
        "aws_access_key_id = AKIAEXAMPLEEXAMPLE12\n"
        "aws_secret_access_key = not-a-real-secret\n"
        "[profile admin]\n"
        f"role_arn = arn:aws:iam::{ROLE_ACCOUNT}:role/Audit\n"
        "source_profile = base\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/founder\n"
    )
    db_path = tmp_path / "db.sqlite3"

    ran = _unattended(capsys, db_path, "--profile", "admin")

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "MFA code" in line
    assert [(a, s) for _, a, s, _ in _scans(db_path)] == [(ROLE_ACCOUNT, "failed")]


def test_an_unattended_scan_that_runs_is_stored_as_scheduled(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite3"

    ran = _unattended(capsys, db_path, "--regions", "us-east-1", "--controls", "cloudtrail")

    assert ran.code == 0, ran.err
    assert [s for _, _, s, _ in _scans(db_path)] == ["complete"]
    (actor,) = _actors(db_path)
    assert actor.endswith(" (scheduled)")


def test_unattended_does_not_combine_with_member_accounts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(capsys, "scan", "--unattended", "--org-role", "Audit", "--db", str(tmp_path))
    assert ran.code == 2  # options that do not go together: a usage mistake
    assert "--unattended scans one account" in one_clear_line(ran.err)
