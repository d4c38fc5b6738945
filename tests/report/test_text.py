"""Untrusted text: escaped for markup, wrapped within its cell, rendered in any script."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from app.report.styles import FALLBACK, MONO, REGULAR, build_styles, register_fonts
from app.report.text import clean, markup, wrap_plain
from tests.report.conftest import Built
from tests.report.populate import HOSTILE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a<b", "a&lt;b"),
        ("R&D", "R&amp;D"),
        ('<font name="x">', '&lt;font name="x"&gt;'),
        ("line one\nline two", "line one<br/>line two"),
    ],
)
def test_markup_escapes_user_text(text: str, expected: str) -> None:
    assert markup(text, register_fonts()) == expected


def test_markup_switches_font_only_for_characters_the_main_font_lacks() -> None:
    result = markup("Name: 中文 ok", register_fonts())
    assert result == f'Name: <font name="{FALLBACK}">中文</font> ok'


def test_control_characters_are_dropped() -> None:
    assert clean("a\x00b\x1bc\td\ne") == "abc\td\ne"


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:iam::123456789012:role/" + "very-long-role-name-" * 12,
        "x" * 500,
        "short words that wrap normally across a narrow column of text " * 3,
        "a/b:c-d_e.f" * 40,
    ],
)
@pytest.mark.parametrize("font", [REGULAR, MONO])
def test_wrap_plain_keeps_every_line_within_the_width(text: str, font: str) -> None:
    register_fonts()
    width = 120.0
    wrapped = wrap_plain(text, width, font, 7.5)
    lines = wrapped.split("\n")
    assert len(lines) > 1
    assert all(stringWidth(line, font, 7.5) <= width for line in lines)
    # Nothing is lost: only spaces at the breaks go.
    assert "".join(wrapped.split()) == "".join(text.split())


def test_arns_break_after_separators_where_possible() -> None:
    register_fonts()
    arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
    lines = wrap_plain(arn, 110.0, REGULAR, 7.5).split("\n")
    assert all(line[-1] in ":/-_." for line in lines[:-1])


def test_hostile_paragraphs_lay_out_without_error() -> None:
    coverage = register_fonts()
    styles = build_styles()
    for text in (HOSTILE, "<b>not bold</b> <para> </font> &amp; &#x41;", "🧪" * 50, "\u202eevil"):
        paragraph = Paragraph(markup(text, coverage), styles.body)
        _width, height = paragraph.wrap(200, 10_000)
        assert height > 0


def test_hostile_text_renders_and_reads_back_literally(hostile: Built) -> None:
    words = hostile.words
    assert "<script>alert(1)</script> a<b R&D" in words
    assert "&lt;" not in words and "&amp;" not in words  # escaped once, not twice
    for sample in ("中文名称", "한국어", "日本語"):
        assert sample in words
    assert "x" * 200 in hostile.flat  # the long word was broken, not dropped
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in hostile.reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Droid" in name for name in fonts), fonts  # CJK drawn with the fallback font


def test_latin_only_binder_does_not_embed_the_cjk_font(standard: Built) -> None:
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in standard.reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and not any("Droid" in name for name in fonts)
