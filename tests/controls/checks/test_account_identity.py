"""root-account, console-mfa and password-policy on hand-built inventories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.controls.checks import console_mfa, password_policy, root_account
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    NOW,
    SETTINGS,
    failed,
    iam_inventory,
    inventory,
    ok,
    one,
    region,
    statuses,
)
from tests.controls.checks.builders_security import (
    console_user,
    denied,
    features,
    policy,
    root_row,
    summary,
)

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
NO_CREDENTIALS = {
    "AccountMFAEnabled": 0,
    "AccountPasswordPresent": 0,
    "AccountAccessKeysPresent": 0,
    "AccountSigningCertificatesPresent": 0,
}


def report(*rows):
    return ok(tuple(rows), "GetCredentialReport", "iam", "global")


def root(**iam):
    return root_account.check(inventory(region(), iam=iam_inventory(**iam)), SETTINGS)


# --- root-account ----------------------------------------------------------------------


def test_root_with_mfa_no_keys_and_unused_passes_all_three_checks() -> None:
    old = NOW - timedelta(days=200)
    results = root(
        summary=summary(AccountMFAEnabled=1, AccountAccessKeysPresent=0),
        report=report(root_row(password_last_used=old)),
    )
    assert [(r.check, r.status) for r in results] == [
        ("root-mfa", Status.PASS),
        ("root-account-access-keys", Status.PASS),
        ("root-not-used", Status.PASS),
    ]
    assert all(r.resource == ROOT for r in results)
    assert "200 days ago" in one(results, "root-not-used").detail


def test_root_without_mfa_and_with_a_password_fails() -> None:
    row = one(
        root(summary=summary(AccountMFAEnabled=0, AccountPasswordPresent=1)),
        "root-mfa",
    )
    assert row.status is Status.FAIL and "password alone" in row.detail
    assert row.evidence[0].excerpt == {"AccountMFAEnabled": 0, "AccountPasswordPresent": 1}


def test_without_mfa_and_password_unknown_still_fails() -> None:
    """moto's summary has no AccountPasswordPresent: no MFA is a FAIL, never a guess."""
    row = one(root(summary=summary(AccountMFAEnabled=0, AccountAccessKeysPresent=0)), "root-mfa")
    assert row.status is Status.FAIL and "AccountMFAEnabled 0" in row.detail


def test_removed_root_credentials_pass_only_under_central_management() -> None:
    managed = features("RootCredentialsManagement", "RootSessions")
    row = one(
        root(
            summary=summary(**NO_CREDENTIALS),
            features=ok(managed, "ListOrganizationsFeatures", "iam", "global"),
        ),
        "root-mfa",
    )
    assert row.status is Status.PASS
    assert "root credentials removed" in row.detail and "o-exampleorgid" in row.detail
    assert [e.operation for e in row.evidence] == [
        "iam:GetAccountSummary",
        "iam:ListOrganizationsFeatures",
    ]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (None, "centralised root access is not available"),
        (features("RootSessions"), "does not manage root credentials centrally"),
    ],
)
def test_no_credentials_without_central_management_fails(answer, words) -> None:
    row = one(
        root(
            summary=summary(**NO_CREDENTIALS),
            features=ok(answer, "ListOrganizationsFeatures", "iam", "global"),
        ),
        "root-mfa",
    )
    assert row.status is Status.FAIL
    assert words in row.detail and "recovered by email" in row.detail


def test_a_member_account_that_cannot_ask_is_error_naming_who_can() -> None:
    error = (
        "iam:ListOrganizationsFeatures in global failed: "
        "AccountNotManagementOrDelegatedAdministratorException: not the management account"
    )
    row = one(
        root(
            summary=summary(**NO_CREDENTIALS),
            features=failed(error, "ListOrganizationsFeatures", "iam", "global"),
        ),
        "root-mfa",
    )
    assert row.status is Status.ERROR
    assert "management account or IAM's delegated administrator" in row.detail


def test_mfa_falls_back_to_the_report_when_the_summary_is_unreadable() -> None:
    results = root(summary=denied("GetAccountSummary"), report=report(root_row(mfa_active=False)))
    row = one(results, "root-mfa")
    assert row.status is Status.FAIL and "credential report" in row.detail
    assert "Access denied" in row.detail
    nothing = one(root(summary=denied("GetAccountSummary")), "root-mfa")
    assert nothing.status is Status.ERROR


def test_recent_root_use_fails_and_names_what_was_used() -> None:
    row = one(
        root(report=report(root_row(key_1_last_used=NOW - timedelta(days=3)))), "root-not-used"
    )
    assert row.status is Status.FAIL
    assert "access key 1, 3 days ago" in row.detail


def test_root_never_used_passes() -> None:
    row = one(root(report=report(root_row())), "root-not-used")
    assert row.status is Status.PASS


