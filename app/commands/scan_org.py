"""`audit-binder scan --org-role ROLE`: scan an organization's accounts into one engagement.

Not a command of its own: `scan` adds these options and hands over when `--org-role`
is given. Signed in to the management account (or a delegated administrator), it
lists the accounts, assumes ROLE in each and scans them one after the other
(`app.scan.accounts.scan_members`). Progress goes to stderr, account by account.

`--json` writes a JSON array holding one result document (schema_version 1, exactly
the single-account document) per account tried, in scan order; an account that could
not be scanned has `"scan": {"state": "failed", "error": "..."}` and no results.
Exit 0 when every chosen account was scanned, whatever the scans found; 1 when any
could not be (the others are still scanned, stored and written; each failure is
named on stderr), or when nothing could be scanned; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from typing import Any

import boto3

from app.aws.caller import ScanUnavailable
from app.aws.calls import ScanCancelled
from app.aws.organizations import MemberAccount
from app.commands.scan import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    _ctrl_c_cancels,
    _json_target_problem,
    _regions,
    _split,
    _StderrProgress,
)
from app.commands.store_option import chosen_location
from app.scan.accounts import DEFAULT_ROLE, MemberScan, MembersSummary, scan_members
from app.scan.document import document_for_scan, write_document
from app.store.database import Database, open_database
from app.store.errors import StoreError
from app.store.models import Scan

_ACCOUNT_ID = re.compile(r"\d{12}")
ORG_HELP = (
    "Organizations: with --org-role, scan every account of the organization (or those "
    "named by --accounts) through that audit role, one scan per account, into one "
    "engagement (default: named after the signed-in management account). --json then "
    "writes a JSON array of result documents, one per account; an account that could not "
    "be scanned has scan.state 'failed' and scan.error. Exit 1 if any chosen account "
    "could not be scanned (the others are still stored)."
)


def add_org_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("member accounts", ORG_HELP)
    group.add_argument(
        "--org-role",
        metavar="ROLE",
        help=f"audit role to assume in each member account (e.g. {DEFAULT_ROLE})",
    )
    group.add_argument(
        "--accounts",
        metavar="all|ID,ID",
        help="with --org-role: 'all' (default; suspended accounts skipped) or account ids",
    )
    group.add_argument(
        "--external-id", metavar="ID", help="with --org-role: the role's external id, if any"
    )


def _account_ids(value: str | None) -> list[str] | None:
    """None for every account; ValueError for an empty or malformed list."""
    if value is None or value.strip().lower() == "all":
        return None
    ids = _split(value)
    if not ids:
        raise ValueError("--accounts is empty: give 'all' or 12-digit account ids")
    bad = [item for item in ids if not _ACCOUNT_ID.fullmatch(item)]
    if bad:
        raise ValueError(f"--accounts: not an AWS account id (12 digits): {', '.join(bad)}")
    return ids


def base_session(profile: str | None) -> boto3.Session:
    """The management (or delegated administrator) account's session."""
    return boto3.Session(profile_name=profile)


def _document(db: Database, member: MemberScan, summary: MembersSummary) -> dict[str, Any]:
    outcome = member.outcome
    if outcome is not None:
        document = outcome.document()
    else:
        with db.session() as session:
            scan = session.get(Scan, member.scan_id)
            if scan is None:  # cannot happen: failures are stored; kept for safety
                raise StoreError(f"Scan #{member.scan_id} of {member.account.account_id} is gone.")
            document = document_for_scan(scan)
    document["scan"]["error"] = member.error
    return document


def _line(member: MemberScan) -> str:
    who = f"{member.account.name or '?'} ({member.account.account_id})"
    if member.outcome is not None:
        counts = ", ".join(f"{s} {n}" for s, n in sorted(member.outcome.counts.items()))
        return (
            f"  {who}: scan #{member.scan_id}, {len(member.outcome.results)} results "
            f"({counts or 'none'}) across {len(member.outcome.regions)} region(s)"
        )
    reason = " ".join(member.error.split())  # botocore's messages can span lines
    if member.skipped:
        return f"  {who}: skipped ({reason})"
    return f"  {who}: NOT SCANNED (scan #{member.scan_id} stored as failed): {reason}"


def run_org(args: argparse.Namespace) -> int:
    if not args.org_role:
        print(
            "audit-binder scan: --accounts and --external-id need --org-role ROLE "
            f"(the audit role to assume in each account, e.g. {DEFAULT_ROLE}).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    profile: str | None = args.profile
    progress = _StderrProgress(sys.stderr)
    try:
        regions = _regions(args.regions)
        account_ids = _account_ids(args.accounts)
    except ValueError as exc:
        print(f"audit-binder scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    problem = _json_target_problem(args.json)
    if problem is not None:
        print(f"audit-binder scan: {problem}", file=sys.stderr)
        return EXIT_FAILED

    def on_account(index: int, total: int, account: MemberAccount) -> None:
        progress.end()
        print(
            f"[account {index}/{total}] {account.name} ({account.account_id}) as {args.org_role}",
            file=sys.stderr,
        )

    cancel = threading.Event()
    try:
        db = open_database(chosen_location(args))
    except StoreError as exc:
        print(f"audit-binder scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        with _ctrl_c_cancels(cancel):
            summary = scan_members(
                lambda: base_session(profile),
                db,
                args.engagement,
                role=args.org_role,
                account_ids=account_ids,
                external_id=args.external_id,
                controls=_split(args.controls) or None,
                regions=regions,
                progress=progress,
                cancel=cancel,
                on_account=on_account,
                profile=profile,
            )
        documents = [_document(db, m, summary) for m in summary.members if not m.skipped]
    except ScanUnavailable as exc:
        progress.end()
        print(f"audit-binder scan: the scan could not run: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as exc:
        progress.end()
        print(f"audit-binder scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, ScanCancelled):
        progress.end()
        print(
            "audit-binder scan: interrupted; accounts already scanned are stored, the one "
            "running is stored as incomplete.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        db.close()
    progress.end()
    return _report(args, summary, documents)


def _report(args: argparse.Namespace, summary: MembersSummary, documents: list[Any]) -> int:
    code = EXIT_OK
    if args.json is not None:
        if str(args.json) == "-":
            print(json.dumps(documents, indent=2))
        else:
            try:
                # write_document only json-dumps what it is given: a list works as well.
                write_document(documents, args.json)  # type: ignore[arg-type]
            except OSError as exc:
                print(
                    f"audit-binder scan: could not write {args.json}: {exc.strerror or exc}. "
                    f"The scans themselves are stored in engagement '{summary.engagement}'.",
                    file=sys.stderr,
                )
                code = EXIT_FAILED
    print(
        f"Scanned {len(summary.scanned)} of {len(summary.members)} account(s) of the "
        f"organization as {summary.role}, stored in engagement '{summary.engagement}':",
        file=sys.stderr,
    )
    for member in summary.members:
        print(_line(member), file=sys.stderr)
    if summary.failed:
        print(
            f"audit-binder scan: {len(summary.failed)} account(s) could not be scanned "
            f"({', '.join(m.account.account_id for m in summary.failed)}); see above.",
            file=sys.stderr,
        )
        code = EXIT_FAILED
    return code
