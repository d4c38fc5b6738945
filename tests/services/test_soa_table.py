"""The SoA as CSV and XLSX: hostile cells round-trip exactly and never run as formulas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.services.soa import apply_table, decide, soa_rows, soa_state
from app.services.soa_model import DecisionChange
from app.services.soa_table import (
    COLUMNS,
    TableFileError,
    guard_cell,
    read_table,
    unguard_cell,
    write_csv,
    write_xlsx,
)
from app.store.decisions import decisions
from app.store.engagements import create_engagement
from app.store.models import Engagement

HOSTILE = {
    "A.5.1": ('=HYPERLINK("http://evil.test","click")', "+1 555 0100"),
    "A.5.2": ('-2+3 and a "quoted" word, a comma;\nand a second line', "@SUM(A1:A2)"),
    "A.7.1": ("'=already quoted\r\nCRLF inside", "\tTabbed Owner"),
    "A.7.2": ("<b>markup</b> & <script>alert(1)</script> Zoë 日本語 שלום 🔥", "Zoë Ng"),
    "A.8.20": ("'plain apostrophe", "-"),
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(
    "text", ["=1+1", "+", "-x", "@a", "\tx", "'=x", "''=x", "'x", "x=1", "", "'", "''"]
)
def test_guarding_a_cell_is_undone_exactly(text: str) -> None:
    guarded = guard_cell(text)
    assert not guarded.startswith(TRIGGERS)
    assert unguard_cell(guarded) == text


def _hostile(session: Session, engagement: Engagement, catalogue: Catalogue) -> None:
    for criterion, (justification, owner) in HOSTILE.items():
        decide(
            session,
            engagement,
            catalogue,
            [criterion],
            DecisionChange(applies=False, justification=justification, owner=owner),
            actor="ana",
        )


def test_a_csv_round_trip_gives_back_every_decision_exactly(
    session: Session, engagement: Engagement, small_catalogue: Catalogue, tmp_path: Path
) -> None:
    _hostile(session, engagement, small_catalogue)
    target = tmp_path / "soa.csv"

    write_csv(soa_rows(session, engagement, small_catalogue), target)

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(records[0]) == COLUMNS
    assert len(records) == 6
    assert not [cell for record in records for cell in record if cell.startswith(TRIGGERS)]
    # Into a fresh engagement: the same decisions, character for character.
    other = create_engagement(session, "Copy", actor="ana")
    apply_table(session, other, small_catalogue, read_table(target), actor="ana")
    assert decisions(session, other) == decisions(session, engagement)
    assert {k: (v.justification, v.owner) for k, v in decisions(session, other).items()} == {
        k: (j.replace("\r\n", "\n").strip(), " ".join(o.split())) for k, (j, o) in HOSTILE.items()
    }


def test_a_spreadsheets_csv_is_read_bom_semicolons_yes_no_and_any_column_order(
    session: Session, engagement: Engagement, small_catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes(
        "\ufeffOwner;Criterion;Applies;Reason;Justification;Implementation;Title\r\n"
        "Zoë;A.5.1;Yes;Risk Treatment;;implemented;Policies\r\n"
        ";;;;;;\r\n"
        '\'=IT;A.7.1;No;;"No premises; remote";;\r\n'.encode()
    )

    rows = read_table(source)
    apply_table(session, engagement, small_catalogue, rows, actor="ana")

    assert [r.row for r in rows] == [2, 4]
    chosen = decisions(session, engagement)
    assert (chosen["A.5.1"].applies, chosen["A.5.1"].reason, chosen["A.5.1"].owner) == (
        True,
        "risk-treatment",
        "Zoë",
    )
    assert (chosen["A.7.1"].justification, chosen["A.7.1"].owner) == ("No premises; remote", "=IT")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"criterion,applies\r\nA.5.1,yes\r\n", "has no column reason, justification"),
        ("criterion,title\r\n".encode("utf-16"), "is not UTF-8 text"),
        (b"", "is empty"),
        (b'criterion,applies,reason,justification,owner\r\nA.5.1,yes,"unterminated', "line 2"),
        (b"PK\x03\x04 not really a workbook", "not a readable XLSX workbook"),
    ],
)
def test_an_unreadable_table_is_refused_with_the_reason(
    content: bytes, message: str, tmp_path: Path
) -> None:
    source = tmp_path / "odd.csv"
    source.write_bytes(content)
    with pytest.raises(TableFileError, match=message):
        read_table(source)


def test_the_xlsx_reads_back_with_openpyxl_and_holds_no_formula(
    session: Session, engagement: Engagement, small_catalogue: Catalogue, tmp_path: Path
) -> None:
    _hostile(session, engagement, small_catalogue)
    rows = soa_rows(session, engagement, small_catalogue)
    target = tmp_path / "soa.xlsx"

    write_xlsx(
        rows, target, engagement="=Acme", state=soa_state(session, engagement, small_catalogue)
    )

    book = load_workbook(target)
    sheet = book["Statement of Applicability"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert tuple(values[0]) == COLUMNS
    assert [v[0] for v in values[1:]] == ["A.5.1", "A.5.2", "A.7.1", "A.7.2", "A.8.20"]
    assert values[1][4] == HOSTILE["A.5.1"][0] and values[1][7] == HOSTILE["A.5.1"][1]
    assert values[4][4] == HOSTILE["A.7.2"][0]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet["E2"].quotePrefix and not sheet["E5"].quotePrefix
    status = {r[0].value: r[1].value for r in book["Status"].iter_rows()}
    assert status["Engagement"] == "=Acme" and book["Status"]["B1"].data_type == "s"
    assert status["Progress"] == "5 of 5 decided"
    # And the workbook itself can be applied back.
    other = create_engagement(session, "From XLSX", actor="ana")
    apply_table(session, other, small_catalogue, read_table(target), actor="ana")
    assert decisions(session, other) == decisions(session, engagement)
