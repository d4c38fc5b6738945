"""Page templates: header, DEMO banner, footer with "Page X of Y", outline and TOC hooks,
and a mark (DRAFT) across every page of chosen sections.

"Page X of Y" draws the total as a form XObject that is defined when the canvas is
saved, so the number is exact in a single pass and bookmarks keep pointing at the
right pages (the saved-page-states canvas trick would break them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

from app.report.styles import (
    BOLD,
    DEMO_RED,
    DRAFT_RED,
    MUTED,
    REGULAR,
    RULE,
    Coverage,
    Styles,
)
from app.report.text import draw_runs

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
_TOTAL_FORM = "binderPageTotal"
_FOOTER_SIZE = 7.5


class Heading(Paragraph):
    """A heading that becomes a PDF outline entry, a link target and (maybe) a TOC line."""

    def __init__(
        self,
        markup: str,
        style: Any,
        *,
        key: str,
        outline_title: str,
        level: int,
        in_toc: bool = True,
    ) -> None:
        super().__init__(markup, style)
        self.key = key
        self.outline_title = outline_title
        self.level = level
        self.in_toc = in_toc
        self.toc_markup = markup


@dataclass(frozen=True)
class PageDecor:
    """What every page shows around the content."""

    engagement: str
    client: str
    generated: str  # "2026-11-28 10:00:09 UTC"
    is_demo: bool
    coverage: Coverage
    # Section (the key of its level-0 heading) -> a line drawn under the header of each
    # of its pages, with a large "DRAFT" across the page: the SoA until it is approved.
    drafts: Mapping[str, str] = field(default_factory=dict)


class BinderCanvas(Canvas):
    """A canvas that defines the page-total form once the last page is known.

    `dry_run` is set for the first layout pass (which only finds page numbers for the
    contents); big tables skip drawing then, since that pass's output is thrown away.
    """

    def __init__(self, *args: Any, dry_run: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_shown = 0
        self.dry_run = dry_run

    def showPage(self) -> None:
        self.pages_shown += 1
        super().showPage()

    def save(self) -> None:
        self.beginForm(_TOTAL_FORM)
        self.setFont(REGULAR, _FOOTER_SIZE)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self.pages_shown))
        self.endForm()
        target: Any = getattr(self, "_filename", None)
        if target is not None and hasattr(target, "truncate"):
            # multiBuild writes every pass to the same buffer: keep only this pass.
            target.seek(0)
            target.truncate()
        super().save()


class BinderDocTemplate(BaseDocTemplate):
    def __init__(
        self,
        target: Any,
        decor: PageDecor,
        *,
        title: str,
        author: str,
        on_page: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=title,
            author=author,
            subject="Audit evidence binder",
            creator=author,
        )
        self.decor = decor
        self._on_page = on_page
        self._section = ""  # the key of the level-0 heading last laid out
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FRAME_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(
                    id="body", frames=[frame], onPage=self._decorate, onPageEnd=self._mark_draft
                )
            ]
        )

    def beforeDocument(self) -> None:
        self._section = ""  # each layout pass starts from the top

    def _mark_draft(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """At the end of a page (its section is known by then): the DRAFT marks."""
        line = self.decor.drafts.get(self._section)
        if line is None:
            return
        canvas.saveState()
        canvas.setFillColor(DRAFT_RED)
        canvas.setFillAlpha(0.09)
        canvas.setFont(BOLD, 110)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -38, "DRAFT")
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(DRAFT_RED)
        top = PAGE_HEIGHT - (22.5 if self.decor.is_demo else 20.5) * mm
        text = f"DRAFT — {line}"
        draw_runs(canvas, MARGIN_X, top, text, 8, self.decor.coverage, BOLD, FRAME_WIDTH)
        canvas.restoreState()

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        decor = self.decor
        canvas.saveState()
        top = PAGE_HEIGHT - 12 * mm
        if decor.is_demo:
            canvas.setFillColor(DEMO_RED)
            canvas.rect(0, PAGE_HEIGHT - 8 * mm, PAGE_WIDTH, 8 * mm, stroke=0, fill=1)
            canvas.setFillColor("white")
            canvas.setFont(BOLD, 9)
            canvas.drawCentredString(
                PAGE_WIDTH / 2,
                PAGE_HEIGHT - 5.5 * mm,
                "DEMO — generated from the built-in demo account, not evidence of a real one",
            )
            top -= 3 * mm
        canvas.setFillColor(MUTED)
        left = decor.engagement + (f" — {decor.client}" if decor.client else "")
        draw_runs(canvas, MARGIN_X, top, left, 8, decor.coverage, max_width=130 * mm)
        canvas.setFont(BOLD, 8)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, "Confidential")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        canvas.line(MARGIN_X, 12 * mm, PAGE_WIDTH - MARGIN_X, 12 * mm)
        canvas.setFont(REGULAR, _FOOTER_SIZE)
        canvas.drawString(MARGIN_X, 8 * mm, f"Generated {decor.generated} by Audit Binder")
        label = f"Page {doc.page} of "
        x = PAGE_WIDTH - MARGIN_X - canvas.stringWidth("Page 9999 of 9999", REGULAR, _FOOTER_SIZE)
        canvas.drawString(x, 8 * mm, label)
        canvas.translate(x + canvas.stringWidth(label, REGULAR, _FOOTER_SIZE), 8 * mm)
        canvas.doForm(_TOTAL_FORM)
        canvas.restoreState()
        if self._on_page is not None:
            self._on_page(doc.page)

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            if flowable.level == 0:
                self._section = flowable.key
            # The heading's top edge, so a link lands on the heading, not the page top.
            top = getattr(self.frame, "_y", 0.0) + flowable.height
            self.canv.bookmarkPage(flowable.key, fit="XYZ", left=0, top=top)
            self.canv.addOutlineEntry(
                flowable.outline_title, flowable.key, level=flowable.level, closed=True
            )
            if flowable.in_toc:
                self.notify(
                    "TOCEntry", (flowable.level, flowable.toc_markup, self.page, flowable.key)
                )


def table_of_contents(styles: Styles) -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = [styles.toc0, styles.toc1, styles.toc2]
    return toc


def seed_contents(flowables: Sequence[Flowable]) -> None:
    """Give the table of contents its lines before the first pass, page numbers still to
    come, so that it already has its final height then.

    reportlab's multiBuild lays the binder out until the contents stop changing: with an
    empty first contents, the pages after it all move once they appear, and it takes
    three passes. Seeded, the first pass puts every heading on its final page and the
    second draws the contents with the real numbers: two passes. (Should a seeded line
    wrap differently from the real one, multiBuild simply makes its third pass.)"""
    tocs = [f for f in flowables if isinstance(f, TableOfContents)]
    if len(tocs) != 1:
        return
    for heading in _headings(flowables):
        if heading.in_toc:  # a three-digit stand-in for the page number
            tocs[0].addEntry(heading.level, heading.toc_markup, 100, heading.key)


def _headings(flowables: Sequence[Flowable]) -> Iterator[Heading]:
    for flowable in flowables:
        if isinstance(flowable, Heading):
            yield flowable
        inner = getattr(flowable, "_content", None)  # KeepTogether and its kind
        if isinstance(inner, list | tuple):
            yield from _headings(inner)
