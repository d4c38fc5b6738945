"""The six account-security controls on real-shaped AWS answers
(tests/data/aws_recordings): the verdicts an auditor would give in each situation."""

from __future__ import annotations

from functools import cache

import pytest

from app.controls.results import Status
from tests.fakes.recorded_aws import RECORDED_ENV, ReplayedScan, scan_situation


@pytest.fixture(autouse=True)
def recorded_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RECORDED_ENV.items():
        monkeypatch.setenv(name, value)


@cache
def _scanned(name: str) -> ReplayedScan:
    return scan_situation(name)


def _statuses(scanned: ReplayedScan, check: str) -> dict[str, Status]:
    return {r.resource.rsplit(":", 1)[-1]: r.status for r in scanned.rows(check)}


def test_a_standalone_2016_account() -> None:
    legacy = _scanned("legacy-2017-account")
    assert legacy.row("root-mfa", ":root").status is Status.PASS
    used = legacy.row("root-not-used", ":root")
    assert used.status is Status.FAIL
    assert "last used 2026-10-02 (password sign-in, 57 days ago)" in used.detail
    assert _statuses(legacy, "console-user-mfa") == {
        "user/jsmith": Status.PASS,
        "user/ops-contractor": Status.FAIL,
    }
    contractor = legacy.row("console-user-mfa", "user/ops-contractor")
    assert "last console sign-in 2024-02-12" in contractor.detail
    policy = legacy.row("iam-password-policy", "111122223333")
    assert policy.status is Status.FAIL
    assert "minimum length 8" in policy.detail and "reuse prevention off" in policy.detail
    assert legacy.row("guardduty-enabled", "us-east-1").status is Status.FAIL
    recording = legacy.row("config-recorder-on", "us-east-1")
    assert recording.status is Status.PASS and "s3://legacy-cloudtrail-logs" in recording.detail
    assert legacy.row("s3-account-public-access-block", "111122223333").status is Status.FAIL
    assert _statuses(legacy, "s3-bucket-public-access") == {
        "legacy-app-assets": Status.FAIL,  # a public policy
        "legacy-cloudtrail-logs": Status.PASS,  # its own block
        "legacy-eu-archive": Status.FAIL,  # no block anywhere
    }
    assert legacy.row("s3-bucket-public-access", ":::legacy-eu-archive").region == "eu-west-1"


def test_a_member_account_whose_root_credentials_were_removed() -> None:
    saas = _scanned("saas-data-stores")
    root = saas.row("root-mfa", ":root")
    assert root.status is Status.PASS
    assert "root credentials removed" in root.detail and "o-a1b2c3d4e5" in root.detail
    assert saas.row("root-not-used", ":root").status is Status.PASS
    (no_users,) = saas.rows("console-user-mfa")
    assert no_users.status is Status.NOT_APPLICABLE and "no IAM users" in no_users.detail
    (policy,) = saas.rows("iam-password-policy")
    assert policy.status is Status.NOT_APPLICABLE and "no password policy" in policy.detail
    assert _statuses(saas, "guardduty-enabled") == {
        "eu-west-1": Status.PASS,
        "us-east-1": Status.FAIL,
    }
    assert "RDS_LOGIN_EVENTS" in saas.row("guardduty-enabled", "eu-west-1").detail
    assert _statuses(saas, "config-recorder-on") == {
        "eu-west-1": Status.PASS,
        "us-east-1": Status.FAIL,
    }
    assert {r.status for r in saas.rows("s3-bucket-public-access")} == {Status.PASS}
    assert saas.row("s3-account-public-access-block", "444455556666").status is Status.PASS


def test_an_old_audit_role_gets_errors_not_verdicts() -> None:
    partial = _scanned("partial-permissions")
    root = partial.row("root-mfa", ":root")
    assert root.status is Status.ERROR and "iam:ListOrganizationsFeatures" in root.detail
    assert partial.row("guardduty-enabled", "us-west-2").status is Status.ERROR
    assert partial.row("s3-account-public-access-block", "777788889999").status is Status.ERROR
    (buckets,) = partial.rows("s3-bucket-public-access")
    assert buckets.status is Status.NOT_APPLICABLE
    stopped = partial.row("config-recorder-on", "us-west-2")
    assert stopped.status is Status.FAIL and "stopped" in stopped.detail
    assert partial.row("iam-password-policy", "777788889999").status is Status.PASS
