"""Every table of the binder, filled with the longest values it can hold, keeps every
cell inside its column: no status overprinting the next column, no ARN running over.

The binder is built from a store holding the extremes (NOT_APPLICABLE and excepted
statuses, long ARNs, ids, regions, names, errors; two accounts; scans that differ in
regions); every reportlab Table laid out while the PDF is written is recorded and each
cell measured against its column's width.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.controls.results import CheckResult, Status
from app.evidence import Evidence, utc_now
from app.report.binder import export_binder
from app.store.accounts import add_account
from app.store.attachments import add_attachment
from app.store.control_states import set_control_state
from app.store.database import open_database
from app.store.engagements import create_engagement
from app.store.models import Engagement
from app.store.risk import add_exception
from app.store.scan_state import ScanState
from app.store.scans import add_results, finish_scan, start_scan
from app.store.signoffs import sign_off

ACCOUNTS = ("123456789012", "210987654321")
LONG_WORD = "Ab" * 40  # no space to break at
LONG_ARN = (
    "arn:aws-us-gov:iam::123456789012:policy/" + "service-role/" * 12 + "P" * 128
)  # an IAM policy ARN with the longest path and name AWS allows in practice
LONG_REGION = "ap-southeast-7"
STATUSES = (Status.NOT_APPLICABLE, Status.ERROR, Status.FAIL, Status.PASS)


def _rows(
    catalogue: Catalogue, account: str, regions: tuple[str, ...], n: int
) -> list[CheckResult]:
    """Every check's rows in `regions` and "global", every status; `n` shifts the statuses
    and renames every other check's resources (new and removed resources between scans)."""
    rows = []
    for control in catalogue.controls:
        for number, check in enumerate(control.checks):
            renamed = f"-v{n}" if number % 2 else ""
            for index, region in enumerate((*regions, "global")):
                status = STATUSES[(index + number + n) % len(STATUSES)]
                rows.append(
                    CheckResult(
                        control.id,
                        check.id,
                        region,
                        f"{LONG_ARN}-{control.id}-{check.id}-{region}{renamed}",
                        status,
                        f"{LONG_WORD} {status.value} " * 3,
                        account,
                        (
                            Evidence(
                                f"ec2:{LONG_WORD[:40]}",
                                {"Filters": [{"Name": LONG_WORD, "Values": [LONG_ARN]}]},
                                region,
                                utc_now(),
                                {"x": LONG_WORD},
                            ),
                        ),
                    )
                )
    return rows


def _scan(
    session: Session,
    engagement: Engagement,
    account: str,
    regions: tuple[str, ...],
    rows: list[CheckResult],
    state: ScanState = ScanState.COMPLETE,
    error: str = "",
) -> None:
    scan = start_scan(
        session,
        engagement,
        account_id=account,
        actor="t",
        caller_arn=f"arn:aws:sts::{account}:assumed-role/{LONG_WORD}/{LONG_WORD}@example.com",
        regions=regions,
    )
    add_results(session, scan, rows)
    finish_scan(session, scan, state, actor="t", error=error, skipped_regions=("me-central-1",))


def _fill(session: Session, catalogue: Catalogue) -> str:
    name = f"{LONG_WORD} engagement"
    engagement = create_engagement(
        session,
        name,
        actor="t",
        client=f"{LONG_WORD} GmbH",
        period_start=date.today() - timedelta(days=1),
        period_end=date.today() + timedelta(days=30),
        regions=("us-east-1", LONG_REGION),
    )
    for account in ACCOUNTS:
        add_account(session, engagement, account, actor="t", alias=LONG_WORD)
    both = ("us-east-1", LONG_REGION)
    _scan(session, engagement, ACCOUNTS[0], both, _rows(catalogue, ACCOUNTS[0], both, 0))
    _scan(session, engagement, ACCOUNTS[0], both[:1], _rows(catalogue, ACCOUNTS[0], both[:1], 1))
    _scan(session, engagement, ACCOUNTS[1], both, _rows(catalogue, ACCOUNTS[1], both, 2))
    every_region = ", ".join(f"{LONG_REGION}-{n}" for n in range(40))
    _scan(
        session,
        engagement,
        ACCOUNTS[1],
        (),
        [],
        ScanState.FAILED,
        f"Unknown region(s): {every_region}",
    )
    _scan(session, engagement, ACCOUNTS[1], both, [], ScanState.INCOMPLETE, f"{LONG_WORD} " * 30)
    first = catalogue.controls[0].id
    set_control_state(session, engagement, first, actor="t", owner=LONG_WORD, notes=LONG_WORD)
    for control in (first, "sg-inbound"):
        add_exception(
            session,
            engagement,
            control,
            actor="t",
            justification=LONG_WORD,
            approver=f"{LONG_WORD}@example.com",
            expires_on=date.today() + timedelta(days=60),
            resource_pattern=f"{LONG_ARN}*",
        )
    sign_off(
        session, engagement, "cloudtrail", reviewer=LONG_WORD, role=LONG_WORD, comment=LONG_WORD
    )
    add_attachment(
        session,
        engagement,
        "backups",
        name=f"{LONG_WORD}.txt",
        content=b"x",
        actor="t",
        description=LONG_WORD,
    )
    return name


