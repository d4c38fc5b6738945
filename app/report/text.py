"""Turning untrusted text into something reportlab can lay out safely.

Everything a user, an AWS account or a file name can put in the binder passes
through here: `markup()` escapes it for Paragraph markup (so `<script>` or `a<b` is
text, never a tag) and switches to the CJK fallback font for the characters the main
font lacks; `wrap_plain()` pre-breaks table text for the fast plain-string cells.

Right-to-left text is shaped and put into visual order first (see `rtl.py`), and only
then escaped, so a `<` or `&` next to Hebrew stays a literal character wherever the
reordering moves it. `BidiParagraph` does the line breaking itself for such text, as
reordering has to come after it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText

from app.report.rtl import base_direction, has_rtl, shape, to_visual, visual
from app.report.styles import FALLBACK, REGULAR, Coverage

# Table cells longer than this are cut: a row taller than a page cannot be laid out,
# and the full text travels in the embedded scan JSON anyway.
MAX_CELL_CHARS = 1500
_ELLIPSIS = " … (cut; full text in the embedded evidence)"
# Preferred places to break a long token such as an ARN.
_BREAK_AFTER = frozenset(":/-_.,=@|")


def clean(text: object) -> str:
    """`text` as str without control characters (which PDF text cannot carry)."""
    value = "" if text is None else str(text)
    if value.isprintable():
        return value
    return "".join(
        ch
        for ch in value
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")
    )


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + _ELLIPSIS


def markup(text: object, coverage: Coverage) -> str:
    """Paragraph markup showing `text` literally, with CJK runs in the fallback font.

    RTL text is reordered per logical line only: see `BidiParagraph` for text that may
    wrap.
    """
    return _escaped(visual(clean(text), coverage.regular), coverage)


def markup_lines(text: object, coverage: Coverage, width: float, font: str, size: float) -> str:
    """Like `markup()`, but broken into lines no wider than `width` points first.

    Each logical line is shaped, broken at spaces in reading order, and each resulting
    line reordered on its own (in the direction of its logical line), so a wrapped
    Hebrew paragraph reads from its first line down. Widths are measured in `font`;
    characters drawn in the CJK fallback font are measured in it too, approximately.
    """
    lines: list[str] = []
    for line in clean(text).split("\n"):
        direction = base_direction(line)
        shaped = shape(line, coverage.regular)
        for piece in _wrap_paragraph(shaped, width, font, size):
            lines.append(to_visual(piece, direction))
    return _escaped("\n".join(lines), coverage)


def _escaped(value: str, coverage: Coverage) -> str:
    runs: list[str] = []
    run: list[str] = []
    run_fallback = False
    for ch in value:
        code = ord(ch)
        wants_fallback = (
            code not in coverage.regular and ch not in "\n\t" and coverage.in_fallback(code)
        )
        if wants_fallback != run_fallback and run:
            runs.append(_run(run, run_fallback))
            run = []
        run_fallback = wants_fallback
        run.append(ch)
    if run:
        runs.append(_run(run, run_fallback))
    return "".join(runs).replace("\n", "<br/>")


def _run(chars: list[str], fallback: bool) -> str:
    escaped = escape("".join(chars))
    return f'<font name="{FALLBACK}">{escaped}</font>' if fallback else escaped


def plain_drawable(text: str, coverage: Coverage) -> bool:
    """Whether the main font alone can draw `text` (then a plain, fast cell will do)."""
    return coverage.regular_chars.issuperset(text)


def wrap_plain(text: str, width: float, font: str, size: float) -> str:
    """`text` with line breaks so no line is wider than `width` points.

    Breaks at spaces; a token wider than a line (an ARN, a hash) breaks after `:`,
    `/`, `-` and the like where it can, else anywhere.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, font, size))
    return "\n".join(lines)


def _wrap_paragraph(text: str, width: float, font: str, size: float) -> list[str]:
    if stringWidth(text, font, size) <= width:
        return [text]
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    current = ""
    current_width = 0.0
    for word in text.split(" "):
        word_width = stringWidth(word, font, size)
        if current and current_width + space + word_width <= width:
            current += " " + word
            current_width += space + word_width
            continue
        if current:
            lines.append(current)
        if word_width <= width:
            current, current_width = word, word_width
            continue
        pieces = _split_token(word, width, font, size)
        lines.extend(pieces[:-1])
        current = pieces[-1]
        current_width = stringWidth(current, font, size)
    lines.append(current)
    return lines


