import json
from urllib.parse import quote

import pytest

from app.aws.inventory.model import InlinePolicy
from app.controls.checks import least_privilege
from app.controls.checks.policy_documents import PolicyDocumentError, unbounded_statements
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    ADMIN,
    EVERYTHING,
    READ_S3,
    SETTINGS,
    attach,
    failed,
    group,
    iam_inventory,
    inventory,
    managed_policy,
    one,
    region,
    role,
    statuses,
    user,
)


def run(iam):
    return least_privilege.check(inventory(region(), iam=iam), SETTINGS)


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:*", "*:*"], "Resource": ["*"]},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret"},
    ],
)
def test_unbounded_statements_found(statement) -> None:
    assert unbounded_statements({"Statement": statement})
    assert unbounded_statements({"Statement": [statement]})


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"},
    ],
)
def test_bounded_statements_not_found(statement) -> None:
    assert unbounded_statements({"Statement": statement}) == []


def test_url_encoded_and_json_string_documents() -> None:
    text = json.dumps(EVERYTHING)
    assert unbounded_statements(text)
    assert unbounded_statements(quote(text))
    with pytest.raises(PolicyDocumentError):
        unbounded_statements("%7Bnot json")


def test_condition_is_named_not_excused() -> None:
    doc = {
        "Statement": {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    }
    assert "Condition" in unbounded_statements(doc)[0]


def test_customer_policies_judged_aws_policies_skipped() -> None:
    iam = iam_inventory(
        policies=[
            managed_policy("god", EVERYTHING),
            managed_policy("reader", READ_S3),
            managed_policy("AdministratorAccess", EVERYTHING, aws=True),
        ]
    )
    assert statuses(run(iam), "iam-policy-unbounded") == {
        f"arn:aws:iam::{ACCOUNT}:policy/god": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT}:policy/reader": Status.PASS,
    }


def test_inline_policies_of_every_principal_kind() -> None:
    bad = InlinePolicy(name="all", document=quote(json.dumps(EVERYTHING)))
    good = InlinePolicy(name="read", document=READ_S3)
    iam = iam_inventory(
        users=[user("alice", inline=[bad])],
        groups=[group("devs", inline=[good])],
        roles=[role("ci", inline=[bad])],
    )
    results = run(iam)
    assert statuses(results, "iam-policy-unbounded") == {
        f"arn:aws:iam::{ACCOUNT}:user/alice#inline-policy/all": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT}:group/devs#inline-policy/read": Status.PASS,
        f"arn:aws:iam::{ACCOUNT}:role/ci#inline-policy/all": Status.FAIL,
    }
    row = one(results, "iam-policy-unbounded", f"arn:aws:iam::{ACCOUNT}:role/ci#inline-policy/all")
    assert "role ci" in row.detail


def test_unreadable_document_is_error() -> None:
    iam = iam_inventory(policies=[managed_policy("broken", "{nope"), managed_policy("none", None)])
    assert set(statuses(run(iam), "iam-policy-unbounded").values()) == {Status.ERROR}


def test_principals_with_admin_named_with_policy() -> None:
    god = managed_policy("god", EVERYTHING)
    reader = managed_policy("reader", READ_S3)
    iam = iam_inventory(
        users=[user("alice", attached=[ADMIN]), user("bob", attached=[attach(reader)])],
        roles=[role("cdk-exec", attached=[attach(god)])],
        policies=[god, reader],
    )
    results = run(iam)
    assert statuses(results, "iam-principal-admin") == {
        f"arn:aws:iam::{ACCOUNT}:user/alice": Status.FAIL,
        f"arn:aws:iam::{ACCOUNT}:user/bob": Status.PASS,
        f"arn:aws:iam::{ACCOUNT}:role/cdk-exec": Status.FAIL,
    }
    alice = one(results, "iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert "AdministratorAccess" in alice.detail and "user alice" in alice.detail
    cdk = one(results, "iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:role/cdk-exec")
    assert "god" in cdk.detail


def test_user_inherits_admin_from_group() -> None:
    iam = iam_inventory(users=[user("carol", groups=["admins"])], groups=[group("admins", [ADMIN])])
    results = run(iam)
    carol = one(results, "iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:user/carol")
    assert carol.status is Status.FAIL and "via group admins" in carol.detail
    assert one(results, "iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:group/admins").status is (
        Status.FAIL
    )


def test_power_user_style_not_action_fails_principal() -> None:
    power = managed_policy(
        "PowerUserAccess",
        {
            "Statement": {
                "Effect": "Allow",
                "NotAction": ["iam:*", "organizations:*"],
                "Resource": "*",
            }
        },
        aws=True,
    )
    iam = iam_inventory(roles=[role("dev", attached=[attach(power)])], policies=[power])
    row = one(run(iam), "iam-principal-admin")
    assert row.status is Status.FAIL and "NotAction" in row.detail


def test_attached_policy_without_document_is_error_not_pass() -> None:
    missing = managed_policy("ReadOnlyAccess", None, aws=True)
    iam = iam_inventory(roles=[role("auditor", attached=[attach(missing)])])
    row = one(run(iam), "iam-principal-admin")
    assert row.status is Status.ERROR and "ReadOnlyAccess" in row.detail


def test_service_linked_role_noted() -> None:
    iam = iam_inventory(roles=[role("AWSServiceRoleForSupport", path="/aws-service-role/")])
    row = one(run(iam), "iam-principal-admin")
    assert row.status is Status.PASS and "service-linked" in row.detail


def test_authorization_error_gives_error_rows_for_both_checks() -> None:
    results = run(iam_inventory(authorization=failed("AccessDenied", service="iam")))
    assert one(results, "iam-policy-unbounded").status is Status.ERROR
    assert one(results, "iam-principal-admin").status is Status.ERROR


def test_empty_account_not_applicable() -> None:
    results = run(iam_inventory())
    assert one(results, "iam-policy-unbounded").status is Status.NOT_APPLICABLE
    assert one(results, "iam-principal-admin").status is Status.NOT_APPLICABLE


def test_empty_account_row_names_the_account() -> None:
    row = one(run(iam_inventory()), "iam-principal-admin")
    assert row.resource == ACCOUNT and row.region == "global"
    assert "in the account" in row.detail


def test_user_row_names_own_and_group_grants() -> None:
    iam = iam_inventory(
        users=[user("dave", attached=[ADMIN], groups=["admins"])],
        groups=[group("admins", [ADMIN])],
    )
    row = one(run(iam), "iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:user/dave")
    assert row.detail.count("AdministratorAccess (") == 2
    assert "via group admins" in row.detail
