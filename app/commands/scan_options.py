"""`audit-binder scan`'s options, checked before anything is opened or sent.

A mistake in the command line (an empty `--regions` or `--controls`, an unknown
control, `--accounts` without `--org-role`, a malformed account id or role name) is a
usage error: exit 2 with one line saying what is wrong, nothing stored. Region names
are checked later, against the account's own region list (`UnknownRegions`).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Literal

import boto3

from app.aws.organizations import audit_role_arn
from app.scan.request import DEFAULT_ROLE, OrgScope, ScanRequest
from app.scan.start import ALL_CONTROLS
from app.scan.unattended import scheduled_actor

_ACCOUNT_ID = re.compile(r"\d{12}")


def split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def regions_option(value: str | None) -> list[str] | Literal["all"] | None:
    if value is None:
        return None
    if value.strip().lower() == "all":
        return "all"
    names = split(value)
    if not names:
        # `--regions "$UNSET_VARIABLE"` must not silently widen the scan to every region.
        raise ValueError("--regions is empty: give 'all' or region names like us-east-1")
    return names


def controls_option(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = split(value)
    if not names:
        # Like --regions: an empty list must not silently mean "every control".
        raise ValueError(
            "--controls is empty: give control ids like cloudtrail "
            "(`audit-binder controls` lists them), or leave it out to check every control"
        )
    unknown = sorted(set(names) - set(ALL_CONTROLS))
    if unknown:
        raise ValueError(
            f"--controls: unknown control(s) {', '.join(unknown)}. "
            f"Known: {', '.join(ALL_CONTROLS)}."
        )
    return names


def account_ids_option(value: str | None) -> list[str] | None:
    """None for every account; ValueError for an empty or malformed list."""
    if value is None or value.strip().lower() == "all":
        return None
    ids = split(value)
    if not ids:
        raise ValueError("--accounts is empty: give 'all' or 12-digit account ids")
    bad = [item for item in ids if not _ACCOUNT_ID.fullmatch(item)]
    if bad:
        raise ValueError(f"--accounts: not an AWS account id (12 digits): {', '.join(bad)}")
    return ids


def org_option(args: argparse.Namespace) -> OrgScope | None:
    if not args.org_role:
        if args.accounts is not None or args.external_id is not None:
            raise ValueError(
                "--accounts and --external-id need --org-role ROLE "
                f"(the audit role to assume in each account, e.g. {DEFAULT_ROLE})"
            )
        return None
    try:
        audit_role_arn("000000000000", args.org_role)
    except ValueError as exc:
        raise ValueError(
            f"--org-role: {exc}; give the audit role's name, like {DEFAULT_ROLE}"
        ) from exc
    ids = account_ids_option(args.accounts)
    return OrgScope(args.org_role, tuple(ids) if ids is not None else None, args.external_id)


def profile_session(profile: str | None) -> boto3.Session:
    """boto3's own chain for `--profile` (None: AWS_PROFILE, the environment, ...)."""
    return boto3.Session(profile_name=profile)


def scan_request(args: argparse.Namespace) -> ScanRequest:
    """The checked options; ValueError (a usage mistake) with what is wrong."""
    profile: str | None = args.profile
    org = org_option(args)
    if org is not None and args.unattended:
        raise ValueError("--unattended scans one account, not --org-role.")
    return ScanRequest(
        lambda: profile_session(profile),
        args.engagement,
        regions=regions_option(args.regions),
        controls=controls_option(args.controls),
        profile=profile,
        actor=scheduled_actor() if args.unattended else None,
        org=org,
        unattended=bool(args.unattended),
    )


def json_target_problem(target: Path | None) -> str | None:
    """Checked before scanning: finding out after a long scan wastes the user's time."""
    if target is None or str(target) == "-":
        return None
    if target.expanduser().is_dir():
        return f"--json {target} is a folder; name a file inside it."
    return None
