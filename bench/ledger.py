"""Benchmark: the period ledger, and the binder, over 365 daily scans of the demo account
(figures printed).

Run: `.venv/bin/python bench/ledger.py [--days 365] [--multiply 1] [--repeat 5]
[--binder] [--keep DIR]` (`--multiply N`: each scan stores the demo's rows N times over,
as a bigger account would).
Scans the demo account once for real (local fake AWS, as `audit-binder demo` does; the
demo's own generated weekly history is removed first), then stores that scan's result
rows again once a day for a year through the store's own API (`app.demo.history`), with
shifted dates: `cloudtrail` fails for three weeks, `no-iam-access-keys` for five days,
`sg-inbound` is failing since ten days ago, one scan a month ERRORs on
`encryption-at-rest`, and a week of scheduled scans failed (credentials expired). Then
times `build_ledger` for the whole engagement in a fresh session (aim: under 2 s) and,
with `--binder`, exports the signed binder in a fresh session and prints its size and
time (aim: under 20 MB and 10 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAILING = {"cloudtrail": (90, 111), "no-iam-access-keys": (200, 205)}  # day ranges, from the start
OPEN_FAILURE = ("sg-inbound", 10)  # failing for the last N days
ERROR_CONTROL = "encryption-at-rest"
FAILED_SCAN_DAYS = range(150, 157)  # the job ran, the credentials had expired
EXPIRED = "the IAM Identity Center session is missing or expired"


def demo_scan(db_path: Path) -> tuple[int, str]:
    """A real scan of the demo account into `db_path`: (engagement id, account id)."""
    from app.demo.session import start_demo

    print("scanning the demo account once (local fake AWS)...", flush=True)
    environment = start_demo(db_path)
    environment.stop()
    return environment.engagement_id, environment.account_id


def _status_for(control: str, status: str, day: int, days: int) -> str:
    """The demo scan's status, except that the bench controls pass outside their
    failure spans and fail inside them."""
    first, last = FAILING.get(control, (-1, -2))
    failing = first <= day <= last
    if control == OPEN_FAILURE[0]:
        failing = day >= days - OPEN_FAILURE[1]
    elif control not in FAILING:
        if control == ERROR_CONTROL and day % 30 == 15:
            return "ERROR"
        return status
    if status in ("PASS", "FAIL"):
        return "FAIL" if failing else "PASS"
    return status


def _changed(day: int, days: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def change(row: dict[str, Any]) -> dict[str, Any]:
        return dict(row, status=_status_for(row["control_id"], row["status"], day, days))

    return change


def fill(db_path: Path, days: int, multiply: int = 1) -> tuple[int, int]:
    """Store `days` daily copies of the demo scan; (engagement id, rows per scan)."""
    from sqlalchemy import select

    from app.demo.history import scan_rows, store_past_scan
    from app.store.database import open_database
    from app.store.engagements import get_engagement, update_engagement
    from app.store.models import Scan
    from app.store.schedule import Every, ScanSchedule, set_engagement_schedule

    engagement_id, _ = demo_scan(db_path)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    first_day = today - timedelta(days=days - 1)
    with open_database(db_path) as db:
        with db.session() as session:
            source = session.scalars(
                select(Scan)
                .where(Scan.engagement_id == engagement_id)
                .order_by(Scan.started_at.desc())
            ).first()
            assert source is not None
            rows = [
                dict(row, resource=f"{row['resource']}#{copy}" if copy else row["resource"])
                for row in scan_rows(session, source.id)
                for copy in range(multiply)
            ]
            for scan in list(session.scalars(select(Scan))):  # the demo's scans: ours only
                if scan.id != source.id:
                    session.delete(scan)
        started = time.perf_counter()
        for day in range(days):
            at = first_day + timedelta(days=day)
            with db.session() as session:
                engagement = get_engagement(session, engagement_id)
                store_past_scan(
                    session,
                    engagement,
                    source,
                    rows,
                    at,
                    actor="bench",
                    change=_changed(day, days),
                    error=EXPIRED if day in FAILED_SCAN_DAYS else "",
                )
        with db.session() as session:
            session.delete(session.get(Scan, source.id))
        print(f"{'store ' + str(days) + ' daily scans':<44} {time.perf_counter() - started:8.1f} s")
        with db.session() as session:
            engagement = get_engagement(session, engagement_id)
            update_engagement(
                session,
                engagement,
                actor="bench",
                period_start=first_day.date(),
                period_end=today.date(),
            )
            set_engagement_schedule(session, engagement, ScanSchedule(Every.DAILY), actor="bench")
    return engagement_id, len(rows)


def timed_runs(action: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    seconds: list[float] = []
    value: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        value = action()
        seconds.append(time.perf_counter() - started)
    return seconds, value


def measure(db_path: Path, engagement_id: int, repeat: int) -> None:
    from app.services.ledger import build_ledger
    from app.store.database import open_database
    from app.store.engagements import get_engagement

    with open_database(db_path) as db:

        def once() -> Any:
            with db.session() as session:  # a fresh session each time: nothing cached
                return build_ledger(session, get_engagement(session, engagement_id))

        seconds, ledger = timed_runs(once, repeat)
    print(f"{'build_ledger, whole engagement (median)':<44} {statistics.median(seconds):8.3f} s")
    print(f"{'build_ledger, slowest of ' + str(repeat):<44} {max(seconds):8.3f} s")
    (account,) = ledger.accounts
    print(f"{'complete scans counted':<44} {account.coverage.scans:8d}")
    print(f"{'coverage gaps':<44} {len(account.coverage.gaps):8d}")
    for control in ("cloudtrail", "no-iam-access-keys", "sg-inbound", "encryption-at-rest"):
        found = account.control(control)
        if found is not None:
            print(f"  {control}: {found.sentence}")


def measure_binder(db_path: Path, engagement_id: int, pdf: Path) -> None:
    from app.report.binder import export_binder
    from app.signing.identity import new_identity
    from app.store.database import open_database
    from app.store.engagements import get_engagement

    with open_database(db_path) as db, db.session() as session:
        name = get_engagement(session, engagement_id).name
        started = time.perf_counter()
        signer = new_identity("bench", "bench-host", source="the benchmark")
        summary = export_binder(session, name, pdf, signer=signer, actor="bench")
        seconds = time.perf_counter() - started
    print(f"{'binder export, signed (one run)':<44} {seconds:8.1f} s")
    print(f"{'binder size':<44} {summary.size_bytes / 1e6:8.1f} MB")
    print(f"{'binder pages':<44} {summary.pages:8d}")
    print(f"{'scans listed / result files embedded':<44} {summary.scans:>4d} / {_embedded(pdf)}")


def _embedded(pdf: Path) -> int:
    from pypdf import PdfReader

    return sum(1 for name in PdfReader(pdf).attachments if name.startswith("scan-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--multiply", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--binder", action="store_true", help="also export the binder")
    parser.add_argument("--keep", type=Path, help="keep the DB (and binder) in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / "ledger-bench.sqlite3"
        engagement_id, per_scan = fill(db_path, args.days, args.multiply)
        print(f"{'result rows per scan (the demo scan)':<44} {per_scan:8d}")
        print(f"{'database size':<44} {db_path.stat().st_size / 1e6:8.1f} MB")
        measure(db_path, engagement_id, args.repeat)
        if args.binder:
            measure_binder(db_path, engagement_id, folder / "ledger-bench.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
