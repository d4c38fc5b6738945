"""Benchmark: the store with a realistic engagement, on SQLite and on PostgreSQL (figures
printed, nothing asserted).

Run: `.venv/bin/python bench/store.py [--results 20000] [--attachment-mb 20]
[--backend both|sqlite|postgresql] [--server URL]`.
Times: opening a new store (migrate to head), storing a scan's results, deriving every
control's status, the Statement of Applicability (deciding all 93 rows and approving,
rows, the app's SoA view, CSV and XLSX), the dashboard's next steps, exporting the
engagement to one file, importing it elsewhere.
PostgreSQL runs on a throwaway local cluster (the test suite's, from the `postgresql`
package), or on the server whose admin URL `--server` gives (two scratch databases are
created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.controls.catalogue import CONTROL_IDS as CONTROLS  # noqa: E402 (after sys.path)
from app.controls.results import CheckResult  # noqa: E402
from app.store.location import StoreLocation  # noqa: E402
from app.store.models import Engagement  # noqa: E402

T = TypeVar("T")
NewStore = Callable[[str], StoreLocation]


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = action()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return value


def make_results(count: int) -> list[CheckResult]:
    from datetime import UTC, datetime

    from app.controls.results import Status
    from app.evidence import Evidence

    statuses = (Status.PASS, Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR)
    return [
        CheckResult(
            control=CONTROLS[n % len(CONTROLS)],
            check="bench-check",
            region="eu-west-1",
            resource=f"arn:aws:ec2:eu-west-1:123456789012:thing/{n}",
            status=statuses[n % len(statuses)],
            detail="benchmark row",
            account_id="123456789012",
            evidence=(
                Evidence("ec2:DescribeThings", {"Id": n}, "eu-west-1", datetime.now(UTC), {"n": n}),
            ),
        )
        for n in range(count)
    ]


def bench(
    new_store: NewStore, folder: Path, results: list[CheckResult], attachment_mb: int
) -> None:
    from app.controls.catalogue import load_catalogue
    from app.store.attachments import add_attachment
    from app.store.control_status import control_summaries
    from app.store.database import open_database
    from app.store.engagements import create_engagement
    from app.store.scans import add_results, finish_scan, start_scan
    from app.store.signoffs import sign_off
    from app.store.transfer_export import export_engagement
    from app.store.transfer_import import import_engagement

    first = new_store("a")
    db = timed("open new store (migrate to head)", lambda: open_database(first))
    with db.session() as session:
        engagement = create_engagement(session, "Bench", actor="bench")
        scan = start_scan(session, engagement, account_id="123456789012", actor="bench")
    with db.session() as session:
        session.add(scan)
        timed(f"store {len(results)} results", lambda: add_results(session, scan, results))
        finish_scan(session, scan, actor="bench")
        for n in range(10):
            content = os.urandom(attachment_mb * 1024 * 1024 // 10)
            add_attachment(
                session, engagement, "backups", name=f"f{n}.bin", content=content, actor="b"
            )
        sign_off(session, engagement, "backups", reviewer="bench")
    with db.session() as session:
        session.add(engagement)
        catalogue = load_catalogue()
        timed(
            f"status of all {len(catalogue.controls)} controls",
            lambda: control_summaries(session, engagement, catalogue.controls),
        )
        bench_soa(session, engagement)
        target = folder / "bench.audit-binder"
        timed(
            "export engagement", lambda: export_engagement(session, engagement, target, actor="b")
        )
    print(f"{'export file size':<44} {target.stat().st_size / 1e6:8.1f} MB")
    other = open_database(new_store("b"))
    with other.session() as session:
        timed(
            "import engagement (all hashes verified)",
            lambda: import_engagement(session, target, actor="b"),
        )
    other.close()
    db.close()


def bench_soa(session: Session, engagement: Engagement) -> None:
    from app.controls.catalogue import load_catalogue
    from app.services import soa
    from app.services.next_steps import next_steps
    from app.services.soa_model import DecisionChange
    from app.services.soa_table import csv_text, xlsx_bytes
    from app.services.soa_view import load_view

    catalogue = load_catalogue()
    ids = [c.id for c in catalogue.criteria_of("iso27001")]
    change = DecisionChange(applies=True, reason="risk-treatment", owner="CTO")
    timed(
        f"SoA: decide all {len(ids)} rows at once",
        lambda: soa.decide(session, engagement, catalogue, ids, change, actor="b"),
    )
    timed(
        "SoA: approve",
        lambda: soa.approve(session, engagement, catalogue, reviewer="b", role="CISO"),
    )
    rows = timed(
        f"SoA: {len(ids)} rows with implementation",
        lambda: soa.soa_rows(session, engagement, catalogue),
    )
    state = soa.soa_state(session, engagement, catalogue)
    timed(
        "SoA screen: its view (ISO + SOC 2 rows)",
        lambda: load_view(session, engagement.id, catalogue),
    )
    timed("dashboard: what to do next", lambda: next_steps(session, engagement, catalogue))
    timed("SoA: as CSV", lambda: csv_text(rows))
    timed("SoA: as XLSX", lambda: xlsx_bytes(rows, engagement="Bench", state=state))


@contextmanager
def postgres_stores(server_url: str | None) -> Iterator[NewStore]:
    """New empty databases on the given server, or on a throwaway local cluster."""
    from sqlalchemy.engine import make_url

    from tests.postgres import PgServer, start_server

    if server_url:
        server = PgServer(admin=make_url(server_url).set(drivername="postgresql+psycopg"))
    else:
        server = start_server()
    made: list[StoreLocation] = []

    def new_store(label: str) -> StoreLocation:
        made.append(server.new_store(empty=True))
        return made[-1]

    try:
        yield new_store
    finally:
        for location in made:
            server.drop(location)
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=int, default=20000)
    parser.add_argument("--attachment-mb", type=int, default=20)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--server", help="admin URL of a PostgreSQL server to use")
    args = parser.parse_args()
    results = make_results(args.results)
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        if args.backend in ("both", "sqlite"):
            print("== SQLite file")
            bench(lambda label: StoreLocation(path=here / f"{label}.sqlite3"), here, results,
                  args.attachment_mb)  # fmt: skip
        if args.backend in ("both", "postgresql"):
            print("== PostgreSQL" + (" (given server)" if args.server else " (local cluster)"))
            from tests.postgres import PostgresUnavailable

            try:
                with postgres_stores(args.server) as new_store:
                    bench(new_store, here, results, args.attachment_mb)
            except PostgresUnavailable as error:
                print(f"PostgreSQL skipped: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
