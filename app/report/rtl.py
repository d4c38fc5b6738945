"""Right-to-left text (Hebrew, Arabic) put into the order reportlab must draw it.

reportlab draws a string's characters left to right as stored, and its TrueType
fonts do no shaping. Text is stored in logical (reading) order, so a Hebrew note
would read backwards and Arabic letters would stand unjoined. Before such text is
escaped into Paragraph markup it is therefore:

1. shaped: Arabic letters become their joined presentation forms (`arabic_reshaper`);
   a form the binder font lacks falls back to its base letter (readable, unjoined);
2. reordered to visual order (`python-bidi`, the Unicode Bidirectional Algorithm,
   with brackets mirrored), one logical line at a time, because the algorithm works
   per paragraph and a line break is a paragraph break to it.

Limits (honest ones):
- Bidi reordering must follow line breaking. `text.BidiParagraph` breaks RTL text
  itself (in logical order, at the column width) and reorders each line, so wrapped
  Hebrew reads top to bottom. Markup built with `Kit.esc` for inline use (headings,
  labels inside `Kit.rich`) only gets per-logical-line reordering: if such a line
  wraps, reportlab breaks the already reversed string and the lines of that one
  paragraph appear bottom-up.
- Harakat (Arabic vowel marks) are dropped: reportlab cannot position combining marks
  on a reversed base letter, and most Arabic prose is written without them.
- Urdu letters DejaVu Sans lacks entirely (heh goal, yeh barree) have no glyph in any
  shipped font and show as empty boxes.
- Explicit bidi controls (RLO, LRI, ...) are applied by the algorithm, then removed, as
  they have no glyph. Text without any RTL letter is left exactly as it is: a lone
  RLO in otherwise Latin text is not honoured, so it cannot disguise a file name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from arabic_reshaper import ArabicReshaper

# python-bidi's pure-Python algorithm, not its default Rust-backed `bidi.get_display`:
# the Rust one stops at rule L2 and does not mirror brackets (rule L4), so "(שלום)"
# would be drawn with its parentheses facing outwards (python-bidi issue #25).
from bidi.algorithm import get_display

Direction = Literal["L", "R"]

# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic supplements and
# presentation forms, and the RTL scripts of the supplementary planes.
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
# Directional formatting characters: applied by the algorithm, invisible afterwards.
_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_STRONG_RTL = frozenset(("R", "AL"))


@lru_cache(maxsize=1)
def _reshaper() -> ArabicReshaper:
    # The Allah ligature (U+FDF2) is not in DejaVu Sans; the letters join without it.
    return ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})


def has_rtl(text: str) -> bool:
    """Whether `text` holds a right-to-left letter (and so needs shaping and reordering)."""
    return _RTL.search(text) is not None


def base_direction(line: str) -> Direction:
    """The direction of a logical line: that of its first strong character (UBA P2-P3).

    A line without any strong character counts as left-to-right, like the page.
    """
    for ch in line:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "L"
        if kind in _STRONG_RTL:
            return "R"
    return "L"


def shape(text: str, drawable: frozenset[int]) -> str:
    """`text` with Arabic letters in their joined forms, kept to what the font can draw.

    `drawable` is the main font's cmap; a presentation form outside it is replaced by
    its compatibility decomposition (the plain letter, or the letters of a ligature).
    """
    shaped: str = _reshaper().reshape(text)
    return "".join(
        unicodedata.normalize("NFKC", ch)
        if "\ufb50" <= ch <= "\ufeff" and ord(ch) not in drawable
        else ch
        for ch in shaped
    )


def to_visual(line: str, direction: Direction) -> str:
    """One already shaped line in left-to-right drawing order, in a paragraph of `direction`."""
    if not has_rtl(line):
        return line
    visual: str = get_display(line, base_dir=direction)
    return _CONTROLS.sub("", visual)


def visual(text: str, drawable: frozenset[int]) -> str:
    """`text` shaped and reordered for drawing, each logical line on its own.

    Text without RTL letters comes back unchanged (and fast: one regex search).
    """
    if not has_rtl(text):
        return text
    lines = []
    for line in text.split("\n"):
        shaped = shape(line, drawable)
        lines.append(to_visual(shaped, base_direction(line)))
    return "\n".join(lines)