def test_no_root_row_or_missing_column_is_error_never_unused() -> None:
    no_row = one(root(report=report()), "root-not-used")
    assert no_row.status is Status.ERROR and "<root_account>" in no_row.detail
    missing = one(root(report=report(root_row(missing=("password_last_used",)))), "root-not-used")
    assert missing.status is Status.ERROR and "password_last_used" in missing.detail
    unreadable = one(root(report=denied("GetCredentialReport")), "root-not-used")
    assert unreadable.status is Status.ERROR


# --- console-mfa -----------------------------------------------------------------------


def mfa(users):
    return console_mfa.check(inventory(region(), iam=iam_inventory(console_users=users)), SETTINGS)


def test_console_users_with_and_without_mfa() -> None:
    results = mfa([console_user("alice", mfa=1), console_user("bob"), console_user("svc", False)])
    assert statuses(results, "console-user-mfa") == {
        f"arn:aws:iam::{ACCOUNT}:user/alice": Status.PASS,
        f"arn:aws:iam::{ACCOUNT}:user/bob": Status.FAIL,
    }
    bob = one(results, "console-user-mfa", f"arn:aws:iam::{ACCOUNT}:user/bob")
    assert "console password and no MFA device" in bob.detail
    assert [e.operation for e in bob.evidence] == ["iam:GetLoginProfile", "iam:ListMFADevices"]


def test_no_console_user_is_not_applicable_with_the_reason() -> None:
    (row,) = mfa([console_user("ci", password=False)])
    assert row.status is Status.NOT_APPLICABLE and row.resource == ACCOUNT
    assert "1 IAM users, none with a password" in row.detail
    (empty,) = mfa([])
    assert empty.status is Status.NOT_APPLICABLE and "no IAM users" in empty.detail


def test_unreadable_profile_or_devices_is_error_for_that_user_only() -> None:
    results = mfa(
        [
            console_user("alice", profile=denied("GetLoginProfile")),
            console_user("bob", devices=denied("ListMFADevices")),
            console_user("carol", mfa=2),
        ]
    )
    by_user = {r.resource.rsplit("/", 1)[-1]: r.status for r in results}
    assert by_user == {"alice": Status.ERROR, "bob": Status.ERROR, "carol": Status.PASS}
    (listing,) = mfa(denied("ListUsers"))
    assert listing.status is Status.ERROR


def test_last_sign_in_comes_from_the_credential_report() -> None:
    from app.aws.inventory.model import CredentialReportRow

    row = CredentialReportRow(user="bob", arn="", password_last_used=NOW - timedelta(days=1))
    iam = iam_inventory(console_users=[console_user("bob")], report=report(row))
    (result,) = console_mfa.check(inventory(region(), iam=iam), SETTINGS)
    assert f"last console sign-in {(NOW - timedelta(days=1)).date()}" in result.detail


# --- password-policy -------------------------------------------------------------------


def pw(value=None, users=(), fetched=None):
    policy_fetch = fetched or ok(value, "GetAccountPasswordPolicy", "iam", "global")
    iam = iam_inventory(password_policy=policy_fetch, console_users=users)
    (row,) = password_policy.check(inventory(region(), iam=iam), SETTINGS)
    return row


def test_a_policy_meeting_the_minimum_passes() -> None:
    row = pw(policy(16, 24), [console_user("bob")])
    assert row.status is Status.PASS and "at least 16 characters" in row.detail
    assert row.resource == ACCOUNT


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "no password policy"),
        (policy(8, 24), "minimum length 8 (needs 14"),
        (policy(14, None), "reuse prevention off"),
        (policy(14, 5), "reuse prevention 5 (needs the last 24)"),
        (policy(None, 24), "minimum length not stated"),
    ],
)
def test_a_weak_policy_fails_where_users_have_passwords(value, words) -> None:
    row = pw(value, [console_user("bob"), console_user("svc", password=False)])
    assert row.status is Status.FAIL
    assert words in row.detail and "console password: bob" in row.detail


def test_a_weak_policy_without_console_users_is_not_applicable() -> None:
    row = pw(policy(8, None), [console_user("svc", password=False)])
    assert row.status is Status.NOT_APPLICABLE and "minimum length 8" in row.detail


def test_unreadable_policy_or_users_is_error() -> None:
    assert pw(fetched=denied("GetAccountPasswordPolicy")).status is Status.ERROR
    assert pw(None, denied("ListUsers")).status is Status.ERROR
    unknown = pw(None, [console_user("bob", profile=denied("GetLoginProfile"))])
    assert unknown.status is Status.ERROR and "bob" in unknown.detail
    # A policy meeting the minimum needs no user list.
    assert pw(policy(), denied("ListUsers")).status is Status.PASS
