"""Member accounts against moto: list the organization, assume the audit role in each.

Few accounts on purpose: each moto account carries its own backends, and the shared
server's reset between tests grows slower with every account created.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from app.aws.identity import whoami
from app.aws.login_errors import AccessDeniedError, SignInCancelled, SignInError
from app.aws.organizations import (
    NotInOrganization,
    assume_audit_role,
    audit_role_arn,
    list_member_accounts,
    sessions_for_members,
)


@pytest.mark.slow
def test_lists_members_and_assumes_the_audit_role_in_each(aws: str) -> None:
    client = boto3.client("organizations")
    client.create_organization(FeatureSet="ALL")
    ids = {
        name: client.create_account(AccountName=name, Email=f"{name}@example.test")[
            "CreateAccountStatus"
        ]["AccountId"]
        for name in ("staging", "prod")
    }

    accounts = list_member_accounts(boto3.Session())

    by_id = {a.account_id: a for a in accounts}
    assert set(by_id) == {*ids.values(), "123456789012"}  # the management account too
    assert (by_id[ids["prod"]].name, by_id[ids["prod"]].email) == ("prod", "prod@example.test")
    assert all(a.active for a in accounts)
    assert [a.name.lower() for a in accounts] == sorted(a.name.lower() for a in accounts)

    members = [a for a in accounts if a.account_id in ids.values()]
    progress: list[tuple[int, int, str]] = []
    results = sessions_for_members(
        boto3.Session(),
        members,
        "AuditBinderReadOnly",
        external_id="client-external-id",
        on_progress=lambda i, n, a: progress.append((i, n, a.name)),
    )
    assert [r.error for r in results] == [None, None]
    assert progress == [(1, 2, "prod"), (2, 2, "staging")]
    for result in results:
        assert result.session is not None
        identity = whoami(result.session)
        assert identity.account_id == result.account.account_id
        assert identity.caller_arn.endswith("/AuditBinderReadOnly/audit-binder")
        assert result.role_arn == audit_role_arn(result.account.account_id, "AuditBinderReadOnly")

    cancel = threading.Event()
    with pytest.raises(SignInCancelled):
        sessions_for_members(
            boto3.Session(),
            members,
            "Audit",
            cancel=cancel,
            on_progress=lambda i, n, a: cancel.set(),
        )


def test_single_account_assume_role_renews_itself(aws: str) -> None:
    session = assume_audit_role(boto3.Session(), "123456789012", "Audit", external_id="ext-1")
    assert session.get_credentials().method == "assume-role"  # type: ignore[union-attr]
    assert whoami(session).caller_arn.endswith(":assumed-role/Audit/audit-binder")


def test_bad_role_settings_are_typed_errors(aws: str) -> None:
    with pytest.raises(SignInError, match="ExternalId"):
        assume_audit_role(boto3.Session(), "123456789012", "Audit", external_id="x")


def _answering(code: str) -> boto3.Session:
    """A session whose ListAccounts gets AWS's error answer (moto returns an empty list
    outside an organization, where AWS answers AWSOrganizationsNotInUseException)."""
    session = boto3.Session()

    def answer(**kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://organizations", 400, HTTPHeaders(), None), {
            "Error": {"Code": code, "Message": f"{code} (test)"}
        }

    events: Any = session.events  # its stub expects handlers returning None
    events.register("before-call.organizations.ListAccounts", answer)
    return session


def test_outside_an_organization_says_so(aws: str) -> None:
    with pytest.raises(NotInOrganization, match="not part of an AWS Organization"):
        list_member_accounts(_answering("AWSOrganizationsNotInUseException"))


def test_a_member_account_is_told_where_to_sign_in(aws: str) -> None:
    with pytest.raises(AccessDeniedError, match="management account or a delegated"):
        list_member_accounts(_answering("AccessDeniedException"))


def test_role_names_are_checked() -> None:
    assert audit_role_arn("111111111111", "audit/ReadOnly", "aws-us-gov") == (
        "arn:aws-us-gov:iam::111111111111:role/audit/ReadOnly"
    )
    with pytest.raises(ValueError):
        audit_role_arn("111111111111", "bad role name")
