"""Fonts and named paragraph styles of the binder.

The fonts ship in `resources/fonts/` and are embedded (subset) in every PDF, so a
binder looks the same on every machine. DejaVu covers Latin, Greek, Cyrillic, Hebrew,
Arabic and many symbols; Droid Sans Fallback covers Chinese, Japanese and Korean and
is used only for the characters DejaVu lacks (see `text.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.controls.results import Status
from app.paths import resources_dir

REGULAR = "BinderSans"
BOLD = "BinderSans-Bold"
MONO = "BinderMono"
FALLBACK = "BinderCJK"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
    FALLBACK: "DroidSansFallback.ttf",
}

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4e7eb")
ZEBRA = colors.HexColor("#f5f7fa")
ACCENT = colors.HexColor("#1d4e89")
STATUS_COLOURS = {
    Status.PASS: colors.HexColor("#2f7d32"),
    Status.FAIL: colors.HexColor("#b3261e"),
    Status.ERROR: colors.HexColor("#b26a00"),
    Status.NOT_APPLICABLE: colors.HexColor("#607080"),
}
DEMO_RED = colors.HexColor("#c62828")
DRAFT_RED = colors.HexColor("#b3261e")


class Coverage:
    """Which code points the fonts can draw (their cmaps), to pick a font per character.

    The CJK fallback is a large file, so it is loaded on the first character that
    needs it: a binder in Latin script never pays for it.
    """

    def __init__(self, regular: frozenset[int]) -> None:
        self.regular = regular
        # The same as characters (and newline), for a fast subset test per table cell.
        self.regular_chars = frozenset(map(chr, regular)) | {"\n"}
        self._fallback: frozenset[int] | None = None

    def in_fallback(self, code: int) -> bool:
        if self._fallback is None:
            self._fallback = _load_fallback()
        return code in self._fallback


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _register(name: str) -> None:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / _FILES[name])))


def _cmap(name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(name)
    assert isinstance(font, TTFont)
    return frozenset(font.face.charToGlyph)


def _load_fallback() -> frozenset[int]:
    _register(FALLBACK)
    return _cmap(FALLBACK)


def register_fonts() -> Coverage:
    """Register the binder's fonts with reportlab (idempotent) and return their coverage.

    reportlab keeps registered fonts in a process-wide table; names already known are
    reused rather than loading the file again.
    """
    for name in (REGULAR, BOLD, MONO):
        _register(name)
    # <b> and <i> inside paragraphs: bold exists, italics fall back to upright.
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    return Coverage(_cmap(REGULAR))


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle  # a small caption above a table
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_mono: ParagraphStyle
    mono: ParagraphStyle
    banner: ParagraphStyle
    toc0: ParagraphStyle
    toc1: ParagraphStyle
    toc2: ParagraphStyle
    kicker: ParagraphStyle  # a family's name above its first control
    draft: ParagraphStyle  # the DRAFT notice on the cover and the SoA


def build_styles() -> Styles:
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9.5,
        leading=13,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=4,
        # Long words (ARNs, hashes, hostile input) are broken rather than overflowing.
        splitLongWords=True,
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2, spaceAfter=0)
    return Styles(
        title=ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=26, leading=32, spaceAfter=10
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=base, fontSize=13, leading=17, textColor=MUTED, spaceAfter=18
        ),
        h1=ParagraphStyle(
            "h1",
            parent=base,
            fontName=BOLD,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=10,
            keepWithNext=1,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=base,
            fontName=BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=1,
        ),
        h3=ParagraphStyle(
            "h3",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        body=base,
        small=ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        muted=ParagraphStyle("muted", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        label=ParagraphStyle("label", parent=base, fontName=BOLD, fontSize=8, leading=10.5),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=BOLD),
        cell_mono=ParagraphStyle("cell_mono", parent=cell, fontName=MONO, fontSize=7),
        mono=ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=8, leading=10.5),
        banner=ParagraphStyle(
            "banner",
            parent=base,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            alignment=TA_CENTER,
            textColor=colors.white,
        ),
        toc0=ParagraphStyle(
            "toc0", parent=base, fontName=BOLD, fontSize=10, leading=14, spaceBefore=5
        ),
        toc1=ParagraphStyle(
            "toc1", parent=base, fontSize=9, leading=12, leftIndent=14, firstLineIndent=0
        ),
        toc2=ParagraphStyle(
            "toc2", parent=base, fontSize=8, leading=10.5, leftIndent=28, firstLineIndent=0
        ),
        kicker=ParagraphStyle(
            "kicker",
            parent=base,
            fontName=BOLD,
            fontSize=9,
            leading=12,
            textColor=MUTED,
            spaceAfter=0,
            keepWithNext=1,
        ),
        draft=ParagraphStyle(
            "draft",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            leading=13.5,
            textColor=DRAFT_RED,
            borderColor=DRAFT_RED,
            borderWidth=1.2,
            borderPadding=6,
            backColor=colors.HexColor("#fdecea"),
            spaceBefore=8,
            spaceAfter=12,
        ),
    )
