"""Results as they arrive: each control is checked and handed over as soon as the inventory
parts it needs are in, while other parts are still being fetched; the stored set is the same.

Determinism without timing: a client hook holds one part's call (backup:ListBackupPlans,
needed only by "backups") until the first control's results arrive. Were results only
handed over at the end, that wait would run out and the test would say so.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import boto3
from sqlalchemy import func, select

from app.aws.clients import ClientHook
from app.controls.results import CheckResult
from app.scan.needs import NEEDS
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import ALL_CONTROLS, run_scan
from app.store.database import open_database
from app.store.models import ResultRow
from tests.scan.scenario import HOME, Built

HELD = "backup_plans"
GIVE_UP_SECONDS = 60.0  # only reached when results do not arrive early (the test then fails)


class Journal:
    """What happened, in order, across the scan's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.delivered: dict[str, list[CheckResult]] = {}
        self.first_results = threading.Event()
        self.waits: list[bool] = []

    def add(self, kind: str, what: str) -> None:
        with self._lock:
            self.events.append((kind, what))

    def on_results(self, control: str, rows: list[CheckResult]) -> None:
        with self._lock:
            assert control not in self.delivered, f"{control} delivered twice"
            self.delivered[control] = rows
        self.add("results", control)
        self.first_results.set()

    def hold_backup_plans(self) -> ClientHook:
        def hook(client: Any) -> None:
            def before_call(**_: Any) -> None:
                self.add("held", "ListBackupPlans")
                released = self.first_results.wait(GIVE_UP_SECONDS)
                with self._lock:
                    self.waits.append(released)
                self.add("released", "ListBackupPlans")

            client.meta.events.register("before-call.backup.ListBackupPlans", before_call)

        return hook


def test_controls_arrive_before_the_last_part_and_add_up_to_the_stored_results(
    scan_env: Built, tmp_path: Path
) -> None:
    journal = Journal()
    with open_database(tmp_path / "live.sqlite3") as db:
        outcome = run_scan(
            ScanRequest(
                boto3.Session,
                "Live",
                regions=[HOME],
                actor="t",
                hooks=[journal.hold_backup_plans()],
            ),
            db,
            ScanWatch(on_results=journal.on_results),
        )
        with db.session() as session:
            stored = session.scalar(
                select(func.count()).where(ResultRow.scan_id == outcome.scan_id)
            )
    assert outcome.state == "complete"
    # The held part was released by a control's results, not by giving up.
    assert journal.waits and all(journal.waits), journal.events
    kinds = [kind for kind, _ in journal.events]
    first_results = kinds.index("results")
    last_release = len(kinds) - 1 - kinds[::-1].index("released")
    assert first_results < last_release  # results arrived while a part was still fetching
    # Controls needing the held part came after it; one not needing it came before.
    order = [what for kind, what in journal.events if kind == "results"]
    assert journal.events.index(("results", "backups")) > last_release
    assert HELD not in NEEDS[order[0]]
    # Each control exactly once; together exactly the outcome (and what was stored).
    assert sorted(journal.delivered) == sorted(ALL_CONTROLS)
    in_order = [row for control in ALL_CONTROLS for row in journal.delivered[control]]
    assert in_order == list(outcome.results)
    assert all(r.control == c for c, rows in journal.delivered.items() for r in rows)
    assert stored == len(outcome.results) > len(ALL_CONTROLS)


def test_a_failing_results_callback_costs_nothing(scan_env: Built, tmp_path: Path) -> None:
    calls: list[str] = []

    def broken(control: str, rows: list[CheckResult]) -> None:
        calls.append(control)
        raise RuntimeError("display went away")

    with open_database(tmp_path / "live.sqlite3") as db:
        outcome = run_scan(
            ScanRequest(
                boto3.Session, "Live", controls=["nacls", "cloudtrail"], regions=[HOME], actor="t"
            ),
            db,
            ScanWatch(on_results=broken),
        )
    assert outcome.state == "complete"
    assert sorted(calls) == ["cloudtrail", "nacls"]
    assert {r.control for r in outcome.results} == {"cloudtrail", "nacls"}
