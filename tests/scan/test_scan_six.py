"""The six account-security controls on moto, through the scan's own boto3 clients: what
passes and fails in the scenario account, one credential report per scan, and ERROR (never
PASS) when AWS denies or throttles the calls each control needs.

moto's credential report has no root row and its account summary always says
AccountMFAEnabled 0; where a test needs real AWS's answer instead, it injects that one
answer (real-shaped) at the client, the same seam as the fault injection.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from app.aws.clients import MAX_ATTEMPTS
from app.controls.catalogue import load_catalogue
from app.scan.runner import ScanOutcome, run_scan
from app.store.database import open_database
from tests.scan.helpers import answer_with, answer_with_error, rows, status_of, throttled
from tests.scan.scenario import HOME, OTHER, Built

CATALOGUE = load_catalogue()

Scanned = tuple[ScanOutcome, Path]
ROOT = "arn:aws:iam::123456789012:root"


def _scan(tmp_path: Path, controls: list[str], hooks: list[Any]) -> ScanOutcome:
    with open_database(tmp_path / "six.sqlite3") as db:
        return run_scan(
            boto3.Session,
            db,
            "Six",
            controls=controls,
            regions=[HOME, OTHER],
            hooks=hooks,
            actor="t",
        )


def _statuses(outcome: ScanOutcome, check: str) -> dict[str, str]:
    return {r.resource.rsplit("/", 1)[-1]: r.status.value for r in rows(outcome, check)}


# --- the scenario's verdicts ------------------------------------------------------------


def test_root_account_on_moto(scanned: Scanned) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "root-mfa", ROOT) == "FAIL"  # moto: AccountMFAEnabled 0
    assert status_of(outcome, "root-account-access-keys", ROOT) == "PASS"
    (unused,) = rows(outcome, "root-not-used")
    assert unused.status.value == "ERROR" and "<root_account>" in unused.detail


def test_console_mfa_and_password_policy(scanned: Scanned) -> None:
    outcome, _ = scanned
    assert _statuses(outcome, "console-user-mfa") == {"alice": "PASS", "bob": "FAIL"}
    alice = next(r for r in rows(outcome, "console-user-mfa") if r.resource.endswith("alice"))
    assert "arn:aws:iam::123456789012:mfa/alice" in alice.detail
    (policy,) = rows(outcome, "iam-password-policy")
    assert policy.status.value == "FAIL"
    assert "minimum length 8" in policy.detail and "alice, bob" in policy.detail


def test_threat_detection_and_config_recording_by_region(scanned: Scanned) -> None:
    outcome, _ = scanned
    assert _statuses(outcome, "guardduty-enabled") == {HOME: "PASS", OTHER: "FAIL"}
    assert _statuses(outcome, "config-recorder-on") == {HOME: "FAIL", OTHER: "PASS"}
    (recording,) = rows(outcome, "config-recorder-on", OTHER)
    assert "s3://acme-logs" in recording.detail
    operations = {e.operation for r in rows(outcome, "config-recorder-on") for e in r.evidence}
    assert "config:DescribeConfigurationRecorderStatus" in operations


def test_s3_public_access(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    (account_row,) = rows(outcome, "s3-account-public-access-block")
    assert account_row.status.value == "FAIL" and "RestrictPublicBuckets" in account_row.detail
    assert account_row.evidence[0].operation == "s3control:GetPublicAccessBlock"
    buckets = {r.resource: r.status.value for r in rows(outcome, "s3-bucket-public-access")}
    names = account.buckets
    assert buckets[f"arn:aws:s3:::{names['locked']}"] == "PASS"  # its own block
    assert buckets[f"arn:aws:s3:::{names['logs']}"] == "FAIL"  # a public policy
    assert buckets[f"arn:aws:s3:::{names['plain']}"] == "FAIL"  # the account's block is partial
    assert len(buckets) == len(names)  # every bucket of the account is a row


def test_one_credential_report_serves_all_three_controls(scan_env: Built, tmp_path: Path) -> None:
    sent: Counter[str] = Counter()

    def count(client: Any) -> None:
        client.meta.events.register(
            "before-send", lambda event_name, **_: sent.update([event_name.split(".", 1)[1]])
        )

    _scan(tmp_path, ["no-iam-access-keys"], [])  # IAM has a report ready from now on
    outcome = _scan(tmp_path, [], [count])
    assert {"no-iam-access-keys", "root-account", "console-mfa"} <= set(outcome.controls)
    assert sent["iam.GenerateCredentialReport"] == 1
    assert sent["iam.GetCredentialReport"] == 1


# --- what moto cannot say, answered as AWS would ------------------------------------------

SUMMARY_MFA_ON = {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}}
REPORT_WITH_ROOT = {
    "Content": (
        b"user,arn,user_creation_time,password_enabled,password_last_used,"
        b"password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
        b"access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,"
        b"access_key_2_last_rotated,access_key_2_last_used_date\n"
        b"<root_account>,arn:aws:iam::123456789012:root,2019-03-02T09:00:00+00:00,"
        b"not_supported,2024-01-15T08:00:00+00:00,not_supported,not_supported,true,false,"
        b"N/A,N/A,false,N/A,N/A\n"
    ),
    "ReportFormat": "text/csv",
}


def test_root_account_passes_as_on_real_aws(scan_env: Built, tmp_path: Path) -> None:
    hooks = [
        answer_with("iam", "GetAccountSummary", SUMMARY_MFA_ON),
        answer_with("iam", "GetCredentialReport", REPORT_WITH_ROOT),
    ]
    outcome = _scan(tmp_path, ["root-account"], hooks)
    assert {r.check: r.status.value for r in outcome.results} == {
        "root-mfa": "PASS",
        "root-account-access-keys": "PASS",
        "root-not-used": "PASS",
    }


def test_a_member_account_without_root_credentials_passes_with_the_reason(
    scan_env: Built, tmp_path: Path
) -> None:
    bare = {
        "AccountMFAEnabled": 0,
        "AccountPasswordPresent": 0,
        "AccountAccessKeysPresent": 0,
        "AccountSigningCertificatesPresent": 0,
    }
    features = {
        "OrganizationId": "o-a1b2c3d4e5",
        "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"],
    }
    hooks = [
        answer_with("iam", "GetAccountSummary", {"SummaryMap": bare}),
        answer_with("iam", "ListOrganizationsFeatures", features),
    ]
    outcome = _scan(tmp_path, ["root-account"], hooks)
    (mfa,) = rows(outcome, "root-mfa")
    assert mfa.status.value == "PASS" and "root credentials removed" in mfa.detail
    assert "o-a1b2c3d4e5" in mfa.detail


# --- ERROR, never PASS, when AWS says no ---------------------------------------------------

# control -> the (service event, operation) denied, and the checks that must all be ERROR.
NEEDED: dict[str, tuple[list[tuple[str, str]], tuple[str, ...]]] = {
    "root-account": (
        [("iam", "GetAccountSummary"), ("iam", "GetCredentialReport")],
        ("root-mfa", "root-account-access-keys", "root-not-used"),
    ),
    "console-mfa": ([("iam", "ListMFADevices")], ("console-user-mfa",)),
    "password-policy": ([("iam", "GetAccountPasswordPolicy")], ("iam-password-policy",)),
    "threat-detection": ([("guardduty", "ListDetectors")], ("guardduty-enabled",)),
    "s3-public-access": (
        [("s3-control", "GetPublicAccessBlock"), ("s3", "GetBucketPolicyStatus")],
        ("s3-account-public-access-block", "s3-bucket-public-access"),
    ),
    "config-recording": (
        [("config-service", "DescribeConfigurationRecorders")],
        ("config-recorder-on",),
    ),
}


def _only_errors(outcome: ScanOutcome, checks: tuple[str, ...]) -> list[Any]:
    judged = [r for r in outcome.results if r.check in checks]
    assert judged and {r.check for r in judged} == set(checks)
    assert {r.status.value for r in judged} == {"ERROR"}, [(r.resource, r.detail) for r in judged]
    return judged


@pytest.mark.parametrize("control", sorted(NEEDED))
def test_access_denied_is_error(control: str, scan_env: Built, tmp_path: Path) -> None:
    calls, checks = NEEDED[control]
    hooks = [answer_with_error(event, operation, "AccessDenied", 403) for event, operation in calls]
    judged = _only_errors(_scan(tmp_path, [control], hooks), checks)
    assert all("Access denied" in r.detail for r in judged)


@pytest.mark.parametrize("control", sorted(NEEDED))
def test_throttled_past_retries_is_error(
    control: str, scan_env: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)  # no backoff
    calls, checks = NEEDED[control]
    attempts: list[str] = []
    hooks = [throttled(event, operation, attempts) for event, operation in calls]
    judged = _only_errors(_scan(tmp_path, [control], hooks), checks)
    assert all("Throttled" in r.detail for r in judged), [r.detail for r in judged]
    # botocore's bounded retries for each call, then the error (no endless waiting).
    assert attempts and all(n % MAX_ATTEMPTS == 0 for n in Counter(attempts).values())


def test_each_control_is_the_worst_of_its_rows(scanned: Scanned) -> None:
    """FAIL over ERROR over PASS, as for the eleven: the stored scan's control statuses."""
    from app.controls.control_status import ControlStatus
    from app.store import engagements
    from app.store.control_status import control_summaries

    outcome, path = scanned
    six = [c for c in outcome.controls if c in NEEDED]
    with open_database(path) as db, db.session() as session:
        engagement = engagements.find_engagement(session, "Acme 2026")
        assert engagement is not None
        summaries = control_summaries(session, engagement, [CATALOGUE.get(c) for c in six])
    statuses = {control: summaries[control].check_status for control in six}
    # root-account has a FAIL, an ERROR and a PASS row; the others FAIL and PASS rows.
    assert statuses == dict.fromkeys(six, ControlStatus.FAILING)
    assert summaries["root-account"].counts.errors == 1
    assert summaries["root-account"].counts.passed == 1


def test_errors_without_failures_make_the_control_error(scan_env: Built, tmp_path: Path) -> None:
    from app.controls.control_status import ControlStatus
    from app.store import engagements
    from app.store.control_status import control_summaries

    deny = answer_with_error("iam", "ListMFADevices", "AccessDenied", 403)
    with open_database(tmp_path / "rollup.sqlite3") as db:
        run_scan(
            boto3.Session,
            db,
            "Rollup",
            controls=["console-mfa", "threat-detection"],
            regions=[HOME],
            hooks=[deny],
            actor="t",
        )
        with db.session() as session:
            engagement = engagements.find_engagement(session, "Rollup")
            assert engagement is not None
            wanted = [CATALOGUE.get("console-mfa"), CATALOGUE.get("threat-detection")]
            summaries = control_summaries(session, engagement, wanted)
    assert summaries["console-mfa"].check_status == ControlStatus.ERROR
    assert summaries["threat-detection"].check_status == ControlStatus.PASSING  # HOME has one
