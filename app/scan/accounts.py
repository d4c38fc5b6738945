"""Scan an organization's member accounts into one engagement, one `run_scan` each.

From the management account (or a delegated administrator), `organizations:ListAccounts`
names the accounts and `sts:AssumeRole` on the audit role gives a session in each
(`app.aws.organizations`). Each account is then scanned on its own, in order, through
`run_scan`, so its scan row and every result keep that account's id.

An account whose role cannot be assumed (or whose scan cannot start) still gets a scan
row, stored as "failed" with the reason: the engagement's history shows it was tried
and why it has no results, and a failed scan never counts towards a control's status,
so it can never look like a PASS. The other accounts go on. Suspended or closing
accounts are skipped when every account was asked for (they cannot be scanned and are
not in scope), and count as failures when asked for by id.

Each scanned account is put in the engagement's scope with how it was reached
(`{"kind": "org-role", "role": ..., "via": ...}`); never the external id, which the
client may treat as confidential.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import boto3
from sqlalchemy import func, select

from app.aws.caller import describe_failure
from app.aws.calls import ScanCancelled
from app.aws.clients import SessionFactory
from app.aws.identity import Identity, ScanUnavailable, whoami
from app.aws.login_errors import SignInCancelled, SignInError
from app.aws.organizations import (
    MemberAccount,
    audit_role_arn,
    list_member_accounts,
    sessions_for_members,
)
from app.scan.runner import (
    ALL_CONTROLS,
    Progress,
    ResultsCallback,
    ScanOutcome,
    check_region_names,
    default_actor,
    run_scan,
)
from app.store import accounts as account_store
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import Database
from app.store.errors import StoreError
from app.store.models import Scan

log = logging.getLogger(__name__)

DEFAULT_ROLE = "AuditBinderReadOnly"
SIGN_IN_KIND = "org-role"

# `on_account(index, total, account)`: called as each account's turn starts (1-based).
AccountCallback = Callable[[int, int, MemberAccount], None]
# `on_scanned(member)`: called as each account's turn ends, whatever came of it.
ScannedCallback = Callable[["MemberScan"], None]


@dataclass(frozen=True)
class MemberScan:
    """One account's outcome: a finished scan, a stored failure, or a skip."""

    account: MemberAccount
    role_arn: str
    outcome: ScanOutcome | None = None
    error: str = ""
    scan_id: int | None = None  # the stored scan, failed ones included
    skipped: bool = False  # not active and not asked for by id: nothing stored

    @property
    def scanned(self) -> bool:
        return self.outcome is not None

    @property
    def failed(self) -> bool:
        return self.outcome is None and not self.skipped


@dataclass(frozen=True)
class MembersSummary:
    """What `scan_members` did, account by account, in the order they were scanned."""

    engagement: str
    engagement_id: int
    caller: Identity
    role: str
    members: tuple[MemberScan, ...] = field(default_factory=tuple)

    @property
    def scanned(self) -> tuple[MemberScan, ...]:
        return tuple(m for m in self.members if m.scanned)

    @property
    def failed(self) -> tuple[MemberScan, ...]:
        return tuple(m for m in self.members if m.failed)

    @property
    def skipped(self) -> tuple[MemberScan, ...]:
        return tuple(m for m in self.members if m.skipped)


def organization_accounts(session: boto3.Session) -> list[MemberAccount]:
    """The organization's accounts; `ScanUnavailable` with the reason otherwise."""
    try:
        return list_member_accounts(session)
    except SignInError as exc:
        raise ScanUnavailable(str(exc)) from exc


def choose_accounts(
    accounts: Sequence[MemberAccount], account_ids: Collection[str] | None
) -> tuple[list[MemberAccount], bool]:
    """The accounts to scan and whether they were named; unknown ids are refused up
    front (a typo must not cost a long scan of the others first)."""
    if not account_ids:
        return list(accounts), False
    wanted = {account_id.strip() for account_id in account_ids if account_id.strip()}
    known = {account.account_id for account in accounts}
    unknown = sorted(wanted - known)
    if unknown:
        raise ScanUnavailable(
            f"Not in the organization: {', '.join(unknown)}. Its accounts: "
            f"{', '.join(sorted(known)) or 'none'}."
        )
    return [account for account in accounts if account.account_id in wanted], True


