"""`audit-binder scan`: run every automated check against the account, store the scan.

Uses boto3's normal credential chain (`--profile`, `AWS_PROFILE`, environment keys,
SSO, `aws login`) and honours `AWS_ENDPOINT_URL`. Progress goes to stderr; `--json`
writes the result document (docs/scan-result.schema.json, schema_version 1), also for
a scan interrupted (the rows of the controls already checked) or not stored (the
rescue file's results). Exit 0 when the scan ran, whatever it found; 1 with a message
when it could not; 2 for a usage mistake (options, unknown region names); 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.aws.identity import ScanUnavailable
from app.commands import scan_org
from app.commands.scan_console import StderrProgress, ctrl_c_cancels, emit_json, json_or_say, say
from app.commands.scan_options import json_target_problem, scan_request
from app.commands.store_option import add_db_option, chosen_location
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from app.scan import unattended
from app.scan.accounts import MembersSummary
from app.scan.entry import ScanReport, Trouble, expected_trouble, scan
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import ScanInterrupted, ScanOutcome
from app.scan.start import ALL_CONTROLS
from app.scan.storing import ScanNotStored
from app.store.database import Database, open_database
from app.store.errors import StoreError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="run the automated checks against an AWS account (read-only)",
        description="Run every automated check against the AWS account of the current "
        "credentials (read-only), store the scan in the engagement and optionally write "
        "the results as JSON.",
    )
    parser.add_argument("--profile", help="AWS profile to use (default: boto3's chain)")
    parser.add_argument(
        "--regions",
        default=None,
        help="'all' (every enabled region) or a comma-separated list "
        "(default: the engagement's regions, else all)",
    )
    parser.add_argument(
        "--engagement",
        help="engagement to store the scan in (created if missing; "
        "default: one named after the account id)",
    )
    add_db_option(parser)
    parser.add_argument(
        "--json", type=Path, metavar="OUT", help="write the result document ('-' = stdout)"
    )
    parser.add_argument(
        "--controls",
        help=f"comma-separated control ids to check (default: all: {', '.join(ALL_CONTROLS)})",
    )
    parser.add_argument(
        "--unattended",
        action="store_true",
        help="for scheduled jobs: never prompt (an MFA profile is refused); when the scan "
        "cannot run, record a failed scan with the reason for the engagement's account",
    )
    scan_org.add_org_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        request = scan_request(args)
    except ValueError as exc:
        say(exc)
        return EXIT_USAGE
    problem = json_target_problem(args.json)
    if problem is not None:
        say(problem)
        return EXIT_FAILED
    try:
        db = open_database(chosen_location(args))
    except StoreError as exc:
        say(exc)
        return EXIT_FAILED
    try:
        return _scan(args, request, db)
    finally:
        db.close()


def _scan(args: argparse.Namespace, request: ScanRequest, db: Database) -> int:
    """One path for `scan` and `scan --org-role`: run, then say how it ended."""
    progress = StderrProgress(sys.stderr)
    org = scan_org.OrgConsole(db, progress, request.org.role) if request.org is not None else None
    watch = ScanWatch(
        progress=progress,
        on_account=org.on_account if org is not None else None,
        on_scanned=org.on_scanned if org is not None else None,
    )
    since = 0
    try:
        since = unattended.last_scan_id(db) if request.unattended else 0
        refusal = unattended.unattended_problem(request.profile) if request.unattended else None
        if refusal is not None:
            raise ScanUnavailable(refusal)
        with ctrl_c_cancels(watch.cancel):
            report = scan(request, db, watch)
    except Exception as exc:
        trouble = expected_trouble(exc)
        if trouble is None:
            raise
        progress.end()
        return _trouble(args, request, db, exc, trouble, since, org)
    except KeyboardInterrupt as exc:
        if org is None:
            raise  # a second Ctrl-C: the command line's own "interrupted" (exit 130)
        progress.end()
        return _trouble(args, request, db, exc, Trouble.INTERRUPTED, since, org)
    progress.end()
    if org is not None and isinstance(report, MembersSummary):
        return org.report(args.json, report)
    return _done(args.json, report)


def _trouble(
    args: argparse.Namespace,
    request: ScanRequest,
    db: Database,
    exc: BaseException,
    trouble: Trouble,
    since: int,
    org: scan_org.OrgConsole | None,
) -> int:
    """What the user reads, and the exit code, for a scan that did not end normally."""
    earlier = org.documents if org is not None else []
    if trouble is Trouble.USAGE:
        say(exc)
        return EXIT_USAGE
    if trouble is Trouble.UNAVAILABLE:
        recorded = ""
        if request.unattended:  # a scheduled job leaves a failed scan with the reason
            recorded = " " + unattended.record_failure(
                db,
                args.engagement,
                request.profile,
                str(exc),
                since_scan_id=since,
                controls=request.controls or (),
                regions=request.regions if isinstance(request.regions, tuple) else (),
            )
        say(f"the scan could not run: {exc}{recorded}")
        return EXIT_FAILED
    if trouble is Trouble.NOT_STORED and isinstance(exc, ScanNotStored):
        json_or_say(args.json, [*earlier, exc.document] if org is not None else exc.document)
        say(exc)
        return EXIT_FAILED
    if trouble is Trouble.INTERRUPTED:
        partial = exc.outcome.document() if isinstance(exc, ScanInterrupted) else None
        if org is not None:
            json_or_say(args.json, [*earlier, *([partial] if partial else [])])
            say(scan_org.INTERRUPTED)
        elif partial is not None:
            json_or_say(args.json, partial)
            assert isinstance(exc, ScanInterrupted)
            say(f"interrupted; the scan is stored as incomplete. {exc.outcome.error}")
        else:
            say("interrupted before the scan started; nothing was stored.")
        return EXIT_INTERRUPTED
    say(exc)  # the store failed
    return EXIT_FAILED


def _summary(outcome: ScanOutcome) -> str:
    counts = ", ".join(f"{status} {n}" for status, n in sorted(outcome.counts.items()))
    skipped = (
        f" Skipped regions (not enabled): {', '.join(outcome.skipped_regions)}."
        if outcome.skipped_regions
        else ""
    )
    return (
        f"Scan #{outcome.scan_id} of account {outcome.identity.account_id} stored in engagement "
        f"'{outcome.engagement}': {len(outcome.results)} results ({counts or 'none'}) "
        f"across {len(outcome.regions)} region(s).{skipped}"
    )


def _done(target: Path | None, report: ScanReport) -> int:
    assert isinstance(report, ScanOutcome)
    problem = emit_json(target, report.document())
    if problem is not None:
        say(
            f"{problem} The scan itself is stored (scan #{report.scan_id} in engagement "
            f"'{report.engagement}')."
        )
        return EXIT_FAILED
    print(_summary(report), file=sys.stderr)
    return EXIT_OK
