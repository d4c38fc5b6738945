"""Unattended (scheduled) scans: never prompt, and leave a trace when they cannot run.

`audit-binder scan --unattended` is what a scheduled job runs. Nobody is there to type
an MFA code or open a browser, so:

- a profile whose role needs an MFA code (`mfa_serial`) is refused before botocore could
  prompt for it (`unattended_problem`); nothing in the scan opens a browser or starts a
  device-code sign-in;
- when the scan cannot start (expired or missing credentials...), a *failed* scan is
  stored with the reason (`record_failure`), so the engagement's history and the period
  ledger show the attempt: against the account the profile names (an SSO account id,
  a role's or login session's ARN), else against the engagement's known accounts (in
  scope, or scanned before). With no account known at all nothing can be recorded,
  and the message says so.

Scans started this way are recorded with the actor "<user> (scheduled)".
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.aws.login_errors import SignInError
from app.aws.profiles import AwsConfig, Profile, ProfileKind, get_profile, load_config
from app.scan.start import default_actor
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import Database
from app.store.errors import StoreError
from app.store.models import Account, AuditLogEntry, Engagement, Scan
from app.store.scan_state import ScanState

SCHEDULED_SUFFIX = " (scheduled)"
_ACCOUNT_IN_ARN = re.compile(r"arn:[\w-]+:(?:iam|sts)::(\d{12}):")

# What each kind of profile means for a scan nobody attends (README: "Scheduled scans").
_ADVICE = {
    ProfileKind.SSO: "an IAM Identity Center session lasts hours (8 by default): scheduled "
    "scans fail once it has expired, until someone signs in again",
    ProfileKind.LOGIN: "an `aws login` session refreshes itself for at most 12 hours: "
    "scheduled scans fail after that, until someone runs `aws login` again",
    ProfileKind.TEMPORARY_KEYS: "temporary keys expire (usually within hours): scheduled "
    "scans fail after that",
    ProfileKind.STATIC_KEYS: "long-term access keys do not expire, but they are what the "
    "no-iam-access-keys control flags; prefer a role or credential_process",
}


def scheduled_actor() -> str:
    return default_actor() + SCHEDULED_SUFFIX


def _profile(name: str | None) -> Profile | None:
    wanted = name or os.environ.get("AWS_PROFILE") or "default"
    try:
        return get_profile(wanted)
    except SignInError:
        return None


def _chain(profile: Profile) -> list[Profile]:
    """The profile and the assume-role profiles its chain goes through."""
    if not profile.chain:
        return [profile]
    try:
        config = load_config()
    except SignInError:
        return [profile]
    found = [_profile_in(name, config) for name in profile.chain]
    return [p for p in found if p is not None]


def _profile_in(name: str, config: AwsConfig) -> Profile | None:
    try:
        return get_profile(name, config)
    except SignInError:
        return None


def unattended_problem(profile_name: str | None) -> str | None:
    """Why this profile cannot work unattended at all, or None. A profile named but not
    configured is a problem; the default chain's problems show when the scan starts."""
    if profile_name:
        try:
            get_profile(profile_name)
        except SignInError as exc:
            return str(exc).rstrip(".")
    profile = _profile(profile_name)
    if profile is None:
        return None
    for member in _chain(profile):
        if member.kind is ProfileKind.ASSUME_ROLE and member.mfa_serial:
            return (
                f'profile "{member.name}" assumes its role with an MFA code (mfa_serial), '
                "which a scheduled scan cannot ask for; schedule a profile without MFA "
                "(a role reached through credential_process, an instance or container role)"
            )
    return None


def unattended_advice(profile_name: str | None) -> str | None:
    """A warning about how long this profile's credentials last unattended, or None."""
    profile = _profile(profile_name)
    if profile is None:
        return None
    kind = profile.root_kind if profile.kind is ProfileKind.ASSUME_ROLE else profile.kind
    advice = _ADVICE.get(kind) if kind is not None else None
    if advice is None:
        return None
    return f'Profile "{profile.name}" ({kind}): {advice}.'


def profile_account(profile_name: str | None) -> str | None:
    """The account id the profile's configuration names, without calling AWS."""
    profile = _profile(profile_name)
    if profile is None:
        return None
    if profile.sso_account_id and re.fullmatch(r"\d{12}", profile.sso_account_id):
        return profile.sso_account_id
    for arn in (profile.role_arn, profile.login_session):
        match = _ACCOUNT_IN_ARN.match(arn or "")
        if match:
            return match[1]
    return None


def last_scan_id(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.max(Scan.id))) or 0)


def _known_accounts(session: Session, engagement: Engagement) -> list[str]:
    in_scope = session.scalars(
        select(Account.account_id).where(Account.engagement_id == engagement.id)
    )
    scanned = session.scalars(
        select(Scan.account_id).where(Scan.engagement_id == engagement.id).distinct()
    )
    return sorted({*in_scope, *scanned} - {""})


def record_failure(
    db: Database,
    engagement_name: str | None,
    profile_name: str | None,
    reason: str,
    *,
    since_scan_id: int,
    controls: Sequence[str] = (),
    regions: Sequence[str] = (),
) -> str:
    """Store a failed scan per account the failure concerns; a sentence saying what was
    recorded (or why nothing could be). Nothing is added when the scan already stored
    its own failure (scan ids above `since_scan_id`)."""
    try:
        newer = last_scan_id(db)
        if newer > since_scan_id:
            return f"Recorded as failed scan #{newer}."
        account = profile_account(profile_name)
        if engagement_name is None and account is None:
            return "Nothing recorded: no engagement was named and no account is known."
        with db.session() as session:
            name = engagement_name or str(account)
            engagement = engagement_store.find_engagement(session, name)
            if engagement is None:
                engagement = engagement_store.create_engagement(
                    session, name, actor=scheduled_actor()
                )
            accounts = [account] if account else _known_accounts(session, engagement)
            stored = [
                _failed_scan(session, engagement, account_id, reason, controls, regions)
                for account_id in accounts
            ]
            where = engagement.name
    except StoreError as exc:
        return f"The failure could not be recorded: {exc}"
    if not stored:
        return (
            f"Nothing recorded: engagement '{where}' has no known account yet "
            "(run one scan by hand first)."
        )
    return f"Recorded as failed scan {', '.join(stored)} in engagement '{where}'."


def _failed_scan(
    session: Session,
    engagement: Engagement,
    account_id: str,
    reason: str,
    controls: Sequence[str],
    regions: Sequence[str],
) -> str:
    actor = scheduled_actor()
    scan = scan_store.start_scan(
        session, engagement, account_id=account_id, actor=actor, regions=regions, controls=controls
    )
    scan_store.finish_scan(session, scan, ScanState.FAILED, actor=actor, error=reason)
    return f"#{scan.id} (account {account_id})"


def last_scheduled_scan(session: Session, engagement: Engagement) -> Scan | None:
    """The newest scan a scheduled job started (its audit entry names the actor so)."""
    entries = session.scalars(
        select(AuditLogEntry)
        .where(
            AuditLogEntry.engagement_id == engagement.id,
            AuditLogEntry.action == "scan.start",
            AuditLogEntry.actor.endswith(SCHEDULED_SUFFIX),
        )
        .order_by(AuditLogEntry.id.desc())
        .limit(1)
    )
    entry = entries.first()
    scan_id = entry.detail.get("scan") if entry is not None else None
    return session.get(Scan, scan_id) if isinstance(scan_id, int) else None
