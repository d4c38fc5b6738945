"""AWS accounts in an engagement's scope and how to sign in to them. Never secrets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.errors import InvalidInput, NotFound
from app.store.models import Account, Engagement
from app.store.unset import UNSET, Unset

_ACCOUNT_ID = re.compile(r"\d{12}")
# Keys that would mean a secret is about to be written to the DB: secrets go to the
# OS keyring and `sign_in` only holds a reference to them.
_SECRET_WORDS = ("secret", "password", "token", "access_key", "private")


def _check_sign_in(sign_in: Mapping[str, Any]) -> dict[str, Any]:
    for key in sign_in:
        lowered = key.lower()
        if lowered != "secret_ref" and any(word in lowered for word in _SECRET_WORDS):
            raise InvalidInput(
                f"Sign-in details must not contain secrets ('{key}'); keep them in the "
                "system keyring and store only a reference."
            )
    return dict(sign_in)


def add_account(
    session: Session,
    engagement: Engagement,
    account_id: str,
    *,
    actor: str,
    alias: str = "",
    sign_in: Mapping[str, Any] | None = None,
) -> Account:
    """Put an account in scope; `InvalidInput` if the id is not 12 digits or already in."""
    account_id = account_id.strip()
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise InvalidInput(f"'{account_id}' is not an AWS account id (12 digits).")
    if find_account(session, engagement, account_id) is not None:
        raise InvalidInput(f"Account {account_id} is already in '{engagement.name}'.")
    account = Account(
        engagement_id=engagement.id,
        account_id=account_id,
        alias=alias.strip(),
        sign_in=_check_sign_in(sign_in or {}),
    )
    session.add(account)
    session.flush()
    record(
        session,
        actor=actor,
        action="account.add",
        target=account_id,
        engagement=engagement,
        detail={"alias": account.alias, "sign_in": account.sign_in},
    )
    return account


def find_account(session: Session, engagement: Engagement, account_id: str) -> Account | None:
    return session.scalar(
        select(Account).where(
            Account.engagement_id == engagement.id, Account.account_id == account_id
        )
    )


def get_account(session: Session, engagement: Engagement, account_id: str) -> Account:
    account = find_account(session, engagement, account_id)
    if account is None:
        raise NotFound(f"Account {account_id} is not in '{engagement.name}'.")
    return account


def list_accounts(session: Session, engagement: Engagement) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .where(Account.engagement_id == engagement.id)
            .order_by(Account.account_id)
        )
    )


def update_account(
    session: Session,
    account: Account,
    *,
    actor: str,
    alias: str | Unset = UNSET,
    sign_in: Mapping[str, Any] | Unset = UNSET,
) -> Account:
    detail: dict[str, Any] = {}
    if alias is not UNSET:
        account.alias = alias.strip()
        detail["alias"] = account.alias
    if sign_in is not UNSET:
        account.sign_in = _check_sign_in(sign_in)
        detail["sign_in"] = account.sign_in
    session.flush()
    record(
        session,
        actor=actor,
        action="account.update",
        target=account.account_id,
        engagement=account.engagement,
        detail=detail,
    )
    return account


def remove_account(session: Session, account: Account, *, actor: str) -> None:
    """Take it out of scope; its scans stay (scans are append-only evidence)."""
    record(
        session,
        actor=actor,
        action="account.remove",
        target=account.account_id,
        engagement=account.engagement,
    )
    session.delete(account)
    session.flush()
