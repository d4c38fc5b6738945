"""Member accounts: list an organization's accounts and assume an audit role in each.

From the management account (or a delegated administrator), `organizations:
ListAccounts` gives every account; `sts:AssumeRole` on the chosen audit role (with the
client's external id, when there is one) gives one boto3 session per account. The
engine then scans each account on its own; results keep their account id. An
account whose role cannot be assumed is reported with the reason, never dropped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import boto3
import botocore.exceptions

from app.aws.clients import scan_config
from app.aws.identity import whoami
from app.aws.login import assume_role_session, translate_error
from app.aws.login_errors import AccessDeniedError, SignInCancelled, SignInError
from app.aws.readonly import ORGANIZATION_ALLOWED, guard_client

_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,512}$")
DEFAULT_SESSION_NAME = "audit-binder"


@dataclass(frozen=True)
class MemberAccount:
    account_id: str
    name: str
    email: str
    status: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE...
    arn: str

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


@dataclass(frozen=True)
class MemberSession:
    """One account's outcome: a session to scan with, or why there is none."""

    account: MemberAccount
    role_arn: str
    session: boto3.Session | None = None
    error: str | None = None


class NotInOrganization(SignInError):
    pass


def list_member_accounts(session: boto3.Session) -> list[MemberAccount]:
    """Every account of the organization (all pages), sorted by name."""
    try:
        client = guard_client(
            session.client("organizations", config=scan_config()), ORGANIZATION_ALLOWED
        )
        pages = client.get_paginator("list_accounts").paginate()
        raw = [account for page in pages for account in page.get("Accounts", [])]
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "AWSOrganizationsNotInUseException":
            raise NotInOrganization(
                "This account is not part of an AWS Organization: scan it on its own."
            ) from exc
        if code in ("AccessDeniedException", "AccessDenied"):
            raise AccessDeniedError(
                "This identity may not list the organization's accounts: sign in to the "
                "management account or a delegated administrator account "
                "(it needs organizations:ListAccounts)."
            ) from exc
        raise _translated(exc, session) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise _translated(exc, session) from exc
    accounts = [
        MemberAccount(
            account_id=str(a["Id"]),
            name=str(a.get("Name", "")),
            email=str(a.get("Email", "")),
            status=str(a.get("Status", "")),
            arn=str(a.get("Arn", "")),
        )
        for a in raw
    ]
    return sorted(accounts, key=lambda a: (a.name.lower(), a.account_id))


def _translated(exc: Exception, session: boto3.Session) -> SignInError:
    profile = session.profile_name if isinstance(session.profile_name, str) else None
    return translate_error(exc, profile) or SignInError(
        f"Could not list the organization's accounts: {exc}"
    )


def audit_role_arn(account_id: str, role_name: str, partition: str = "aws") -> str:
    """`arn:<partition>:iam::<account>:role/<name>`; a path in the name is kept."""
    if not _ROLE_NAME.match(role_name):
        raise ValueError(f"{role_name!r} is not an IAM role name")
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def assume_audit_role(
    source: boto3.Session,
    account_id: str,
    role_name: str,
    *,
    external_id: str | None = None,
    partition: str | None = None,
    session_name: str = DEFAULT_SESSION_NAME,
) -> boto3.Session:
    """A (self-renewing) session on the audit role in one account; typed errors."""
    partition = partition or whoami(source).partition
    role_arn = audit_role_arn(account_id, role_name, partition)
    return assume_role_session(source, role_arn, external_id=external_id, session_name=session_name)


def sessions_for_members(
    source: boto3.Session,
    accounts: Sequence[MemberAccount],
    role_name: str,
    *,
    external_id: str | None = None,
    session_name: str = DEFAULT_SESSION_NAME,
    on_progress: Callable[[int, int, MemberAccount], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[MemberSession]:
    """Assume the audit role in each account, in order; each failure is kept with its reason.

    Suspended or closing accounts are listed with an error rather than tried.
    """
    partition = whoami(source).partition
    results: list[MemberSession] = []
    for index, account in enumerate(accounts, start=1):
        if cancel is not None and cancel.is_set():
            raise SignInCancelled()
        role_arn = audit_role_arn(account.account_id, role_name, partition)
        if not account.active:
            results.append(
                MemberSession(account, role_arn, error=f"account is {account.status.lower()}")
            )
        else:
            results.append(_one(source, account, role_arn, external_id, session_name))
        if on_progress is not None:
            on_progress(index, len(accounts), account)
    return results


def _one(
    source: boto3.Session,
    account: MemberAccount,
    role_arn: str,
    external_id: str | None,
    session_name: str,
) -> MemberSession:
    try:
        session = assume_role_session(
            source, role_arn, external_id=external_id, session_name=session_name
        )
    except SignInError as exc:
        return MemberSession(account, role_arn, error=_reason(exc, role_arn))
    return MemberSession(account, role_arn, session=session)


def _reason(exc: SignInError, role_arn: str) -> str:
    if isinstance(exc, AccessDeniedError):
        return (
            f"could not assume {role_arn}: access denied (does the role exist, trust this "
            "account, and expect this external id?)"
        )
    return f"could not assume {role_arn}: {exc}"
