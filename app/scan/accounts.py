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
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

import boto3
from sqlalchemy import func, select

from app.aws.caller import describe_failure
from app.aws.calls import ScanCancelled
from app.aws.identity import Identity, ScanUnavailable, whoami
from app.aws.login_errors import SignInCancelled, SignInError
from app.aws.organizations import (
    MemberAccount,
    audit_role_arn,
    list_member_accounts,
    sessions_for_members,
)
from app.scan.request import DEFAULT_ROLE, OrgScope, ScanRequest, ScanWatch
from app.scan.runner import ScanOutcome, run_scan
from app.scan.start import (
    check_region_names,
    chosen_controls,
    default_actor,
    engagement_for,
    store_failed_scan,
)
from app.store import accounts as account_store
from app.store import engagements as engagement_store
from app.store.database import Database
from app.store.errors import StoreError
from app.store.models import Scan

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_ROLE", "MemberScan", "MembersSummary", "scan_members"]

SIGN_IN_KIND = "org-role"


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


@dataclass(frozen=True)
class _Turn:
    """What every member account's scan shares: the request and where it goes."""

    request: ScanRequest
    org: OrgScope
    watch: ScanWatch
    db: Database
    base: boto3.Session
    caller: Identity
    engagement_id: int
    named: bool
    controls: tuple[str, ...]
    actor: str

    @property
    def sign_in(self) -> dict[str, str]:
        return {"kind": SIGN_IN_KIND, "role": self.org.role, "via": self.caller.account_id}

    def store_failure(self, account: MemberAccount, reason: str) -> int:
        return store_failed_scan(
            self.db,
            self.engagement_id,
            account.account_id,
            self.caller,
            reason,
            self.controls,
            self.actor,
        )


def _caller(request: ScanRequest) -> tuple[boto3.Session, Identity]:
    try:
        base = request.sessions()
        return base, whoami(base, request.profile)
    except SignInError as exc:
        raise ScanUnavailable(str(exc)) from exc
    except Exception as exc:  # botocore's own: an unknown profile, a broken config...
        raise ScanUnavailable(describe_failure(exc, request.profile)) from exc


def scan_members(
    request: ScanRequest, db: Database, watch: ScanWatch | None = None
) -> MembersSummary:
    """Scan each member account (all, or `request.org.account_ids`) through the audit role
    into the engagement.

    `request.org.accounts`: the organization's accounts when the caller already listed
    them (the GUI's picker); otherwise they are listed here. Raises `UnknownRegions` for
    a region name the signed-in account does not know (before anything is stored),
    `ScanUnavailable` when nothing can be scanned (not signed in, not in an
    organization, unknown ids) and `ScanCancelled` (`ScanInterrupted` once an account's
    scan had started) when cancelled: earlier accounts' scans stay stored, the one
    running is stored as incomplete with the controls already checked.
    `watch.on_scanned` gets each account's `MemberScan` as soon as it is done;
    `watch.progress` gets each account's own scan steps, the message prefixed with the
    account; `watch.on_results` gets rows carrying their account id.
    """
    org = request.org or OrgScope()
    watch = watch or ScanWatch()
    actor = request.actor or default_actor()
    try:
        audit_role_arn("000000000000", org.role)
    except ValueError as exc:
        raise ScanUnavailable(f"{exc}: give the audit role's name, like {DEFAULT_ROLE}.") from exc
    controls = chosen_controls(request.controls)  # refused once here, not once per account
    base, caller = _caller(request)
    check_region_names(lambda: base, db, request.engagement, caller, request.regions)
    listed = list(org.accounts) if org.accounts is not None else organization_accounts(base)
    chosen, named = choose_accounts(listed, org.account_ids)
    if not chosen:
        raise ScanUnavailable("The organization lists no accounts to scan.")
    engagement_id, engagement_name = engagement_for(db, request.engagement, caller, actor)
    turn = _Turn(request, org, watch, db, base, caller, engagement_id, named, controls, actor)
    done: list[MemberScan] = []
    for index, account in enumerate(chosen, start=1):
        if watch.cancel.is_set():
            raise ScanCancelled()
        if watch.on_account is not None:
            watch.on_account(index, len(chosen), account)
        member = _scan_one(turn, account)
        done.append(member)
        if watch.on_scanned is not None:
            watch.on_scanned(member)
    return MembersSummary(engagement_name, engagement_id, caller, org.role, tuple(done))


def _scan_one(turn: _Turn, account: MemberAccount) -> MemberScan:
    try:
        (member,) = sessions_for_members(
            turn.base, [account], turn.org.role, external_id=turn.org.external_id
        )
    except SignInCancelled as exc:
        raise ScanCancelled() from exc
    except SignInError as exc:  # the caller's own credentials failed meanwhile
        raise ScanUnavailable(str(exc)) from exc
    if member.session is None and not account.active and not turn.named:
        return MemberScan(account, member.role_arn, error=member.error or "", skipped=True)
    _in_scope(turn.db, turn.engagement_id, account, turn.sign_in, turn.actor)
    if member.session is None:
        reason = member.error or f"could not assume {member.role_arn}"
        scan_id = turn.store_failure(account, reason)
        return MemberScan(account, member.role_arn, error=reason, scan_id=scan_id)
    session = member.session
    label = f"{account.name or account.account_id} ({account.account_id})"
    progress = turn.watch.progress

    def prefixed(done: int, total: int, message: str) -> None:
        if progress is not None:
            progress(done, total, f"{label}: {message}")

    before = _last_scan_id(turn.db, turn.engagement_id, account.account_id)
    request = ScanRequest(
        lambda: session,
        turn.engagement_id,
        regions=turn.request.regions,
        controls=turn.controls,
        actor=turn.actor,
    )
    try:
        outcome = run_scan(request, turn.db, replace(turn.watch, progress=prefixed))
    except (ScanCancelled, KeyboardInterrupt, StoreError):
        raise
    except Exception as exc:  # ScanUnavailable, or a bug: this account only
        reason = str(exc) if isinstance(exc, ScanUnavailable) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, ScanUnavailable):
            log.exception("scan of member account %s failed", account.account_id)
        scan_id = _last_scan_id(turn.db, turn.engagement_id, account.account_id)
        if scan_id <= before:  # it failed before storing anything: store the failure
            scan_id = turn.store_failure(account, reason)
        return MemberScan(account, member.role_arn, error=reason, scan_id=scan_id)
    return MemberScan(account, member.role_arn, outcome=outcome, scan_id=outcome.scan_id)
