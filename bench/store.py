"""Benchmark: the store with a realistic engagement (figures printed, nothing asserted).

Run: `.venv/bin/python bench/store.py [--results 20000] [--attachment-mb 20]`.
Times: opening a new DB (migrate to head), storing a scan's results, deriving every
control's status, the Statement of Applicability (rows, CSV and XLSX, deciding all 93
and approving), exporting the engagement to one file, importing it elsewhere.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.controls.catalogue import CONTROL_IDS as CONTROLS  # noqa: E402 (after sys.path)

T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = action()
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=int, default=20000)
    parser.add_argument("--attachment-mb", type=int, default=20)
    args = parser.parse_args()

    from datetime import UTC, datetime

    from app.controls.catalogue import load_catalogue
    from app.controls.results import CheckResult, Evidence, Status
    from app.services import soa
    from app.services.soa_model import DecisionChange
    from app.services.soa_table import csv_text, xlsx_bytes
    from app.store.attachments import add_attachment
    from app.store.control_status import control_summaries
    from app.store.database import open_database
    from app.store.engagements import create_engagement
    from app.store.scans import add_results, finish_scan, start_scan
    from app.store.signoffs import sign_off
    from app.store.transfer import export_engagement, import_engagement

    statuses = (Status.PASS, Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR)
    results = [
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
        for n in range(args.results)
    ]
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        db = timed("open new database (migrate to head)", lambda: open_database(here / "a.sqlite3"))
        with db.session() as session:
            engagement = create_engagement(session, "Bench", actor="bench")
            scan = start_scan(session, engagement, account_id="123456789012", actor="bench")
        with db.session() as session:
            session.add(scan)
            timed(f"store {args.results} results", lambda: add_results(session, scan, results))
            finish_scan(session, scan, actor="bench")
            for n in range(10):
                content = os.urandom(args.attachment_mb * 1024 * 1024 // 10)
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
            timed("SoA: as CSV", lambda: csv_text(rows))
            timed("SoA: as XLSX", lambda: xlsx_bytes(rows, engagement="Bench", state=state))
            target = here / "bench.audit-binder"
            timed(
                "export engagement",
                lambda: export_engagement(session, engagement, target, actor="b"),
            )
        print(f"{'export file size':<44} {target.stat().st_size / 1e6:8.1f} MB")
        other = open_database(here / "b.sqlite3")
        with other.session() as session:
            timed(
                "import engagement (all hashes verified)",
                lambda: import_engagement(session, target, actor="b"),
            )
        other.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
