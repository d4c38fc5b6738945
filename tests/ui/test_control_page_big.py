"""A control with a big population (2,000 rows): one table model, no per-row widgets,
evidence read only for the row looked at, filter and sort over every row.

How fast it is goes in `bench/control_page.py`; here only what must hold."""
# ruff: noqa: F811  # pytest fixtures are imported by name from controls_fixtures

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.controls.results import CheckResult, Status
from app.evidence import Evidence
from app.store import scans as store_scans
from app.store.database import Database
from app.store.engagements import create_engagement
from app.ui.context import AppContext
from app.ui.control_page import ControlPage
from app.ui.control_page.results_model import LINE_ROLE
from tests.ui.controls_fixtures import ACCOUNT, ARN, db, engagement_id, sg_arn, signed_in  # noqa: F401

ROWS = 2000
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "eu-central-1")


def _group(number: int) -> str:
    return f"sg-{number:017x}"


def _big_engagement(db: Database) -> int:
    """An engagement whose one scan judged 2,000 security groups (every 7th failing)."""
    now = datetime.now(UTC)
    with db.session() as session:
        engagement = create_engagement(session, "Big", actor=ARN)
        scan = store_scans.start_scan(
            session, engagement, account_id=ACCOUNT, actor=ARN, controls=["sg-inbound"]
        )
        results = [
            CheckResult(
                control="sg-inbound",
                check="sg-inbound-restricted",
                region=REGIONS[n % len(REGIONS)],
                resource=sg_arn(_group(n), REGIONS[n % len(REGIONS)]),
                status=Status.FAIL if n % 7 == 0 else Status.PASS,
                detail=f"rule {n}: tcp 22 open" if n % 7 == 0 else "no world-open rule",
                account_id=ACCOUNT,
                evidence=(
                    Evidence(
                        operation="ec2:DescribeSecurityGroups",
                        parameters={"GroupIds": [_group(n)]},
                        region=REGIONS[n % len(REGIONS)],
                        collected_at=now,
                        excerpt={"GroupId": _group(n)},
                    ),
                ),
            )
            for n in range(ROWS)
        ]
        store_scans.add_results(session, scan, results)
        store_scans.finish_scan(session, scan, actor=ARN)
        return engagement.id


def _page(ctx: AppContext, qtbot: QtBot, engagement: int) -> ControlPage:
    page = ControlPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    page.show_control(engagement, "sg-inbound")
    page.tabs.setCurrentWidget(page.results)
    return page


def test_two_thousand_rows_in_one_model_without_per_row_widgets(
    ctx: AppContext, db: Database, engagement_id: int, qtbot: QtBot
) -> None:
    small = _page(ctx, qtbot, engagement_id)
    big = _page(ctx, qtbot, _big_engagement(db))
    failing = len(range(0, ROWS, 7))
    assert big.results.model.rowCount() == big.results.proxy.rowCount() == ROWS
    assert isinstance(big.results.model, QAbstractTableModel)
    assert big.tabs.tabText(1) == f"Results ({ROWS}, {failing} failing)"
    assert big.results.shown_count.text() == f"{ROWS} of {ROWS} shown"
    # Same widgets whether the control has 4 rows or 2,000.
    assert len(big.findChildren(QWidget)) == len(small.findChildren(QWidget))
    proxy = big.results.proxy
    assert all(
        big.results.table.indexWidget(proxy.index(row, column)) is None
        for row in range(0, ROWS, 97)
        for column in range(proxy.columnCount())
    )
    # Failures first, each row once.
    lines = [proxy.index(r, 0).data(LINE_ROLE) for r in range(ROWS)]
    assert [line.status for line in lines[:failing]] == ["FAIL"] * failing
    assert len({line.row_id for line in lines}) == ROWS
    # No evidence JSON was decoded for the table; a row's is read when it is selected.
    assert not any(line.evidence_loaded for line in lines)
    table = big.results.table
    table.setFocus()
    table.setCurrentIndex(proxy.index(0, 0))
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    second = proxy.index(1, 0).data(LINE_ROLE)
    assert second.evidence_loaded
    text = big.results.viewer.text.toPlainText()
    assert "API call: ec2:DescribeSecurityGroups" in text
    assert second.resource.rsplit("/", 1)[-1] in text


def test_filter_and_sort_over_two_thousand_rows(
    ctx: AppContext, db: Database, qtbot: QtBot
) -> None:
    page = _page(ctx, qtbot, _big_engagement(db))
    results = page.results
    wanted = _group(1234)
    qtbot.keyClicks(results.filter_box, wanted[-6:])
    shown = [results.proxy.index(r, 0).data(LINE_ROLE) for r in range(results.proxy.rowCount())]
    assert [line.resource for line in shown] == [sg_arn(wanted, REGIONS[1234 % len(REGIONS)])]
    assert results.shown_count.text() == f"1 of {ROWS} shown"
    results.filter_box.clear()
    results.status_filter.setCurrentIndex(results.status_filter.findData("FAIL"))
    assert results.proxy.rowCount() == len(range(0, ROWS, 7))
    results.status_filter.setCurrentIndex(0)
    # Sorting by Region through the header, both ways.
    header = results.table.horizontalHeader()
    results.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    regions = [results.proxy.index(r, 2).data() for r in range(ROWS)]
    assert regions == sorted(regions) and regions[0] == "ap-southeast-2"
    results.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    regions = [results.proxy.index(r, 2).data() for r in range(ROWS)]
    assert regions == sorted(regions, reverse=True)
    assert header.sortIndicatorSection() == 2
    # The selection follows its row through a sort.
    results.table.selectRow(5)
    chosen = results.selected_line()
    results.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    assert results.selected_line() == chosen
