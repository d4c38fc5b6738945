"""`audit-binder policy --org-role ROLE`: the management account's policy for
`scan --org-role ROLE`, generated from the same lists the guards enforce."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from app.aws.organizations import list_member_accounts
from app.aws.readonly import MutationRefused, iam_action, policy_document
from app.cli import main
from tests.scan.helpers import make_organization


def _policy(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["policy", *argv]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def _granted(document: dict[str, Any]) -> dict[str, set[str]]:
    """IAM action -> the resources a statement grants it on."""
    granted: dict[str, set[str]] = {}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            granted.setdefault(action, set()).add(statement["Resource"])
    return granted


def test_the_org_policy_is_the_scan_policy_plus_list_accounts_and_assume_role(
    capsys: pytest.CaptureFixture[str],
) -> None:
    scan = _granted(_policy(capsys))
    org = _granted(_policy(capsys, "--org-role", "AuditBinderReadOnly"))

    assert set(org) - set(scan) == {"organizations:ListAccounts", "sts:AssumeRole"}
    assert all(org[action] == {"*"} for action in scan)
    assert org["organizations:ListAccounts"] == {"*"}
    # AssumeRole on the audit role only, in any account; nothing else on "*".
    assert org["sts:AssumeRole"] == {"arn:aws:iam::*:role/AuditBinderReadOnly"}


def test_a_role_path_is_kept_and_a_bad_role_name_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    org = _granted(_policy(capsys, "--org-role", "audit/AuditBinderReadOnly"))
    assert org["sts:AssumeRole"] == {"arn:aws:iam::*:role/audit/AuditBinderReadOnly"}

    assert main(["policy", "--org-role", "not a role!"]) == 2
    assert "is not an IAM role name" in capsys.readouterr().err


def test_actions_lists_every_action_of_the_chosen_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["policy", "--org-role", "Audit", "--actions"]) == 0
    listed = capsys.readouterr().out.split()
    assert set(listed) == set(_granted(policy_document("arn:aws:iam::*:role/Audit")))
    assert "sts:AssumeRole" in listed and "organizations:ListAccounts" in listed


def test_the_organization_listing_client_may_send_nothing_else(aws: str) -> None:
    make_organization()
    sent: list[str] = []
    real = BaseClient._make_api_call

    def record(self: Any, operation: str, params: Any) -> Any:
        sent.append(operation)
        client: Any = self
        if operation == "ListAccounts":
            with pytest.raises(MutationRefused):
                client.describe_organization()
        return real(self, operation, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseClient, "_make_api_call", record)
        accounts = list_member_accounts(boto3.Session())

    assert len(accounts) == 3  # the management account and two members
    assert "ListAccounts" in sent


@pytest.mark.slow
def test_an_org_scan_sends_only_what_the_org_policy_grants(
    aws: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = make_organization()
    sent: set[tuple[str, str]] = set()
    real = BaseClient._make_api_call

    def record(self: Any, operation: str, params: Any) -> Any:
        sent.add((self.meta.service_model.service_name, operation))
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    code = main(
        [
            *("scan", "--org-role", "AuditBinderReadOnly", "--accounts", ids["staging"]),
            *("--regions", "us-east-1", "--db", str(tmp_path / "db.sqlite3")),
        ]
    )
    monkeypatch.undo()

    assert code == 0, capsys.readouterr().err
    granted = _granted(_policy(capsys, "--org-role", "AuditBinderReadOnly"))
    needed = {iam_action(service, operation) for service, operation in sent}
    assert needed - set(granted) == {"sts:GetCallerIdentity"}  # needs no permission
    assert {"organizations:ListAccounts", "sts:AssumeRole"} <= needed