def _engagement_id(
    db: Database, engagement: str | int | None, caller: Identity, actor: str
) -> tuple[int, str]:
    """By id, or by name (created if missing); by default named after the signed-in
    (management or delegated administrator) account."""
    with db.session() as session:
        if isinstance(engagement, int):
            row = engagement_store.get_engagement(session, engagement)
            return row.id, row.name
        name = engagement or caller.account_id
        found = engagement_store.find_engagement(session, name)
        if found is None:
            found = engagement_store.create_engagement(session, name, actor=actor)
        return found.id, found.name


def _in_scope(
    db: Database, engagement_id: int, account: MemberAccount, sign_in: dict[str, str], actor: str
) -> None:
    """Add the account to the engagement, or refresh how it is reached if that was an
    earlier org-role scan's; accounts set up another way are left as they are."""
    with db.session() as session:
        row = engagement_store.get_engagement(session, engagement_id)
        existing = account_store.find_account(session, row, account.account_id)
        if existing is None:
            account_store.add_account(
                session, row, account.account_id, actor=actor, alias=account.name, sign_in=sign_in
            )
        elif existing.sign_in.get("kind") == SIGN_IN_KIND and existing.sign_in != sign_in:
            account_store.update_account(session, existing, actor=actor, sign_in=sign_in)


def _last_scan_id(db: Database, engagement_id: int, account_id: str) -> int:
    with db.session() as session:
        found = session.scalar(
            select(func.max(Scan.id)).where(
                Scan.engagement_id == engagement_id, Scan.account_id == account_id
            )
        )
        return int(found or 0)


def _store_failure(
    db: Database,
    engagement_id: int,
    account_id: str,
    caller: Identity,
    reason: str,
    controls: tuple[str, ...],
    actor: str,
) -> int:
    """A failed scan row for an account that could not be scanned at all."""
    with db.session() as session:
        row = engagement_store.get_engagement(session, engagement_id)
        scan = scan_store.start_scan(
            session,
            row,
            account_id=account_id,
            actor=actor,
            caller_arn=caller.caller_arn,
            controls=[] if controls == ALL_CONTROLS else controls,
        )
        scan_store.finish_scan(session, scan, scan_store.FAILED, actor=actor, error=reason)
        return scan.id


def scan_members(
    base_session_factory: SessionFactory,
    db: Database,
    engagement: str | int | None = None,
    *,
    role: str = DEFAULT_ROLE,
    account_ids: Collection[str] | None = None,
    external_id: str | None = None,
    controls: Collection[str] | None = None,
    regions: Sequence[str] | Literal["all"] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    on_results: ResultsCallback | None = None,
    on_account: AccountCallback | None = None,
    on_scanned: ScannedCallback | None = None,
    accounts: Sequence[MemberAccount] | None = None,
    actor: str | None = None,
    profile: str | None = None,
) -> MembersSummary:
    """Scan each member account (all, or `account_ids`) through `role` into `engagement`.

    `accounts`: the organization's accounts when the caller already listed them (the
    GUI's picker); otherwise they are listed here. Raises `UnknownRegions` for a region
    name the signed-in account does not know (before anything is stored),
    `ScanUnavailable` when nothing can be scanned (not signed in, not in an
    organization, unknown ids) and `ScanCancelled` (`ScanInterrupted` once an account's
    scan had started) when cancelled: earlier accounts' scans stay stored, the one
    running is stored as incomplete with the controls already checked. `on_scanned`
    gets each account's `MemberScan` as soon as it is done. `progress` gets each
    account's own scan steps, the message prefixed with the account; `on_results` gets
    rows carrying their account id. `profile` only names the base profile in error messages.
    """
    actor = actor or default_actor()
    try:
        audit_role_arn("000000000000", role)
    except ValueError as exc:
        raise ScanUnavailable(f"{exc}: give the audit role's name, like {DEFAULT_ROLE}.") from exc
    unknown = sorted(set(controls or ()) - set(ALL_CONTROLS))
    if unknown:  # refused once here, not once per account
        raise ScanUnavailable(
            f"Unknown control(s): {', '.join(unknown)}. Known: {', '.join(ALL_CONTROLS)}."
        )
    try:
        base = base_session_factory()
        caller = whoami(base, profile)
    except SignInError as exc:
        raise ScanUnavailable(str(exc)) from exc
    except Exception as exc:  # botocore's own: an unknown profile, a broken config...
        raise ScanUnavailable(describe_failure(exc, profile)) from exc
    check_region_names(lambda: base, db, engagement, caller, regions)
    listed = list(accounts) if accounts is not None else organization_accounts(base)
    chosen, named = choose_accounts(listed, account_ids)
    if not chosen:
        raise ScanUnavailable("The organization lists no accounts to scan.")
    wanted_controls = tuple(c for c in ALL_CONTROLS if not controls or c in controls)
    engagement_id, engagement_name = _engagement_id(db, engagement, caller, actor)
    sign_in = {"kind": SIGN_IN_KIND, "role": role, "via": caller.account_id}
    done: list[MemberScan] = []
    for index, account in enumerate(chosen, start=1):
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if on_account is not None:
            on_account(index, len(chosen), account)
        member = _scan_one(
            base,
            db,
            engagement_id,
            account,
            named=named,
            caller=caller,
            role=role,
            sign_in=sign_in,
            external_id=external_id,
            controls=controls,
            wanted_controls=wanted_controls,
            regions=regions,
            progress=progress,
            cancel=cancel,
            on_results=on_results,
            actor=actor,
        )
        done.append(member)
        if on_scanned is not None:
            on_scanned(member)
    return MembersSummary(engagement_name, engagement_id, caller, role, tuple(done))


