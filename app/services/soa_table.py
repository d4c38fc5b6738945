"""The Statement of Applicability as a spreadsheet: CSV and XLSX out, CSV (or XLSX) in.

Columns: `COLUMNS`. CSV is UTF-8 (with a byte-order mark, so Excel reads accents
right), comma-separated, CRLF, quoted where needed. A cell that starts with `=`,
`+`, `-`, `@`, a tab or a carriage return would run as a formula in a spreadsheet:
it is written with a leading apostrophe (`'=...`), and reading strips it again, so a
round trip gives back exactly what was written. In XLSX such cells are typed text
with Excel's own quote prefix, never formulas.

Reading accepts a byte-order mark, `;` or `,` separators, header names in any case
and in any order; `title`, `implementation` and `controls` are ignored.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.soa_model import SoaRow, SoaState, TableRow
from app.store.errors import InvalidInput
from app.store.soa_approvals import SoaApproval

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

COLUMNS = (
    "criterion",
    "title",
    "applies",
    "reason",
    "justification",
    "implementation",
    "controls",
    "owner",
)
READ_COLUMNS = ("criterion", "applies", "reason", "justification", "owner")
MAX_TABLE_BYTES = 10 * 1024 * 1024
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_XLSX_MAGIC = b"PK\x03\x04"
SHEET_TITLE = "Statement of Applicability"


class TableFileError(InvalidInput):
    """A file that cannot be read as the SoA table; nothing was changed."""


def _needs_guard(text: str) -> bool:
    if text.startswith("'"):
        return _needs_guard(text[1:])
    return text.startswith(_FORMULA_STARTS)


def guard_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs as a formula (inverse: `unguard_cell`)."""
    return "'" + text if _needs_guard(text) else text


def unguard_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and _needs_guard(text[1:]) else text


def row_cells(row: SoaRow) -> list[str]:
    """The row's cells in `COLUMNS` order, as plain text."""
    applies = row.decision.applies
    return [
        row.criterion_id,
        row.title,
        "" if applies is None else ("yes" if applies else "no"),
        row.decision.reason,
        row.decision.justification,
        row.implementation.label,
        ", ".join(c.id for c in row.controls),
        row.decision.owner,
    ]


