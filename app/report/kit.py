"""Small building blocks the section builders share: safe paragraphs, headings, tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Image, LongTable, Paragraph, Table, TableStyle

from app.controls.results import Status
from app.report.rtl import has_rtl
from app.report.styles import (
    BOLD,
    HEADER_FILL,
    MONO,
    MUTED,
    REGULAR,
    RULE,
    STATUS_COLOURS,
    ZEBRA,
    Coverage,
    Styles,
)
from app.report.templates import Heading
from app.report.text import bidi_paragraph, clean, clip, markup, plain_drawable, wrap_plain

CELL_SIZE = 7.5
MONO_SIZE = 7.0
CELL_LEADING = 9.2
CELL_PAD = 3.0

# A cell is either a plain string (fast: pre-wrapped, drawn by the table) or a flowable.
Cell = Any

# Result statuses in table cells: the binder's legends say what the short form means.
_SHORT_STATUS = {Status.NOT_APPLICABLE: "N/A"}


def status_cell(status: Status, excepted: bool = False) -> str:
    """A result status as a table shows it: `N/A` for NOT_APPLICABLE, `(exc.)` when an
    approved exception covers the failure."""
    return _SHORT_STATUS.get(status, status.value) + (" (exc.)" if excepted else "")


# A status cell's first word -> its status (to colour the cell).
_STATUS_OF_CELL = {status_cell(status): status for status in Status}


def _status_colour(cell: object) -> Any:
    words = str(cell).split()
    status = _STATUS_OF_CELL.get(words[0]) if words else None
    return STATUS_COLOURS[status] if status is not None else None


class _DrawLater:
    """Mixin: skip drawing in the dry first layout pass (see `BinderCanvas.dry_run`)."""

    canv: Any

    def draw(self) -> None:
        if getattr(self.canv, "dry_run", False):
            return
        super().draw()  # type: ignore[misc]


class BinderTable(_DrawLater, Table):
    pass


class BinderLongTable(_DrawLater, LongTable):
    pass


class BinderImage(_DrawLater, Image):
    pass


def _fit(value: Cell, width: float, *, bold: bool, mono: bool) -> Cell:
    if not isinstance(value, str):
        return value
    font, size = (MONO, MONO_SIZE) if mono else (BOLD if bold else REGULAR, CELL_SIZE)
    return wrap_plain(value, width - 2 * CELL_PAD, font, size)


@dataclass(frozen=True)
class Kit:
    styles: Styles
    coverage: Coverage

    def esc(self, text: object) -> str:
        """Untrusted text as safe Paragraph markup."""
        return markup(text, self.coverage)

    def para(self, text: object, style: Any = None) -> Paragraph:
        """A paragraph showing untrusted `text` literally (RTL text wrapped right to left)."""
        return bidi_paragraph(text, style or self.styles.body, self.coverage)

    def rich(self, trusted_markup: str, style: Any = None) -> Paragraph:
        """A paragraph from markup this code composed (untrusted parts already `esc`-aped)."""
        return Paragraph(trusted_markup, style or self.styles.body)

    def heading(
        self,
        number: str,
        title: str,
        *,
        key: str,
        level: int,
        in_toc: bool | None = None,
        style: Any = None,
    ) -> Heading:
        """A numbered heading; levels 0-1 are in the contents, deeper ones only in the
        outline unless `in_toc`. The style follows the level unless given."""
        style = style or (self.styles.h1, self.styles.h2, self.styles.h3)[min(level, 2)]
        label = f"{number}  {title}" if number else title
        return Heading(
            self.esc(label),
            style,
            key=key,
            outline_title=clean(label),
            level=level,
            in_toc=level < 2 if in_toc is None else in_toc,
        )

    def cell(self, text: object, width: float, *, bold: bool = False, mono: bool = False) -> Cell:
        """A table cell for untrusted text that wraps within `width` points."""
        value = clip(clean(text))
        rtl = has_rtl(value)
        if rtl or not plain_drawable(value, self.coverage):
            # DejaVu Sans Mono has no Hebrew: RTL text is set in the regular face.
            style = self.styles.cell_mono if mono and not rtl else self.styles.cell
            if bold:
                style = self.styles.cell_bold
            return bidi_paragraph(value, style, self.coverage)
        if mono:
            # The grid draws this column in the mono font (`mono_columns`).
            return wrap_plain(value, width - 2 * CELL_PAD, MONO, MONO_SIZE)
        font = BOLD if bold else REGULAR
        return wrap_plain(value, width - 2 * CELL_PAD, font, CELL_SIZE)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        *,
        status_column: int | None = None,
        mono_columns: Sequence[int] = (),
        long: bool = False,
    ) -> Table:
        """A table with a repeated header row, zebra stripes and coloured statuses."""
        head = [self.cell(h, w, bold=True) for h, w in zip(header, widths, strict=True)]
        # Plain strings are drawn as they are: wrap each to its column, in the font the
        # table sets for it, so that no value (a status, an id) runs into the next column.
        data = [
            head,
            *[
                [
                    _fit(value, width, bold=column == status_column, mono=column in mono_columns)
                    for column, (value, width) in enumerate(zip(row, widths, strict=True))
                ]
                for row in rows
            ],
        ]
        kind = BinderLongTable if long else BinderTable
        table = kind(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), REGULAR, CELL_SIZE, CELL_LEADING),
            ("FONT", (0, 0), (-1, 0), BOLD, CELL_SIZE, CELL_LEADING),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
            ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for column in mono_columns:
            commands.append(("FONT", (column, 1), (column, -1), MONO, MONO_SIZE, CELL_LEADING))
        if len(data) > 2:
            commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
        if status_column is not None:
            for index, row in enumerate(rows, start=1):
                colour = _status_colour(row[status_column])
                if colour is not None:
                    commands.append(
                        ("TEXTCOLOR", (status_column, index), (status_column, index), colour)
                    )
                    commands.append(
                        (
                            "FONT",
                            (status_column, index),
                            (status_column, index),
                            BOLD,
                            CELL_SIZE,
                            CELL_LEADING,
                        )
                    )
        table.setStyle(TableStyle(commands))
        return table

    def facts(self, pairs: Sequence[tuple[str, object]], widths: tuple[float, float]) -> Table:
        """A two-column label / value table for untrusted values."""
        rows = [
            [
                Paragraph(self.esc(label), self.styles.cell_bold),
                value
                if isinstance(value, Paragraph)
                else bidi_paragraph(value, self.styles.cell, self.coverage),
            ]
            for label, value in pairs
        ]
        table = Table(rows, colWidths=list(widths), hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
                    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table
