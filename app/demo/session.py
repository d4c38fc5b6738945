"""The demo environment: a local fake AWS with the demo company in it, scanned and seeded.

`start_demo` starts moto on 127.0.0.1, builds the demo account, rebuilds the demo DB
(its own file, never the user's real one), runs a first scan through the scan engine
and applies the engagement's manual work. The GUI (`audit-binder --demo`) and the
headless `audit-binder demo` both start here; `DemoEnvironment.stop()` ends it.

The boto3 sessions it hands out (`app.demo.local_aws`) carry fake keys and the local
endpoint themselves: nothing in the user's `~/.aws` or AWS environment variables is
read for them or changed by them.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import botocore.exceptions

from app.demo.history import add_demo_history
from app.demo.local_aws import LocalEndpointSession
from app.demo.moto_server import LocalMotoServer
from app.demo.scenario import ACCOUNT_ID, build_demo_account
from app.demo.seed import DEMO_ACTOR, create_demo_engagement, load_demo_data, seed_manual_work
from app.paths import data_dir
from app.scan.child import ChildFailed, run_in_child
from app.scan.request import ScanRequest
from app.scan.runner import ScanOutcome
from app.store.database import open_database
from app.store.engagements import get_engagement

DEMO_PROFILE = "demo"
DEMO_DB_NAME = "audit-binder-demo.sqlite3"

Progress = Callable[[str], None]


class DemoError(RuntimeError):
    """The demo cannot start (e.g. the chosen demo DB holds real engagements)."""


def demo_db_path() -> Path:
    """`AUDIT_BINDER_DEMO_DB`, else `audit-binder-demo.sqlite3` in the user data folder.

    Never beside `AUDIT_BINDER_DB`: that names the user's real database, which may sit in
    a shared folder; the demo's own file stays out of it."""
    override = os.environ.get("AUDIT_BINDER_DEMO_DB")
    if override:
        return Path(override).expanduser()
    return data_dir() / DEMO_DB_NAME


@dataclass
class DemoEnvironment:
    """A running demo: the fake AWS endpoint, the demo DB and its engagement."""

    server: LocalMotoServer
    endpoint: str
    db_path: Path
    engagement_id: int
    engagement_name: str
    account_id: str
    caller_arn: str
    scan: ScanOutcome
    profile: str = DEMO_PROFILE
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def make_session(self) -> Callable[[], boto3.session.Session]:
        """Fresh boto3 sessions on the demo endpoint (one per task: not thread-safe);
        picklable, so the GUI's scan process gets it as it is."""
        return functools.partial(LocalEndpointSession, self.endpoint)

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> DemoEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _non_demo_engagements(path: Path) -> int:
    """How many real (non-demo) engagements the file holds; -1 if it is not our DB."""
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return -1
    try:
        row = connection.execute("SELECT count(*) FROM engagements WHERE NOT is_demo").fetchone()
    except sqlite3.Error:
        return -1
    finally:
        connection.close()
    return int(row[0])


def fresh_demo_db(path: Path) -> None:
    """Remove the previous demo DB so the demo always starts the same.

    Refuses a file that is not a demo DB (real engagements, or not ours): pointing
    the demo at the real database must never delete it.
    """
    if path.exists() and path.stat().st_size > 0:
        real = _non_demo_engagements(path)
        if real != 0:
            what = "is not an Audit Binder demo database" if real < 0 else "has real engagements"
            raise DemoError(f"{path} {what}; the demo only ever replaces its own database.")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check_moto_can_start() -> None:
    """moto (in this process) makes plain boto3 sessions for its region tables, and those
    fail when AWS_PROFILE names a profile that does not exist: say so before starting."""
    try:
        boto3.session.Session()
    except botocore.exceptions.ProfileNotFound as exc:
        raise DemoError(
            f"{exc}. The demo's fake AWS (moto) reads AWS_PROFILE too: unset it for the demo "
            "(e.g. `env -u AWS_PROFILE audit-binder demo`)."
        ) from exc


def start_demo(db_path: Path | None = None, progress: Progress | None = None) -> DemoEnvironment:
    """Start the demo: fake AWS, demo account, fresh demo DB, first scan, manual work."""
    say = progress or (lambda message: None)
    _check_moto_can_start()
    path = Path(db_path) if db_path is not None else demo_db_path()
    fresh_demo_db(path)
    data = load_demo_data()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    server = LocalMotoServer()
    try:
        say("Starting the local fake AWS (moto) on 127.0.0.1")
        endpoint = server.start()
        # moto answers the calls it does not implement (SSM, snapshot locks, backup
        # selections) with a 500 and logs a traceback for each; the scan turns them into
        # ERROR rows, so the tracebacks are only noise on the demo's terminal.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        server.reset()  # moto's state is per process: start from nothing every time
        say("Building the demo company's AWS account")
        built = build_demo_account(endpoint, data.account)
        timings["account"] = time.perf_counter() - clock
        with open_database(path) as db:
            with db.session() as session:
                engagement = create_demo_engagement(session, data, ACCOUNT_ID)
                engagement_id = engagement.id
            say("Scanning the demo account (every check, read-only)")
            clock = time.perf_counter()
            # In a child process, as the GUI's scans run (the bundle's check covers it).
            request = ScanRequest(
                functools.partial(LocalEndpointSession, endpoint),
                data.engagement_name,
                actor=DEMO_ACTOR,
            )
            try:
                outcome = run_in_child(request, db)
            except ChildFailed as exc:
                raise DemoError(f"The demo's first scan did not finish: {exc}") from exc
            assert isinstance(outcome, ScanOutcome)
            timings["scan"] = time.perf_counter() - clock
            say("Adding the demo's scan history (generated: earlier weekly scans)")
            clock = time.perf_counter()
            with db.session() as session:
                add_demo_history(
                    session,
                    get_engagement(session, engagement_id),
                    outcome.scan_id or 0,
                    actor=DEMO_ACTOR,
                    today=outcome.started_at.date(),
                )
            timings["history"] = time.perf_counter() - clock
            say("Adding the demo's evidence, notes, exception and sign-offs")
            with db.session() as session:
                seed_manual_work(session, get_engagement(session, engagement_id), data, built)
    except BaseException:
        server.stop()
        raise
    return DemoEnvironment(
        server=server,
        endpoint=endpoint,
        db_path=path,
        engagement_id=engagement_id,
        engagement_name=data.engagement_name,
        account_id=outcome.identity.account_id,
        caller_arn=outcome.identity.caller_arn,
        scan=outcome,
        timings=timings,
    )