def _scan_one(
    base: boto3.Session,
    db: Database,
    engagement_id: int,
    account: MemberAccount,
    *,
    named: bool,
    caller: Identity,
    role: str,
    sign_in: dict[str, str],
    external_id: str | None,
    controls: Collection[str] | None,
    wanted_controls: tuple[str, ...],
    regions: Sequence[str] | Literal["all"] | None,
    progress: Progress | None,
    cancel: threading.Event | None,
    on_results: ResultsCallback | None,
    actor: str,
) -> MemberScan:
    try:
        (member,) = sessions_for_members(base, [account], role, external_id=external_id)
    except SignInCancelled as exc:
        raise ScanCancelled() from exc
    except SignInError as exc:  # the caller's own credentials failed meanwhile
        raise ScanUnavailable(str(exc)) from exc
    if member.session is None and not account.active and not named:
        return MemberScan(account, member.role_arn, error=member.error or "", skipped=True)
    _in_scope(db, engagement_id, account, sign_in, actor)
    if member.session is None:
        reason = member.error or f"could not assume {member.role_arn}"
        scan_id = _store_failure(
            db, engagement_id, account.account_id, caller, reason, wanted_controls, actor
        )
        return MemberScan(account, member.role_arn, error=reason, scan_id=scan_id)
    session = member.session
    label = f"{account.name or account.account_id} ({account.account_id})"

    def prefixed(done: int, total: int, message: str) -> None:
        if progress is not None:
            progress(done, total, f"{label}: {message}")

    before = _last_scan_id(db, engagement_id, account.account_id)
    try:
        outcome = run_scan(
            lambda: session,
            db,
            engagement_id,
            controls=controls,
            regions=regions,
            progress=prefixed,
            cancel=cancel,
            actor=actor,
            on_results=on_results,
        )
    except (ScanCancelled, KeyboardInterrupt, StoreError):
        raise
    except Exception as exc:  # ScanUnavailable, or a bug: this account only
        reason = str(exc) if isinstance(exc, ScanUnavailable) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, ScanUnavailable):
            log.exception("scan of member account %s failed", account.account_id)
        scan_id = _last_scan_id(db, engagement_id, account.account_id)
        if scan_id <= before:  # it failed before storing anything: store the failure
            scan_id = _store_failure(
                db, engagement_id, account.account_id, caller, reason, wanted_controls, actor
            )
        return MemberScan(account, member.role_arn, error=reason, scan_id=scan_id)
    return MemberScan(account, member.role_arn, outcome=outcome, scan_id=outcome.scan_id)
