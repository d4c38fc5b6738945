"""Benchmark: showing one control whose latest scan has many result rows (figures printed).

Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python bench/control_page.py [--rows 2000]`.
Times, on the GUI thread: the first `show_control` of the page (store reads, status
derivation, the table model, column sizing), a reload after a change, a free-text
filter over every row, and sorting by the Resource column. A separate figure shows
what the attachments add when the control has a few large evidence files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

T = TypeVar("T")
ACCOUNT = "123456789012"
ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/AuditRole/bench@example.com"
CONTROL = "sg-inbound"


def timed(action: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """The value of the last run and the median wall time in seconds."""
    times: list[float] = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def _fill(db_path: Path, rows: int, attachment_mb: int, files: int) -> int:
    from app.controls.results import CheckResult, Status
    from app.evidence import Evidence
    from app.store.attachments import add_attachment
    from app.store.database import open_database
    from app.store.engagements import create_engagement
    from app.store.scans import add_results, finish_scan, start_scan

    database = open_database(db_path)
    try:
        with database.session() as session:
            engagement = create_engagement(session, "Bench", actor=ARN, client="Bench")
            scan = start_scan(
                session, engagement, account_id=ACCOUNT, actor=ARN, controls=[CONTROL]
            )
            now = datetime.now(UTC)
            regions = ("us-east-1", "eu-west-1", "ap-southeast-2", "eu-central-1")
            results = []
            for number in range(rows):
                region = regions[number % len(regions)]
                group = f"sg-{number:017x}"
                failing = number % 7 == 0
                results.append(
                    CheckResult(
                        control=CONTROL,
                        check="sg-inbound-restricted",
                        region=region,
                        resource=f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{group}",
                        status=Status.FAIL if failing else Status.PASS,
                        detail="tcp 22 open to 0.0.0.0/0" if failing else "no world-open rule",
                        account_id=ACCOUNT,
                        evidence=(
                            Evidence(
                                operation="ec2:DescribeSecurityGroups",
                                parameters={"GroupIds": [group]},
                                region=region,
                                collected_at=now,
                                excerpt={
                                    "GroupId": group,
                                    "IpPermissions": [
                                        {"FromPort": 22, "ToPort": 22, "IpRanges": ["0.0.0.0/0"]}
                                    ],
                                },
                            ),
                        ),
                    )
                )
            add_results(session, scan, results)
            finish_scan(session, scan, actor=ARN)
            payload = os.urandom(attachment_mb * 1024 * 1024) if attachment_mb else b""
            for number in range(files if attachment_mb else 0):
                add_attachment(
                    session,
                    engagement,
                    CONTROL,
                    name=f"export-{number}.bin",
                    content=payload,
                    actor=ARN,
                )
            return engagement.id
    finally:
        database.close()


def measure(ctx: Any, engagement_id: int, rows: int) -> dict[str, float]:
    """Milliseconds for each step on one page (the GUI thread is busy for all of them)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app.ui.control_page import ControlPage

    app = QApplication.instance()
    assert app is not None
    page = ControlPage(ctx)
    page.resize(1200, 800)
    page.show()
    app.processEvents()
    figures: dict[str, float] = {}
    _, figures["first show_control"] = timed(lambda: page.show_control(engagement_id, CONTROL))
    app.processEvents()
    assert page.results.model.rowCount() == rows, "every row should be shown"
    _, figures["reload (median of 5)"] = timed(page.refresh, repeat=5)
    page.tabs.setCurrentWidget(page.results)
    app.processEvents()
    words = iter(["eu-west-1 sg-0000", "ap-southeast", "sg-00000000000007"] * 2)
    _, figures["filter as you type (median)"] = timed(
        lambda: page.results.filter_box.setText(next(words)), repeat=5
    )
    page.results.filter_box.clear()
    orders = iter([Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder] * 3)
    table = page.results.table
    _, figures["sort by resource (median)"] = timed(
        lambda: table.sortByColumn(3, next(orders)), repeat=5
    )
    table.selectRow(0)
    _, figures["select a row, read its evidence"] = timed(
        lambda: table.selectRow(table.currentIndex().row() + 1), repeat=5
    )
    _, figures["paint the results tab"] = timed(page.grab, repeat=3)
    page.close()
    page.deleteLater()
    return {step: seconds * 1000 for step, seconds in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--attachment-mb", type=int, default=20)
    parser.add_argument("--files", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from app.ui.launch import build_context
    from app.ui.settings import AppSettings
    from app.ui.workers import ImmediatePool

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        plain = _fill(Path(tmp) / "rows.sqlite3", args.rows, 0, 0)
        heavy = _fill(Path(tmp) / "files.sqlite3", args.rows, args.attachment_mb, args.files)
        cases = (
            (f"{args.rows} rows", "rows.sqlite3", plain),
            (
                f"{args.rows} rows + {args.files} x {args.attachment_mb} MB files",
                "files.sqlite3",
                heavy,
            ),
        )
        for label, db_name, engagement_id in cases:
            settings = AppSettings.at(Path(tmp) / f"{db_name}.ini")
            ctx = build_context(settings, ImmediatePool(), db_path=Path(tmp) / db_name)
            try:
                figures = measure(ctx, engagement_id, args.rows)
            finally:
                ctx.db.close()
            print(f"control page, {label}:")
            for step, ms in figures.items():
                print(f"  {step:<34} {ms:8.1f} ms")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
