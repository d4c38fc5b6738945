"""`audit-binder scan --org-role ROLE`: scan an organization's accounts into one engagement.

Not a command of its own: `scan` adds these options and, with `--org-role`, runs the
same scan entry point and error handling, `OrgConsole` saying what happens. Signed in
to the management account (or a delegated administrator), it lists the accounts,
assumes ROLE in each and scans them one after the other (`app.scan.accounts`).
Progress goes to stderr, account by account.

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
from pathlib import Path
from typing import Any

from app.aws.organizations import MemberAccount
from app.commands.scan_console import StderrProgress, emit_json, say
from app.exit_codes import EXIT_FAILED, EXIT_OK
from app.scan.accounts import MemberScan, MembersSummary
from app.scan.document import document_for_scan
from app.scan.request import DEFAULT_ROLE
from app.store.database import Database
from app.store.errors import StoreError
from app.store.models import Scan

INTERRUPTED = (
    "interrupted; accounts already scanned are stored, the one running is stored "
    "as incomplete with the controls already checked."
)

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


class OrgConsole:
    """What `scan --org-role` says on the terminal as each account is done, and at the end;
    the result documents of the accounts done so far (`--json`, also when interrupted)."""

    def __init__(self, db: Database, progress: StderrProgress, role: str) -> None:
        self._db = db
        self.role = role
        self._progress = progress
        self.documents: list[dict[str, Any]] = []

    def on_account(self, index: int, total: int, account: MemberAccount) -> None:
        self._progress.end()
        print(
            f"[account {index}/{total}] {account.name} ({account.account_id}) as {self.role}",
            file=sys.stderr,
        )

    def on_scanned(self, member: MemberScan) -> None:
        if not member.skipped:
            self.documents.append(_document(self._db, member))

    def report(self, target: Path | None, summary: MembersSummary) -> int:
        return _report(target, summary, self.documents)


def _report(target: Path | None, summary: MembersSummary, documents: list[dict[str, Any]]) -> int:
    code = EXIT_OK
    problem = emit_json(target, documents)
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