def _split_token(token: str, width: float, font: str, size: float) -> list[str]:
    pieces: list[str] = []
    start = 0
    line_width = 0.0
    last_break = -1
    for index, ch in enumerate(token):
        ch_width = _char_width(ch, font, size)
        if line_width + ch_width > width and index > start:
            cut = last_break + 1 if last_break >= start else index
            pieces.append(token[start:cut])
            start = cut
            line_width = sum(_char_width(c, font, size) for c in token[start:index])
            last_break = -1
        if ch in _BREAK_AFTER:
            last_break = index
        line_width += ch_width
    pieces.append(token[start:])
    return pieces


@lru_cache(maxsize=4096)
def _char_width(ch: str, font: str, size: float) -> float:
    return float(stringWidth(ch, font, size))


def font_runs(text: object, coverage: Coverage, font: str) -> list[tuple[str, str]]:
    """`text` cut into (run, font name) pieces: `font`, or the CJK fallback where needed."""
    value = visual(clean(text).replace("\n", " "), coverage.regular)
    runs: list[tuple[str, str]] = []
    for ch in value:
        code = ord(ch)
        name = FALLBACK if code not in coverage.regular and coverage.in_fallback(code) else font
        if runs and runs[-1][1] == name:
            runs[-1] = (runs[-1][0] + ch, name)
        else:
            runs.append((ch, name))
    return runs


def draw_runs(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    size: float,
    coverage: Coverage,
    font: str = "",
    max_width: float = 1e9,
) -> None:
    """Draw one line of untrusted text on a canvas, switching fonts per script.

    Text wider than `max_width` is cut and ends in an ellipsis.
    """
    limit = x + max_width - stringWidth("…", REGULAR, size)
    for run, name in font_runs(text, coverage, font or REGULAR):
        width = stringWidth(run, name, size)
        if x + width > limit:
            while run and x + stringWidth(run, name, size) > limit:
                run = run[:-1]
            canvas.setFont(name, size)
            canvas.drawString(x, y, run)
            x += stringWidth(run, name, size)
            canvas.setFont(REGULAR, size)
            canvas.drawString(x, y, "…")
            return
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += width


# Breaking a little short of the width leaves reportlab no reason to break again.
_SLACK = 0.5


class BidiParagraph(Paragraph):
    """A paragraph of untrusted text with RTL letters, broken into lines before reordering.

    Built by `bidi_paragraph()`. reportlab breaks a paragraph's lines after the text is
    in visual order, which would put the end of a long Hebrew sentence on the first
    line; so this paragraph breaks the logical text itself for the width it is given
    (again when the width changes) and hands reportlab explicit lines. The pieces
    reportlab makes when splitting it across pages are built from those lines and are
    plain paragraphs (`logical` is None).
    """

    def __init__(
        self,
        text: str | None,
        style: Any = None,
        # reportlab's parameter names: its split() passes them by keyword.
        bulletText: Any = None,
        frags: Any = None,
        caseSensitive: int = 1,
        encoding: str = "utf8",
        *,
        logical: str | None = None,
        coverage: Coverage | None = None,
    ) -> None:
        self._logical = logical
        self._coverage = coverage
        self._laid_width: float | None = None
        # reportlab's own split() passes text=None with ready frags; its stubs say str.
        super().__init__(
            text,  # type: ignore[arg-type]
            style,
            bulletText,
            frags,
            caseSensitive,
            encoding,
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._logical is not None and self._coverage is not None:
            style = self.style
            width = (
                availWidth
                - style.leftIndent
                - style.rightIndent
                - max(style.firstLineIndent, 0)
                - _SLACK
            )
            if width != self._laid_width:
                self._laid_width = width
                lines = markup_lines(
                    self._logical, self._coverage, width, style.fontName, style.fontSize
                )
                # Re-parse as Paragraph.__init__ does (a private method the stubs omit).
                self._setup(  # type: ignore[attr-defined]
                    lines, style, self.bulletText, None, cleanBlockQuotedText
                )
        width_used, height = super().wrap(availWidth, availHeight)
        return float(width_used), float(height)


def bidi_paragraph(text: object, style: ParagraphStyle, coverage: Coverage) -> Paragraph:
    """A paragraph showing untrusted `text` literally, right to left where it is RTL.

    Text whose first strong character is right-to-left (a Hebrew note) is also aligned
    to the right, as its readers expect; mixed text led by Latin stays left-aligned.
    """
    value = clean(text)
    if not has_rtl(value):
        return Paragraph(markup(value, coverage), style)
    if base_direction(value) == "R" and style.alignment in (TA_LEFT, TA_JUSTIFY):
        style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
    return BidiParagraph(markup(value, coverage), style, logical=value, coverage=coverage)
