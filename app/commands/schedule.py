"""`audit-binder schedule install|status|remove --engagement NAME`: scheduled scans.

`install` writes a job for the operating system's own scheduler (systemd user timer,
launchd agent, Task Scheduler task: `app.services.schedulers`) that runs
`audit-binder scan --unattended` for the engagement, creates the engagement if missing
(as `scan` does) and records the schedule on it, so the period ledger knows the cadence.
`--print` writes what would be installed to stdout and changes nothing. `status` says
what is installed, when it runs next and how the last scans went; `remove` removes it.
Exit codes: 0 done, 1 could not (the reason on one line), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from app.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from app.paths import default_db_path
from app.services.scheduled_scans import (
    install_notes,
    install_scheduled_scan,
    remove_scheduled_scan,
    scan_job,
    scheduled_scan_status,
    status_lines,
)
from app.services.schedulers import Scheduler, scheduler_for
from app.services.schedulers.job import (
    ScanJob,
    SchedulerError,
    SecretInJob,
    database_target,
)
from app.store.database import Database, open_database
from app.store.errors import InvalidInput, StoreError
from app.store.location import BadLocation, parse_location
from app.store.schedule import (
    DEFAULT_AT,
    Every,
    ScanSchedule,
    parse_time,
)

ACTOR_SUFFIX = " (schedule)"


class _Refused(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engagement", required=True, metavar="NAME", help="the engagement")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="database the scans go to (default: AUDIT_BINDER_DB or the user data folder); "
        "a team-store URL must not contain a password (use ~/.pgpass or a service file)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="scheduled headless scans with the operating system's scheduler",
        description="Scan an engagement's account on a schedule with the operating system's "
        "own scheduler (systemd user timer, launchd agent, Task Scheduler task), so the "
        "audit period is covered. The job holds no secret: it signs in with the AWS profile.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install", help="install (or replace) the scheduled scan", description=__doc__
    )
    _common(install)
    install.add_argument("--every", choices=[e.value for e in Every], default=Every.DAILY.value)
    install.add_argument(
        "--at", metavar="HH:MM", help=f"local time (default {DEFAULT_AT:%H:%M}; weekly: Mondays)"
    )
    install.add_argument("--profile", help="AWS profile the scan signs in with")
    install.add_argument(
        "--regions",
        help="'all' or a comma-separated list (default: the engagement's regions, else all)",
    )
    install.add_argument(
        "--print",
        dest="print_only",
        action="store_true",
        help="write what would be installed to stdout; install nothing",
    )
    install.set_defaults(handler=run_install)
    status = actions.add_parser("status", help="what is installed, next and last runs")
    _common(status)
    status.set_defaults(handler=run_status)
    remove = actions.add_parser("remove", help="remove the scheduled scan")
    _common(remove)
    remove.set_defaults(handler=run_remove)


def _say(action: str, message: str) -> None:
    print(f"audit-binder schedule {action}: {' '.join(message.split())}", file=sys.stderr)


def _name(args: argparse.Namespace) -> str:
    name = " ".join(str(args.engagement).split())
    if not name:
        raise _Refused("--engagement is empty.", EXIT_USAGE)
    return name


def _database(args: argparse.Namespace) -> str:
    chosen = args.db or os.environ.get("AUDIT_BINDER_DB", "").strip() or None
    try:
        target = database_target(chosen, default_db_path())
        parse_location(target)  # a URL the store cannot use is a usage mistake
    except (SecretInJob, BadLocation) as exc:
        raise _Refused(str(exc), EXIT_USAGE) from exc
    return target


def _open(database: str) -> Database:
    """The store the job will use: a file, or a team store's URL (no password in it)."""
    return open_database(database)


def _regions(value: str | None) -> str | None:
    if value is None:
        return None
    if value.strip().lower() == "all":
        return "all"
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise _Refused("--regions is empty: give 'all' or region names like eu-west-1.", 2)
    return ",".join(names)


def _job(args: argparse.Namespace) -> ScanJob:
    try:
        at = parse_time(args.at) if args.at else DEFAULT_AT
    except InvalidInput as exc:
        raise _Refused(f"--at: {exc}", EXIT_USAGE) from exc
    try:
        return scan_job(
            _name(args),
            ScanSchedule(Every(args.every), at),
            _database(args),
            profile=args.profile or os.environ.get("AWS_PROFILE") or None,
            regions=_regions(args.regions),
        )
    except InvalidInput as exc:
        raise _Refused(str(exc)) from exc


def _print_files(scheduler: Scheduler, job: ScanJob) -> None:
    for item in scheduler.files(job):
        print(f"==> {item.where} <==")
        print(item.text, end="" if item.text.endswith("\n") else "\n")


def _actor() -> str:
    from app.scan.runner import default_actor

    return default_actor() + ACTOR_SUFFIX


def _handled(action: str, args: argparse.Namespace, body: Any) -> int:
    try:
        result: int = body(args)
    except _Refused as exc:
        _say(action, str(exc))
        return exc.code
    except (StoreError, SchedulerError, InvalidInput) as exc:
        _say(action, str(exc))
        return EXIT_FAILED
    return result


def run_install(args: argparse.Namespace) -> int:
    return _handled("install", args, _install)


def _install(args: argparse.Namespace) -> int:
    job = _job(args)
    scheduler = scheduler_for()
    if args.print_only:
        _print_files(scheduler, job)
        return EXIT_OK
    with _open(job.database) as database:
        lines = install_scheduled_scan(database, job, scheduler, actor=_actor())
    print(f"Scheduled {job.describe()} ({scheduler.kind}):")
    for line in [*lines, *install_notes(job), *scheduler.hints()]:
        print(f"  {line}")
    print(f'Check it with: audit-binder schedule status --engagement "{job.engagement}"')
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    return _handled("status", args, _status)


@contextmanager
def _existing(database: str) -> Iterator[Database | None]:
    """The store if it exists (status and remove never create one)."""
    if "://" not in database and not Path(database).exists():
        yield None
        return
    with _open(database) as store:
        yield store


def _status(args: argparse.Namespace) -> int:
    name, database = _name(args), _database(args)
    scheduler = scheduler_for()
    with _existing(database) as store:
        found = scheduled_scan_status(store, name, database, scheduler)
    headline, lines = status_lines(found, scheduler.kind, database, datetime.now())
    print(headline)
    for line in lines:
        print(f"  {line}")
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    return _handled("remove", args, _remove)


def _remove(args: argparse.Namespace) -> int:
    name, database = _name(args), _database(args)
    with _existing(database) as store:
        done = remove_scheduled_scan(store, name, database, scheduler_for(), actor=_actor())
    if not done:
        print(f"No scheduled scan of '{name}' was installed; nothing to remove.")
        return EXIT_OK
    print(f"Removed the scheduled scan of '{name}':")
    for line in done:
        print(f"  {line}")
    return EXIT_OK
