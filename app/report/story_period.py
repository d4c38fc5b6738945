"""The audit period in the binder: coverage (scans in the period, first, last, gaps) and
what is overdue in the summary; per automated control how it fared across the period
(from the period ledger, `app.services.ledger`), with a timeline strip; per manual
evidence request how often it is due and what is overdue (`app.services.recurring`)."""

from __future__ import annotations

from datetime import datetime

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import BinderData, ControlSection
from app.report.styles import REGULAR, RULE, STATUS_COLOURS
from app.report.templates import FRAME_WIDTH
from app.services.ledger_model import AccountCoverage, ControlLedger, CoverageGap, LedgerWindow
from app.services.ledger_words import duration, full_date
from app.services.recurring_model import OverdueItem, RequestSchedule

OVERDUE = "#b3261e"
MAX_GAPS = 12  # gaps listed per account in the summary; the rest are counted
MAX_OVERDUE = 60
_POINT_COLOURS = {
    ControlStatus.PASSING: STATUS_COLOURS[Status.PASS],
    ControlStatus.FAILING: STATUS_COLOURS[Status.FAIL],
    ControlStatus.ERROR: STATUS_COLOURS[Status.ERROR],
    ControlStatus.EXCEPTION: colors.HexColor("#7b5ea7"),
    ControlStatus.NOT_CHECKED: STATUS_COLOURS[Status.NOT_APPLICABLE],
}
_GAP_FILL = colors.HexColor("#e4e7eb")
STRIP_HEIGHT = 9 * mm


def period_summary(kit: Kit, data: BinderData) -> list[Flowable]:
    """The summary's "Across the audit period": coverage per account, then overdue evidence."""
    s = kit.styles
    story: list[Flowable] = [
        kit.heading("", "Across the audit period", key="period", level=1, style=s.h3)
    ]
    ledger = data.ledger
    if ledger is not None:
        schedule = (
            f"scans are scheduled {ledger.schedule.every.value}"
            if ledger.schedule is not None
            else "no scan schedule is recorded"
        )
        story.append(
            kit.para(
                f"Counted over {ledger.description}: complete scans only (failed and "
                f"interrupted scans never count as passes). {schedule.capitalize()}, so a "
                f"gap is more than {duration(ledger.gap_threshold)} without a complete "
                "scan. Each automated control's section says in how many of these scans "
                "it passed and when it failed.",
                s.small,
            )
        )
        if ledger.scans_outside_window:
            story.append(
                kit.para(
                    f"{ledger.scans_outside_window} complete scan(s) outside the audit "
                    "period are not counted.",
                    s.muted,
                )
            )
        story.append(_coverage_table(kit, [a.coverage for a in ledger.accounts]))
        for account in ledger.accounts:
            story.extend(_gap_list(kit, account.coverage))
    story.append(Spacer(1, 3 * mm))
    story.extend(_overdue_list(kit, data))
    return story


