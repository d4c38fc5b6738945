"""The six account-security controls on a near-empty account (moto, reset): where nothing
of a kind exists the control says NOT_APPLICABLE with the reason; where the thing judged
always exists (the root user, each scanned region) it is judged, never NOT_APPLICABLE."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from app.scan.runner import run_scan
from app.store.database import open_database
from tests.cli.helpers import run_cli

SIX = [
    "root-account",
    "console-mfa",
    "password-policy",
    "threat-detection",
    "s3-public-access",
    "config-recording",
]


def test_nothing_to_judge_is_not_applicable_with_the_reason(aws: str, tmp_path: Path) -> None:
    iam = boto3.client("iam")
    iam.create_user(UserName="deploy-bot")  # no console password
    iam.update_account_password_policy(MinimumPasswordLength=8)
    with open_database(tmp_path / "empty.sqlite3") as db:
        outcome = run_scan(
            boto3.Session, db, "Empty", controls=SIX, regions=["us-east-1"], actor="t"
        )
    by_check = {r.check: r for r in outcome.results if r.status.value == "NOT_APPLICABLE"}
    assert set(by_check) == {"console-user-mfa", "iam-password-policy", "s3-bucket-public-access"}
    assert "1 IAM users, none with a password" in by_check["console-user-mfa"].detail
    assert "minimum length 8" in by_check["iam-password-policy"].detail
    assert by_check["s3-bucket-public-access"].detail == "no S3 buckets in the account"
    judged = {r.check: r.status.value for r in outcome.results if r.check not in by_check}
    assert judged == {
        "root-mfa": "FAIL",
        "root-account-access-keys": "PASS",
        "root-not-used": "ERROR",  # moto's report has no root row
        "guardduty-enabled": "FAIL",
        "s3-account-public-access-block": "FAIL",
        "config-recorder-on": "FAIL",
    }


def test_scan_controls_accepts_the_new_ids(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.sqlite3")
    argv = ["scan", "--regions", "us-east-1", "--json", "-", "--db", db, "--controls"]
    ran = run_cli(capsys, *argv, "threat-detection,s3-public-access")
    assert ran.code == 0, ran.err
    document = json.loads(ran.out)
    assert {row["control"] for row in document["results"]} == {
        "threat-detection",
        "s3-public-access",
    }
