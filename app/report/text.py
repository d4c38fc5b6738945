"""Turning untrusted text into something reportlab can lay out safely.

Everything a user, an AWS account or a file name can put in the binder passes
through here: `markup()` escapes it for Paragraph markup (so `<script>` or `a<b` is
text, never a tag) and switches to the CJK fallback font for the characters the main
font lacks; `wrap_plain()` pre-breaks table text for the fast plain-string cells.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

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
    """Paragraph markup showing `text` literally, with CJK runs in the fallback font."""
    value = clean(text)
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
    value = clean(text).replace("\n", " ")
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