def _coverage_table(kit: Kit, rows: list[AccountCoverage]) -> Flowable:
    widths = [26 * mm, 18 * mm, 30 * mm, 30 * mm, 40 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    cells = []
    for coverage in rows:
        longest = coverage.longest_gap
        attempts = coverage.failed_scans + coverage.incomplete_scans
        cells.append(
            [
                coverage.account_id,
                str(coverage.scans),
                utc_text(coverage.first) if coverage.first else "—",
                utc_text(coverage.last) if coverage.last else "—",
                kit.cell(_gap_words(longest) if longest else "none", widths[4]),
                f"{len(coverage.gaps)} gap(s); {attempts} failed or interrupted scan(s)",
            ]
        )
    header = ["Account", "Scans", "First (UTC)", "Last (UTC)", "Longest gap", "Gaps"]
    return kit.grid(header, cells, widths)


def _gap_words(gap: CoverageGap) -> str:
    return f"{duration(gap.length)}, {gap.start.date()} to {gap.end.date()}"


def _gap_list(kit: Kit, coverage: AccountCoverage) -> list[Flowable]:
    if not coverage.gaps:
        return []
    lines = []
    for gap in coverage.gaps[:MAX_GAPS]:
        text = f"• {_gap_words(gap)} ({gap.edge.value})"
        if gap.failed_attempts:
            text += f": {gap.failed_attempts} failed attempt(s), the last: {gap.last_error}"
        lines.append(kit.para(text, kit.styles.small))
    if len(coverage.gaps) > MAX_GAPS:
        lines.append(kit.para(f"… and {len(coverage.gaps) - MAX_GAPS} more.", kit.styles.muted))
    title = kit.rich(
        f"<b>Gaps in coverage, account {kit.esc(coverage.account_id)}</b>", kit.styles.small
    )
    return [title, *lines]


def _overdue_list(kit: Kit, data: BinderData) -> list[Flowable]:
    s = kit.styles
    due = data.evidence_due
    if due is None:
        return []
    items = due.overdue
    title = f"Recurring evidence overdue on {full_date(due.as_of)}: {len(items)}"
    story: list[Flowable] = [kit.rich(f"<b>{kit.esc(title)}</b>", s.small)]
    if not items:
        story.append(kit.para("Every recurring evidence request due so far is answered.", s.muted))
        return story
    sections = {section.control.id: section for section in data.controls}
    widths = [14 * mm, 44 * mm, 62 * mm, 26 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    rows = [
        [
            kit.rich(_link(sections.get(i.control_id), i.control_id), s.cell),
            kit.cell(i.control_id, widths[1]),
            kit.cell(i.title, widths[2]),
            str(i.due),
            f"{i.days} days",
        ]
        for i in items[:MAX_OVERDUE]
    ]
    story.append(kit.grid(["§", "Control", "Evidence", "Was due", "Overdue by"], rows, widths))
    if len(items) > MAX_OVERDUE:
        story.append(kit.para(f"… and {len(items) - MAX_OVERDUE} more.", s.muted))
    return story


def _link(section: ControlSection | None, control_id: str) -> str:
    if section is None:
        return "—"
    return f'<a href="#{section.anchor}">{section.number}</a>'


def control_period(kit: Kit, data: BinderData, section: ControlSection) -> list[Flowable]:
    """An automated control across the period: "passed in N of M scans", the sentence,
    and a timeline strip per account."""
    s = kit.styles
    ledgers = data.ledger_for(section.control.id)
    if data.ledger is None:
        return []
    story: list[Flowable] = [
        kit.heading("", "Across the audit period", key=f"{section.anchor}-period", level=3),
    ]
    if not ledgers:
        story.append(kit.para("No account is in scope or scanned.", s.muted))
        return story
    story.append(kit.para(f"Over {data.ledger.description}, complete scans only.", s.small))
    for ledger in ledgers:
        # The sentence starts with "passed in N of M scans".
        story.append(
            kit.rich(f"<b>Account {kit.esc(ledger.account_id)}</b>: {kit.esc(ledger.sentence)}")
        )
        if ledger.timeline or ledger.gaps:
            story.append(timeline_strip(ledger, data.ledger.window))
    story.append(
        kit.para(
            "Strip: one mark per complete scan (green passed, red failed, amber could not "
            "check, purple failure accepted as an exception, grey no result); shaded: gaps "
            "in coverage.",
            s.muted,
        )
    )
    return story


def timeline_strip(ledger: ControlLedger, window: LedgerWindow) -> Drawing:
    """The control's scans along the window, as coloured marks; gaps shaded."""
    start = window.start or (ledger.timeline[0].at if ledger.timeline else window.until)
    end = window.until
    width, height = FRAME_WIDTH, STRIP_HEIGHT
    bar = height - 9
    span = max((end - start).total_seconds(), 1.0)

    def x(at: datetime) -> float:
        offset = min(max((at - start).total_seconds(), 0.0), span)
        return offset / span * width

    drawing = Drawing(width, height)
    drawing.add(_box(0, width, bar, colors.white, outline=True))
    for gap in ledger.gaps:
        left, right = x(gap.start), x(gap.end)
        drawing.add(_box(left, max(right - left, 0.8), bar, _GAP_FILL))
    mark = max(min(width / max(len(ledger.timeline), 1), 3.0), 0.6)
    for point in ledger.timeline:
        drawing.add(_box(x(point.at), mark, bar, _POINT_COLOURS.get(point.status, RULE)))
    drawing.add(Line(0, 9, 0, 6, strokeColor=RULE, strokeWidth=0.4))
    drawing.add(String(0, 0, str(start.date()), fontName=REGULAR, fontSize=6))
    drawing.add(String(width, 0, str(end.date()), fontName=REGULAR, fontSize=6, textAnchor="end"))
    return drawing


def _box(
    left: float, width: float, height: float, fill: colors.Color, *, outline: bool = False
) -> Rect:
    box = Rect(left, 9, width, height)
    box.fillColor = fill
    box.strokeColor = RULE if outline else None
    box.strokeWidth = 0.4 if outline else 0
    return box


def request_due(kit: Kit, request: RequestSchedule | None) -> list[Flowable]:
    """Under a manual evidence item: how often it is due, and what is overdue."""
    if request is None or (request.due_on is None and not request.recurring):
        return []
    s = kit.styles
    story: list[Flowable] = [kit.para(f"Due {request.words}.", s.small)]
    overdue = request.overdue_items
    if overdue:
        text = "; ".join(_overdue_words(i) for i in overdue)
        story.append(kit.rich(f'<font color="{OVERDUE}"><b>Overdue:</b></font> {text}.', s.small))
    answered = [o for o in request.occurrences if o.answered]
    if answered:
        text = "; ".join(
            f"due {o.due}: " + ", ".join(kit.esc(f.name) for f in o.files) for o in answered
        )
        story.append(kit.rich(f"<b>Answered:</b> {text}.", s.small))
    return story


def _overdue_words(item: OverdueItem) -> str:
    return f"{item.words} (nothing effective for it)"
