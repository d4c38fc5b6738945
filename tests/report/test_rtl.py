"""Right-to-left user text (Hebrew, Arabic) is shaped, reordered and still escaped."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.sax.saxutils import escape

import pytest
from arabic_reshaper import reshape
from arabic_reshaper.letters import LETTERS_ARABIC
from bidi.algorithm import get_display
from reportlab.lib.enums import TA_RIGHT
from reportlab.platypus import Paragraph

from app.controls.catalogue import Catalogue
from app.report.kit import Kit
from app.report.rtl import base_direction, has_rtl, shape, visual
from app.report.styles import build_styles, register_fonts
from app.report.text import BidiParagraph, bidi_paragraph, markup
from app.store.control_states import set_control_state
from app.store.database import Database
from app.store.engagements import find_engagement
from app.store.risk import add_exception
from app.store.signoffs import sign_off
from tests.report.conftest import Built, build
from tests.report.populate import ACTOR, Spec

HEBREW = "שלום עולם"
ARABIC = "مرحبا بالعالم"
MIXED = "Approved by דנה & R&D <team>"
ENGAGEMENT = "ביקורת 2026"
# Long enough to wrap in the exceptions table's justification column.
WRAPPING = (
    "ראשון החריגה אושרה זמנית עד להשלמת המעבר לרשת החדשה של השותף "
    "ובינתיים הגישה מוגבלת לכתובות הידועות בלבד ונבדקת מדי חודש אחרון"
)


def _shown(text: str) -> str:
    """What python-bidi (after arabic_reshaper) says `text` looks like, left to right."""
    shown: str = get_display(reshape(text))
    return shown


@pytest.fixture(scope="module")
def rtl(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Built:
    first = catalogue.controls[0].id

    def add_rtl_text(database: Database) -> None:
        with database.session() as session:
            engagement = find_engagement(session, ENGAGEMENT)
            assert engagement is not None
            set_control_state(
                session,
                engagement,
                first,
                actor=ACTOR,
                owner="דנה כהן",
                notes=f"{HEBREW}\n{ARABIC}\n{MIXED}",
            )
            add_exception(
                session,
                engagement,
                first,
                actor=ACTOR,
                justification=WRAPPING,
                approver=MIXED,
                expires_on=date.today() + timedelta(days=30),
            )
            sign_off(session, engagement, first, reviewer="Rita", comment=ARABIC)

    spec = Spec(
        engagement=ENGAGEMENT,
        results_per_check=1,
        images=0,
        corrupt_image=False,
        text_file=False,
        two_scans=False,
    )
    return build(tmp_path_factory.mktemp("rtl"), spec, catalogue, after=add_rtl_text)


def _page_with(built: Built, text: str) -> int:
    return next(i for i, page in enumerate(built.pages) if text in page)


def _drawn(built: Built, index: int) -> str:
    """A page's text in the order it is drawn, left to right (pypdf's layout mode).

    pypdf's default extraction reads RTL runs back into logical order; layout mode
    places text by position, so it shows what a reader sees.
    """
    text: str = built.reader.pages[index].extract_text(extraction_mode="layout")
    return text


def test_hebrew_and_arabic_notes_are_drawn_in_visual_order(rtl: Built) -> None:
    drawn = re.sub(r"\s+", " ", _drawn(rtl, _page_with(rtl, "Notes")))
    assert _shown(HEBREW) == "םלוע םולש"
    assert "םלוע םולש" in drawn
    assert HEBREW not in drawn  # not drawn in logical order (which reads backwards)
    shaped = _shown(ARABIC)
    assert shaped == "\ufee2\ufedf\ufe8e\ufecc\ufedf\ufe8e\ufe91 \ufe8e\ufe92\ufea3\ufeae\ufee3"
    assert shaped in drawn  # joined presentation forms, right to left
    assert ARABIC not in drawn and get_display(ARABIC) not in drawn  # never unjoined
    # A PDF reader recovers the logical text from what was drawn.
    assert HEBREW in rtl.words and reshape(ARABIC) in rtl.words


def test_mixed_text_keeps_latin_and_escaped_characters_literal(rtl: Built) -> None:
    drawn = re.sub(r"\s+", " ", _drawn(rtl, _page_with(rtl, "Notes")))
    assert _shown(MIXED) == "Approved by הנד & R&D <team>"
    assert "Approved by הנד & R&D <team>" in drawn
    assert "&amp;" not in rtl.words and "&lt;" not in rtl.words


def test_wrapped_rtl_paragraph_reads_from_its_first_line_down(rtl: Built) -> None:
    lines = _drawn(rtl, _page_with(rtl, "Justification")).splitlines()
    top = next(i for i, line in enumerate(lines) if _shown("ראשון") in line)
    bottom = next(i for i, line in enumerate(lines) if _shown("אחרון") in line)
    # Wrapping the reversed string would put the paragraph's end on the top line.
    assert bottom - top >= 2
    # Read line by line, right to left, the justification comes back whole and in order.
    assert WRAPPING in rtl.words


def test_page_header_shows_an_rtl_engagement_name_in_visual_order(rtl: Built) -> None:
    header = f"{ENGAGEMENT} — Acme GmbH"
    assert _shown(header) == "Acme GmbH — 2026 תרוקיב"
    for index in (1, len(rtl.pages) - 1):
        assert _shown(header) in re.sub(r"\s+", " ", _drawn(rtl, index))


def test_markup_reorders_before_escaping() -> None:
    coverage = register_fonts()
    for text in (HEBREW, ARABIC, MIXED, "<שלום>", "א&ב", "(שלום) <x>"):
        assert markup(text, coverage) == escape(_shown(text))
    # Brackets in RTL runs are mirrored (they still open towards their text), then escaped.
    assert markup("<שלום>", coverage) == "&lt;םולש&gt;"
    assert markup("(שלום) <x>", coverage) == "&lt;x&gt; (םולש)"
    assert markup(f"{HEBREW}\n{MIXED}", coverage) == (
        f"{_shown(HEBREW)}<br/>{escape(_shown(MIXED))}"
    )


@pytest.mark.parametrize("text", ["plain <b>", "\u202eevil", "中文 ok", ""])
def test_text_without_rtl_letters_is_left_alone(text: str) -> None:
    assert not has_rtl(text)
    assert visual(text, register_fonts().regular) == text


def test_base_direction_is_that_of_the_first_strong_character() -> None:
    assert base_direction(HEBREW) == "R"
    assert base_direction(ARABIC) == "R"
    assert base_direction(MIXED) == "L"
    assert base_direction("2026 — ביקורת") == "R"  # digits and dashes are weak
    assert base_direction("123") == "L"


def test_shipped_fonts_draw_every_joined_arabic_letter_and_hebrew() -> None:
    coverage = register_fonts()
    arabic = [chr(code) for code in range(0x621, 0x64B) if chr(code) in LETTERS_ARABIC]
    forms = {form for letter in arabic for form in LETTERS_ARABIC[letter] if form}
    hebrew = {chr(code) for code in range(0x5D0, 0x5EB)}
    missing = {f"U+{ord(ch):04X}" for ch in forms | hebrew if ord(ch) not in coverage.regular}
    assert not missing
    for sample in (HEBREW, ARABIC, MIXED, "لا إله"):
        assert all(ord(ch) in coverage.regular for ch in visual(sample, coverage.regular))


def test_a_form_the_font_lacks_falls_back_to_its_plain_letter() -> None:
    coverage = register_fonts()
    # Urdu heh goal's joined forms are not in DejaVu Sans; nor is the letter itself.
    assert shape("\u06c1\u06c1", coverage.regular) == "\u06c1\u06c1"
    # Without a drawable form, an Arabic letter stays the plain letter (unjoined).
    assert shape("مم", frozenset()) == "مم"
    assert shape("مم", coverage.regular) == "\ufee3\ufee2"


def test_rtl_paragraphs_break_logically_and_align_right() -> None:
    coverage = register_fonts()
    styles = build_styles()
    paragraph = bidi_paragraph(WRAPPING, styles.body, coverage)
    assert isinstance(paragraph, BidiParagraph)
    assert paragraph.style.alignment == TA_RIGHT  # Hebrew readers start on the right
    _, height = paragraph.wrap(150, 10_000)
    # blPara is set by wrap() and missing from reportlab's stubs.
    laid_out = paragraph.blPara.lines  # type: ignore[attr-defined]
    lines = [" ".join("".join(frag.text for frag in line.words).split()) for line in laid_out]
    assert height == len(lines) * styles.body.leading and len(lines) > 2
    # Each line, read right to left, continues where the previous one stopped.
    logical = " ".join(line[::-1] for line in lines)
    assert logical == WRAPPING
    mixed = bidi_paragraph(MIXED, styles.body, coverage)
    assert mixed.style.alignment == styles.body.alignment  # led by Latin: stays left
    assert type(bidi_paragraph("plain", styles.body, coverage)) is Paragraph


def test_rtl_cells_are_paragraphs_not_plain_strings() -> None:
    coverage = register_fonts()
    kit = Kit(build_styles(), coverage)
    assert isinstance(kit.cell("plain text", 100), str)
    cell = kit.cell(HEBREW, 100, mono=True)
    assert isinstance(cell, BidiParagraph)
    assert cell.style.fontName == kit.styles.cell.fontName  # DejaVu Sans Mono has no Hebrew
