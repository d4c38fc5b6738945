"""`audit-binder scan`: run every automated check against the account, store the scan.

Uses boto3's normal credential chain (`--profile`, `AWS_PROFILE`, environment keys,
SSO, `aws login`) and honours `AWS_ENDPOINT_URL`. Progress goes to stderr; `--json`
writes the result document (DESIGN.md, schema_version 1). Exit 0 when the scan ran,
whatever it found; 1 with a message when it could not; 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, Literal, TextIO

import boto3

from app.aws.caller import ScanUnavailable
from app.aws.calls import ScanCancelled
from app.commands.store_option import add_db_option, chosen_location
from app.scan.document import write_document
from app.scan.runner import ALL_CONTROLS, ScanOutcome, run_scan
from app.store.database import open_database
from app.store.errors import StoreError

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


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
    from app.commands.scan_org import add_org_arguments  # it builds on this module

    add_org_arguments(parser)
    parser.set_defaults(handler=run)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _regions(value: str | None) -> list[str] | Literal["all"] | None:
    if value is None:
        return None
    if value.strip().lower() == "all":
        return "all"
    names = _split(value)
    if not names:
        # `--regions "$UNSET_VARIABLE"` must not silently widen the scan to every region.
        raise ValueError("--regions is empty: give 'all' or region names like us-east-1")
    return names


def _json_target_problem(target: Path | None) -> str | None:
    """Checked before scanning: finding out after a long scan wastes the user's time."""
    if target is None or str(target) == "-":
        return None
    if target.expanduser().is_dir():
        return f"--json {target} is a folder; name a file inside it."
    return None


@contextmanager
def _ctrl_c_cancels(cancel: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the scan to stop at its next AWS call (so it is stored as
    incomplete promptly, with no call sent after it); a second one interrupts at once.

    Without this a KeyboardInterrupt reaches only the main thread, and the worker
    threads go on sending every queued call before the scan can end.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\naudit-binder scan: stopping (Ctrl-C again to quit now)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _StderrProgress:
    """One updating line on a terminal; a line per tenth of the work otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, total: int, message: str) -> None:
        if self._tty:
            self._stream.write(f"\r\x1b[K[{done}/{total}] {message[:100]}")
            self._stream.flush()
            return
        tenth = done * 10 // max(total, 1)
        if tenth != self._last_tenth or done <= 2:
            self._last_tenth = tenth
            self._stream.write(f"[{done}/{total}] {message}\n")

    def end(self) -> None:
        if self._tty:
            self._stream.write("\r\x1b[K")
            self._stream.flush()


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
    if args.org_role or args.accounts or args.external_id:
        from app.commands.scan_org import run_org  # member accounts: their own flow

        return run_org(args)
    profile: str | None = args.profile
    progress = _StderrProgress(sys.stderr)
    try:
        regions = _regions(args.regions)
    except ValueError as exc:
        print(f"audit-binder scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    problem = _json_target_problem(args.json)
    if problem is not None:
        print(f"audit-binder scan: {problem}", file=sys.stderr)
        return EXIT_FAILED
    try:
        db = open_database(chosen_location(args))
    except StoreError as exc:
        print(f"audit-binder scan: {exc}", file=sys.stderr)
        return EXIT_FAILED
    cancel = threading.Event()
    try:
        with _ctrl_c_cancels(cancel):
            outcome = run_scan(
                lambda: boto3.Session(profile_name=profile),
                db,
                args.engagement,
                controls=_split(args.controls) or None,
                regions=regions,
                progress=progress,
                cancel=cancel,
                profile=profile,
            )
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
        print("audit-binder scan: interrupted; the scan is stored as incomplete.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        db.close()
    progress.end()
    document = outcome.document()
    if args.json is not None:
        if str(args.json) == "-":
            print(json.dumps(document, indent=2))
        else:
            try:
                write_document(document, args.json)
            except OSError as exc:
                print(
                    f"audit-binder scan: could not write {args.json}: {exc.strerror or exc}. "
                    f"The scan itself is stored (scan #{outcome.scan_id} in engagement "
                    f"'{outcome.engagement}').",
                    file=sys.stderr,
                )
                return EXIT_FAILED
    print(_summary(outcome), file=sys.stderr)
    return EXIT_OK
