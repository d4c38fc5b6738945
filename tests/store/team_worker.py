"""One member of a team, as a separate process: `python -m tests.store.team_worker ...`.

Used by `test_concurrency.py`: two of these run at once against the same store and
engagement. Each waits for the start signal (a file appearing), then scans the account
(moto, through `AWS_ENDPOINT_URL`), attaches files, signs off controls and edits the
note both read beforehand, and prints what it did as one JSON object. Nothing is
retried: a writer must wait for the other (SQLite's busy timeout, PostgreSQL's locks),
never fail as busy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import boto3

from app.scan.request import ScanRequest
from app.scan.runner import run_scan
from app.store.attachments import add_attachment
from app.store.control_states import control_state, set_control_state
from app.store.database import Database, open_database
from app.store.engagements import engagement_named
from app.store.errors import EditConflict
from app.store.signoffs import sign_off

ENGAGEMENT = "Acme 2026"
NOTE_CONTROL = "backups"
SIGN_OFF_CONTROLS = ("backups", "sg-inbound", "no-ssh")
SCAN_CONTROLS = ("sg-inbound", "no-ssh", "default-vpcs")


def _read_note_version(db: Database) -> datetime | None:
    with db.session() as session:
        state = control_state(session, engagement_named(session, ENGAGEMENT), NOTE_CONTROL)
        return state.updated_at if state else None


def _attach(db: Database, name: str, number: int) -> str:
    content = f"{name} evidence {number}\n".encode() * 50
    with db.session() as session:
        engagement = engagement_named(session, ENGAGEMENT)
        add_attachment(session, engagement, "backups", name=f"{name}-{number}.txt",
                       content=content, actor=name)  # fmt: skip
    return hashlib.sha256(content).hexdigest()


def _sign(db: Database, name: str, number: int) -> str:
    with db.session() as session:
        engagement = engagement_named(session, ENGAGEMENT)
        control = SIGN_OFF_CONTROLS[number % len(SIGN_OFF_CONTROLS)]
        return sign_off(
            session, engagement, control, reviewer=name, comment=str(number)
        ).record_hash


def _edit_note(db: Database, name: str, expected: datetime | None) -> str:
    try:
        with db.session() as session:
            engagement = engagement_named(session, ENGAGEMENT)
            set_control_state(session, engagement, NOTE_CONTROL, actor=name,
                              notes=f"restore tested by {name}", expected=expected)  # fmt: skip
    except EditConflict as conflict:
        return f"conflict: {conflict}"
    return "saved"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("name")
    parser.add_argument("start_signal", type=Path)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    db = open_database(args.store)
    note_version = _read_note_version(db)
    print("ready", file=sys.stderr, flush=True)
    deadline = time.monotonic() + 60
    while not args.start_signal.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.005)
    note = _edit_note(db, args.name, note_version)
    with ThreadPoolExecutor(1) as background:  # the scan runs while the reviewer works
        scanning = background.submit(
            run_scan,
            ScanRequest(
                boto3.Session,
                ENGAGEMENT,
                controls=SCAN_CONTROLS,
                regions=["us-east-1"],
                actor=args.name,
            ),
            db,
        )
        files, chain = [], []
        for number in range(args.rounds):
            files.append(_attach(db, args.name, number))
            chain.append(_sign(db, args.name, number))
            time.sleep(0.01)  # a person does not sign twice in a millisecond: let others in
        outcome = scanning.result()
    db.close()
    report = {
        "scan": outcome.scan_id,
        "results": len(outcome.results),
        "attachments": files,
        "sign_offs": chain,
        "note": note,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
