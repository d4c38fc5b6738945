from datetime import timedelta

from app.aws.inventory.model import CredentialReportRow
from app.controls.checks import access_keys
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    NOW,
    SETTINGS,
    access_key,
    failed,
    iam_inventory,
    inventory,
    ok,
    one,
    region,
    statuses,
    user,
)

ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def run(iam):
    return access_keys.check(inventory(region(), iam=iam), SETTINGS)


def test_users_with_and_without_keys() -> None:
    iam = iam_inventory(users=[user("alice", keys=[access_key()]), user("bob")])
    results = run(iam)
    assert statuses(results, "iam-user-access-keys") == {
        f"arn:aws:iam::{ACCOUNT}:user/alice": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT}:user/bob": Status.PASS,
    }


def test_detail_gives_state_age_and_last_use() -> None:
    keys = [
        access_key("AKIAOLD", "Active", 400, last_used=NOW - timedelta(days=3)),
        access_key("AKIANEW", "Inactive", 10),
    ]
    row = one(run(iam_inventory(users=[user("alice", keys=keys)])), "iam-user-access-keys")
    assert row.status is Status.FAIL
    assert "AKIAOLD active, 400 days old, last used" in row.detail
    assert "(s3 in us-east-1)" in row.detail
    assert "AKIANEW inactive, 10 days old, never used" in row.detail
    assert "2 access keys" in row.detail


def test_last_used_error_still_fails_and_says_unknown() -> None:
    key = access_key(last_used_fetch=failed("AccessDenied", "GetAccessKeyLastUsed", "iam"))
    row = one(run(iam_inventory(users=[user("alice", keys=[key])])), "iam-user-access-keys")
    assert row.status is Status.FAIL and "last use unknown" in row.detail


def test_key_listing_error_is_error_for_that_user_only() -> None:
    users = [user("alice", keys=failed("Throttling", "ListAccessKeys", "iam")), user("bob")]
    results = run(iam_inventory(users=users))
    assert statuses(results, "iam-user-access-keys") == {
        f"arn:aws:iam::{ACCOUNT}:user/alice": Status.ERROR,
        f"arn:aws:iam::{ACCOUNT}:user/bob": Status.PASS,
    }


def test_authorization_error_is_error() -> None:
    iam = iam_inventory(authorization=failed("AccessDenied", service="iam"))
    row = one(run(iam), "iam-user-access-keys")
    assert row.status is Status.ERROR and row.region == "global"


def test_no_users_not_applicable() -> None:
    assert one(run(iam_inventory()), "iam-user-access-keys").status is Status.NOT_APPLICABLE


def test_root_keys_from_account_summary() -> None:
    present = iam_inventory(summary=ok({"AccountAccessKeysPresent": 1}, service="iam"))
    absent = iam_inventory(summary=ok({"AccountAccessKeysPresent": 0}, service="iam"))
    assert one(run(present), "root-access-keys").status is Status.FAIL
    row = one(run(absent), "root-access-keys")
    assert row.status is Status.PASS and row.resource == ROOT


def test_root_keys_fall_back_to_credential_report() -> None:
    root_row = CredentialReportRow(user="<root_account>", arn=ROOT, access_key_1_active=True)
    iam = iam_inventory(
        summary=failed("AccessDenied", service="iam"), report=ok((root_row,), service="iam")
    )
    row = one(run(iam), "root-access-keys")
    assert row.status is Status.FAIL and "key 1 active" in row.detail


def test_root_keys_clean_credential_report_passes_with_note() -> None:
    root_row = CredentialReportRow(user="<root_account>", arn=ROOT)
    iam = iam_inventory(
        summary=failed("AccessDenied", service="iam"), report=ok((root_row,), service="iam")
    )
    row = one(run(iam), "root-access-keys")
    assert row.status is Status.PASS and "unreadable" in row.detail


def test_root_keys_unknown_without_summary_or_root_row_is_error() -> None:
    # moto's credential report has no <root_account> row
    iam = iam_inventory(summary=failed("AccessDenied", service="iam"))
    assert one(run(iam), "root-access-keys").status is Status.ERROR