@dataclass
class Laid:
    tables: list[Table]


@pytest.fixture(scope="module")
def laid(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Iterator[Laid]:
    folder = tmp_path_factory.mktemp("extremes")
    seen: list[Table] = []
    real_wrap = Table.wrap

    def recording_wrap(self: Table, *args: Any) -> Any:
        laid_out = real_wrap(self, *args)
        seen.append(self)
        return laid_out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Table, "wrap", recording_wrap)
        with open_database(folder / "db.sqlite3") as db, db.session() as session:
            name = _fill(session, catalogue)
            export_binder(session, name, folder / "binder.pdf", catalogue=catalogue)
    yield Laid(list({id(t): t for t in seen}.values()))


def _overflow(value: Any, avail: float, style: Any) -> float:
    """How far a cell's content runs past `avail` points (0: it fits)."""
    if isinstance(value, str):
        widest = max(
            stringWidth(line, style.fontname, style.fontsize) for line in value.split("\n")
        )
        return max(0.0, widest - avail)
    if isinstance(value, (list, tuple)):
        return max((_overflow(item, avail, style) for item in value), default=0.0)
    if isinstance(value, Paragraph):
        value.wrap(avail, 1e6)
        return max(0.0, max(value.getActualLineWidths0(), default=0.0) - avail)
    if isinstance(value, Flowable):
        width, _ = value.wrap(avail, 1e6)
        return max(0.0, width - avail)
    return 0.0


def test_no_cell_of_any_table_runs_past_its_column(laid: Laid) -> None:
    problems = []
    for table in laid.tables:
        spans = getattr(table, "_spanRanges", {})  # only tables with spans have it
        for r, row in enumerate(table._cellvalues):
            for c, value in enumerate(row):
                span = spans.get((c, r), (c, r, c, r))
                if span is None:
                    continue  # covered by a spanning cell
                style = table._cellStyles[r][c]
                width = sum(table._colWidths[span[0] : span[2] + 1])
                avail = width - style.leftPadding - style.rightPadding
                over = _overflow(value, avail, style)
                if over > 0.5:
                    text = value if isinstance(value, str) else getattr(value, "text", value)
                    problems.append(f"{str(text)[:40]!r} runs {over:.1f} pt past its column")
    assert len(laid.tables) > 10
    assert problems == [], "\n".join(problems)


def test_the_statuses_are_shown_whole_and_not_applicable_abbreviated(laid: Laid) -> None:
    cells = [
        value
        for table in laid.tables
        for row in table._cellvalues
        for value in row
        if isinstance(value, str)
    ]
    assert cells.count("N/A") > 20  # population and changes tables alike
    # (Details may say NOT_APPLICABLE; no status cell does.)
    assert [cell for cell in cells if cell.split()[:1] == ["NOT_APPLICABLE"]] == []
    assert any(cell.startswith("FAIL") and "exc." in cell for cell in cells)


def test_account_ids_stay_on_one_line(laid: Laid) -> None:
    cells = [value for t in laid.tables for row in t._cellvalues for value in row]
    assert any(cell == ACCOUNTS[1] for cell in cells)  # in the history and population tables
    assert not [
        c for c in cells if isinstance(c, str) and c.replace("\n", "") in ACCOUNTS and "\n" in c
    ]
