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
import threading
from pathlib import Path
from typing import Any

import boto3

from app.aws.caller import ScanUnavailable
from app.aws.regions import UnknownRegions
from app.commands.scan_console import (
    StderrProgress,
    ctrl_c_cancels,
    emit_json,
    json_or_say,
    say,
)
from app.commands.scan_options import ScanRequest, json_target_problem, scan_request
from app.commands.store_option import add_db_option, chosen_location
from app.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from app.scan import unattended
from app.scan.runner import ALL_CONTROLS, ScanInterrupted, ScanOutcome, run_scan
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
    from app.commands.scan_org import add_org_arguments  # it builds on this module

    add_org_arguments(parser)
    parser.set_defaults(handler=run)


def _run(
    args: argparse.Namespace, request: ScanRequest, db: Database, progress: StderrProgress
) -> ScanOutcome:
    profile: str | None = args.profile
    refusal = unattended.unattended_problem(profile) if args.unattended else None
    if refusal is not None:
        raise ScanUnavailable(refusal)
    cancel = threading.Event()
    with ctrl_c_cancels(cancel):
        return run_scan(
            lambda: boto3.Session(profile_name=profile),
            db,
            args.engagement,
            controls=request.controls,
            regions=request.regions,
            progress=progress,
            cancel=cancel,
            profile=profile,
            actor=unattended.scheduled_actor() if args.unattended else None,
        )


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
    if request.org is not None:
        if args.unattended:
            say("--unattended scans one account, not --org-role.")
            return EXIT_USAGE
        from app.commands.scan_org import run_org  # member accounts: their own flow

        return run_org(args, request, request.org)
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
    progress = StderrProgress(sys.stderr)
    since = 0
    try:
        since = unattended.last_scan_id(db) if args.unattended else 0
        outcome = _run(args, request, db, progress)
    except UnknownRegions as exc:
        progress.end()
        say(exc)
        return EXIT_USAGE
    except ScanUnavailable as exc:
        progress.end()
        recorded = ""
        if args.unattended:  # a scheduled job leaves a failed scan with the reason
            recorded = " " + unattended.record_failure(
                db,
                args.engagement,
                args.profile,
                str(exc),
                since_scan_id=since,
                controls=request.controls or [],
                regions=request.regions if isinstance(request.regions, list) else [],
            )
        say(f"the scan could not run: {exc}{recorded}")
        return EXIT_FAILED
    except ScanNotStored as exc:
        progress.end()
        json_or_say(args.json, exc.document)
        say(exc)
        return EXIT_FAILED
    except ScanInterrupted as exc:
        progress.end()
        json_or_say(args.json, exc.outcome.document())
        say(f"interrupted; the scan is stored as incomplete. {exc.outcome.error}")
        return EXIT_INTERRUPTED
    except StoreError as exc:
        progress.end()
        say(exc)
        return EXIT_FAILED
    progress.end()
    problem = emit_json(args.json, outcome.document())
    if problem is not None:
        say(
            f"{problem} The scan itself is stored (scan #{outcome.scan_id} in engagement "
            f"'{outcome.engagement}')."
        )
        return EXIT_FAILED
    print(_summary(outcome), file=sys.stderr)
    return EXIT_OK