def csv_text(rows: Sequence[SoaRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([guard_cell(cell) for cell in row_cells(row)] for row in rows)
    return buffer.getvalue()


def _replace(destination: Path, content: bytes) -> None:
    partial = destination.with_name(destination.name + ".partial")
    try:
        partial.write_bytes(content)
        os.replace(partial, destination)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def write_csv(rows: Sequence[SoaRow], destination: Path) -> None:
    """Write the table (replacing `destination` atomically); raises OSError."""
    _replace(destination, csv_text(rows).encode("utf-8-sig"))


def _put(sheet: Worksheet, row: int, column: int, text: str) -> Cell | MergedCell:
    """Write `text` as a text cell: never a formula, whatever it starts with."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell = sheet.cell(row, column)
    if text:
        # XLSX cannot hold control characters; everything else is kept as typed.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
        cell.data_type = "s"
        cell.quotePrefix = text.startswith(_FORMULA_STARTS)
    return cell


def xlsx_bytes(rows: Sequence[SoaRow], *, engagement: str, state: SoaState) -> bytes:
    """The table as an XLSX workbook: the SoA sheet, then a sheet with its status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = SHEET_TITLE
    widths = {"A": 10, "B": 48, "C": 9, "D": 15, "E": 48, "F": 14, "G": 30, "H": 24}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for number, name in enumerate(COLUMNS, start=1):
        _put(sheet, 1, number, name).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(rows, start=2):
        for number, text in enumerate(row_cells(row), start=1):
            _put(sheet, row_number, number, text).alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:H{len(rows) + 1}"
    status = book.create_sheet("Status")
    for row_number, (key, value) in enumerate(_status_lines(engagement, state), start=1):
        _put(status, row_number, 1, key).font = Font(bold=True)
        _put(status, row_number, 2, value)
    status.column_dimensions["A"].width = 14
    status.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _status_lines(engagement: str, state: SoaState) -> list[tuple[str, str]]:
    lines = [
        ("Engagement", engagement),
        ("Version", str(state.version)),
        ("Status", status_text(state)),
        ("Progress", state.progress),
    ]
    approval = state.approval
    if approval is not None:
        lines.append(("Approved", approval_text(approval)))
    return lines


def approval_text(approval: SoaApproval) -> str:
    """ "version 2 by Ana Lima (CISO), 2026-12-05 10:00 UTC"."""
    role = f" ({approval.role})" if approval.role else ""
    when = f"{approval.approved_at:%Y-%m-%d %H:%M} UTC"
    return f"version {approval.version} by {approval.reviewer}{role}, {when}"


def status_text(state: SoaState) -> str:
    """One line: approved and current, draft, or stale, with the version."""
    approval = state.approval
    if state.complete:
        return f"version {state.version}, approved"
    if approval is not None and approval.current:
        return f"version {state.version}, approved, but {state.progress}"
    if approval is not None:
        return (
            f"version {state.version} (draft): decisions changed since version "
            f"{approval.version} was approved"
        )
    return f"version {state.version} (draft): not approved yet"


def write_xlsx(
    rows: Sequence[SoaRow], destination: Path, *, engagement: str, state: SoaState
) -> None:
    _replace(destination, xlsx_bytes(rows, engagement=engagement, state=state))


def _records_csv(data: bytes, name: str) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError(
            f"{name} is not UTF-8 text (byte {error.start}); in the spreadsheet, save it "
            "as 'CSV UTF-8'. Nothing was changed."
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            yield [unguard_cell(cell) for cell in record]
    except csv.Error as error:
        raise TableFileError(
            f"{name} is not a readable CSV file (line {reader.line_num}: {error}). "
            "Nothing was changed."
        ) from None


def _records_xlsx(data: bytes, name: str) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TableFileError(
            f"{name} is not a readable XLSX workbook ({error}). Nothing was changed."
        ) from None
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else str(v) for v in values]
    finally:
        book.close()


def _header(record: list[str], name: str) -> dict[str, int]:
    names = [cell.strip().lower() for cell in record]
    missing = [c for c in READ_COLUMNS if c not in names]
    if missing:
        raise TableFileError(
            f"{name} has no column {', '.join(missing)}; its first row must name the "
            f"columns ({', '.join(COLUMNS)}). Nothing was changed."
        )
    return {column: names.index(column) for column in READ_COLUMNS}


def _records(source: Path) -> Iterator[list[str]]:
    """The file's rows as text cells, CSV or XLSX by its content."""
    with source.open("rb") as stream:
        data = stream.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise TableFileError(f"{source.name} is larger than a Statement of Applicability can be.")
    reader = _records_xlsx if data.startswith(_XLSX_MAGIC) else _records_csv
    return reader(data, source.name)


def refusal_to_replace(target: Path) -> str | None:
    """Why writing the table to `target` must not replace it, or None when that is fine.

    Only a missing or empty file, or an earlier SoA table (CSV or XLSX with our
    columns), is replaced: a typo must not overwrite someone's other document.
    """
    if not target.is_file() or target.stat().st_size == 0:
        return None  # missing, empty, or a folder (the write reports that)
    try:
        _header(next(_records(target), []), target.name)
    except (OSError, TableFileError):
        return (
            f"{target} already exists and is not a Statement of Applicability table; it was "
            "left untouched. Choose another file name, or delete that file first."
        )
    return None


def read_table(source: Path) -> list[TableRow]:
    """The rows of a CSV (or XLSX) file in `COLUMNS` form; blank rows are skipped.

    Raises `TableFileError` for a file that is unreadable, too large, not UTF-8 or
    without the needed columns; OSError when it cannot be opened.
    """
    records = _records(source)
    header = next(records, None)
    if header is None:
        raise TableFileError(f"{source.name} is empty. Nothing was changed.")
    index = _header(header, source.name)
    rows = []
    for number, record in enumerate(records, start=2):  # spreadsheet numbering
        if not any(cell.strip() for cell in record):
            continue
        cell = {c: record[i] if i < len(record) else "" for c, i in index.items()}
        rows.append(
            TableRow(
                row=number,
                criterion_id=cell["criterion"],
                applies=cell["applies"],
                reason=cell["reason"],
                justification=cell["justification"],
                owner=cell["owner"],
            )
        )
    return rows
