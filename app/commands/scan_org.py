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
import sys
import threading
from typing import Any

import boto3

from app.aws.caller import ScanUnavailable
from app.aws.calls import ScanCancelled
from app.aws.organizations import MemberAccount
from app.aws.regions import UnknownRegions
from app.commands.scan_console import (
    StderrProgress,
    ctrl_c_cancels,
    emit_json,
    json_or_say,
    say,
)
from app.commands.scan_options import OrgRequest, ScanRequest
from app.commands.store_option import chosen_location
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from app.scan.accounts import DEFAULT_ROLE, MemberScan, MembersSummary, scan_members
from app.scan.document import document_for_scan
from app.scan.runner import ScanInterrupted
from app.scan.storing import ScanNotStored
from app.store.database import Database, open_database
from app.store.errors import StoreError
from app.store.models import Scan

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


def base_session(profile: str | None) -> boto3.Session:
    """The management (or delegated administrator) account's session."""
    return boto3.Session(profile_name=profile)


def _document(db: Database, member: MemberScan) -> dict[str, Any]:
    outcome = member.outcome
    if outcome is not None:
        return outcome.document()
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


def run_org(args: argparse.Namespace, request: ScanRequest, org: OrgRequest) -> int:
    try:
        db = open_database(chosen_location(args))
    except StoreError as exc:
        say(exc)
        return EXIT_FAILED
    try:
        return _scan_org(args, request, org, db)
    finally:
        db.close()


def _scan_org(args: argparse.Namespace, request: ScanRequest, org: OrgRequest, db: Database) -> int:
    profile: str | None = args.profile
    progress = StderrProgress(sys.stderr)
    documents: list[dict[str, Any]] = []  # one per account, as each is done

    def on_account(index: int, total: int, account: MemberAccount) -> None:
        progress.end()
        print(
            f"[account {index}/{total}] {account.name} ({account.account_id}) as {org.role}",
            file=sys.stderr,
        )

    def on_scanned(member: MemberScan) -> None:
        if not member.skipped:
            documents.append(_document(db, member))

    cancel = threading.Event()
    try:
        with ctrl_c_cancels(cancel):
            summary = scan_members(
                lambda: base_session(profile),
                db,
                args.engagement,
                role=org.role,
                account_ids=org.account_ids,
                external_id=org.external_id,
                controls=request.controls,
                regions=request.regions,
                progress=progress,
                cancel=cancel,
                on_account=on_account,
                on_scanned=on_scanned,
                profile=profile,
            )
    except UnknownRegions as exc:
        progress.end()
        say(exc)
        return EXIT_USAGE
    except ScanUnavailable as exc:
        progress.end()
        say(f"the scan could not run: {exc}")
        return EXIT_FAILED
    except ScanNotStored as exc:
        progress.end()
        json_or_say(args.json, [*documents, exc.document])
        say(exc)
        return EXIT_FAILED
    except (ScanInterrupted, KeyboardInterrupt, ScanCancelled) as exc:
        progress.end()
        partial = [exc.outcome.document()] if isinstance(exc, ScanInterrupted) else []
        json_or_say(args.json, [*documents, *partial])
        say(
            "interrupted; accounts already scanned are stored, the one running is stored "
            "as incomplete with the controls already checked."
        )
        return EXIT_INTERRUPTED
    except StoreError as exc:
        progress.end()
        say(exc)
        return EXIT_FAILED
    progress.end()
    return _report(args, summary, documents)


def _report(
    args: argparse.Namespace, summary: MembersSummary, documents: list[dict[str, Any]]
) -> int:
    code = EXIT_OK
    problem = emit_json(args.json, documents)
    if problem is not None:
        say(f"{problem} The scans themselves are stored in engagement '{summary.engagement}'.")
        code = EXIT_FAILED
    print(
        f"Scanned {len(summary.scanned)} of {len(summary.members)} account(s) of the "
        f"organization as {summary.role}, stored in engagement '{summary.engagement}':",
        file=sys.stderr,
    )
    for member in summary.members:
        print(_line(member), file=sys.stderr)
    if summary.failed:
        say(
            f"{len(summary.failed)} account(s) could not be scanned "
            f"({', '.join(m.account.account_id for m in summary.failed)}); see above."
        )
        code = EXIT_FAILED
    return code
