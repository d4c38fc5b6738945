"""The Statement of Applicability (all 93 Annex A controls) and the SOC 2 criteria in scope.

Until every Annex A control is decided and the current version is approved, the SoA is
a draft, and says so in plain sight: a notice on the cover (`cover_notice`) and at the
top of the section, and a DRAFT mark with the reasons on each of its pages
(`draft_marks`, drawn by the page template).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer, Table, TableStyle

from app.controls.catalogue import SOC2_CATEGORIES, THEME_TITLES
from app.controls.results import Status
from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import BinderData, ControlSection, shown_frameworks
from app.report.styles import STATUS_COLOURS
from app.report.templates import FRAME_WIDTH
from app.services.implementation import ControlRef, Implementation
from app.services.soa_model import SoaRow, Soc2Row, Statement, by_theme
from app.services.soa_table import approval_text
from app.store.decisions import REASON_TITLES
from app.store.soa_approvals import SoaApproval

ISO_KEY = "criteria-iso27001"
SOC2_KEY = "criteria-soc2"
IMPLEMENTATION_COLOURS = {
    Implementation.IMPLEMENTED: STATUS_COLOURS[Status.PASS],
    Implementation.INHERITED: STATUS_COLOURS[Status.PASS],
    Implementation.PARTLY: STATUS_COLOURS[Status.ERROR],
    Implementation.NOT_YET: STATUS_COLOURS[Status.FAIL],
    Implementation.EXCLUDED: STATUS_COLOURS[Status.NOT_APPLICABLE],
}
UNDECIDED = "Undecided"
_LINK = "#1d4e89"


def draft_reasons(data: BinderData) -> tuple[str, ...]:
    """Why the binder's SoA is a draft; empty when it is final or not in the binder."""
    if "iso27001" not in shown_frameworks(data.engagement.frameworks):
        return ()
    if data.statement is None:
        return ("no Statement of Applicability is recorded",)
    return data.statement.state.draft_reasons


def draft_line(data: BinderData) -> str:
    """One line for the cover and the page marks, e.g. "Statement of Applicability
    version 3 is a draft: 5 of 93 Annex A controls undecided; not approved"."""
    reasons = "; ".join(draft_reasons(data))
    version = f" version {data.statement.state.version}" if data.statement else ""
    return f"Statement of Applicability{version} is a draft: {reasons}"


def draft_marks(data: BinderData) -> dict[str, str]:
    """The page template's marks: the SoA's pages, while it is a draft."""
    reasons = draft_reasons(data)
    if not reasons:
        return {}
    version = f" version {data.statement.state.version}" if data.statement else ""
    return {ISO_KEY: f"SoA{version}: {'; '.join(reasons)}"}


def cover_notice(kit: Kit, data: BinderData) -> list[Flowable]:
    if not draft_reasons(data):
        return []
    return [
        kit.rich(
            f"DRAFT. {kit.esc(draft_line(data))}. Section 2 is not an approved Statement "
            "of Applicability until every Annex A control is decided and that version "
            "is approved.",
            kit.styles.draft,
        )
    ]


def cover_fact(data: BinderData) -> str | None:
    """The cover's line on the SoA; None when the binder has no SoA."""
    if "iso27001" not in shown_frameworks(data.engagement.frameworks):
        return None
    if draft_reasons(data):
        return f"DRAFT: {draft_line(data)}"
    assert data.statement is not None and data.statement.state.approval is not None
    return f"Approved: {approval_text(data.statement.state.approval)}"


def soa_summary(kit: Kit, data: BinderData) -> list[Flowable]:
    """The summary's line on the SoA: version, approval or why a draft, progress."""
    soa = data.statement
    if soa is None or "iso27001" not in shown_frameworks(data.engagement.frameworks):
        return []
    state = soa.state
    where = f'<a href="#{ISO_KEY}" color="{_LINK}">Statement of Applicability</a>'
    status = "approved" if state.complete else "DRAFT: " + "; ".join(draft_reasons(data))
    return [
        kit.rich(
            f"<b>{where}</b>: version {state.version}, {kit.esc(status)}. "
            f"{kit.esc(state.progress)} ({state.excluded} excluded); implementation: "
            f"{kit.esc(_tally(row.implementation for row in soa.rows))}.",
            kit.styles.small,
        )
    ]


def statement_of_applicability(kit: Kit, data: BinderData, number: str) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [
        kit.heading(number, "ISO 27001:2022 Statement of Applicability", key=ISO_KEY, level=0)
    ]
    story.append(
        kit.para(
            "Every Annex A control of ISO/IEC 27001:2022 (93), whether it applies to this "
            "engagement, why (or, for an exclusion, the justification), how far it is "
            "implemented and who owns it. Titles are short descriptions in our own words, "
            "not the standard's text. The implementation is derived from the controls "
            "behind each row (their checks, evidence and sign-off), never typed in; the "
            "last column links to their sections in this binder. An approval covers the "
            "decisions, not the implementation: it is a record in the engagement's "
            "hash-chained sign-off record.",
            s.small,
        )
    )
    story.extend(cover_notice(kit, data))
    soa = data.statement
    if soa is None:
        story.append(kit.para("No Statement of Applicability is recorded.", s.body))
        story.append(PageBreak())
        return story
    story.append(kit.facts(_status_facts(soa), (35 * mm, FRAME_WIDTH - 35 * mm)))
    story.extend(_approvals(kit, soa.approvals))
    sections = {section.control.id: section for section in data.controls}
    for index, (theme, title, rows) in enumerate(by_theme(soa.rows), start=1):
        story += _table_heading(kit, f"{number}.{index}", title, f"soa-{theme}")
        story.append(_iso_table(kit, rows, sections))
    story.append(PageBreak())
    return story


def _table_heading(kit: Kit, number: str, title: str, key: str) -> list[Flowable]:
    """A level-1 heading over a long table: it starts a page only when little room is
    left (kept with the table, a table longer than the page would move it every time)."""
    style = ParagraphStyle(f"{kit.styles.h2.name}-free", parent=kit.styles.h2, keepWithNext=0)
    return [CondPageBreak(45 * mm), kit.heading(number, title, key=key, level=1, style=style)]


def _status_facts(soa: Statement) -> list[tuple[str, object]]:
    state = soa.state
    approval = state.approval
    if state.approved and approval is not None:
        approved = approval_text(approval)
    elif approval is not None:
        approved = (
            f"not this version: {approval_text(approval)}; the decisions changed since, "
            f"so this is the draft of version {state.version}"
        )
    else:
        approved = "not approved"
    return [
        ("Version", f"{state.version}" + ("" if state.complete else " (draft)")),
        ("Approval", approved),
        ("Decided", f"{state.progress} ({state.excluded} excluded)"),
        ("Implementation", _tally(row.implementation for row in soa.rows)),
    ]


def _tally(values: Iterable[Implementation]) -> str:
    counts = Counter(values)
    return ", ".join(f"{counts[i]} {i.label}" for i in Implementation if counts[i]) or "—"


def _approvals(kit: Kit, approvals: Sequence[SoaApproval]) -> list[Flowable]:
    if not approvals:
        return []
    widths = [14 * mm, 34 * mm, 28 * mm, 32 * mm, 40 * mm, FRAME_WIDTH - 148 * mm]
    rows = []
    for approval in approvals:
        if approval.current:
            state = "current"
        elif approval is approvals[-1]:
            state = "decisions changed since"
        else:
            state = f"superseded by version {approval.version + 1}"
        rows.append(
            [
                str(approval.version),
                kit.cell(approval.reviewer, widths[1]),
                kit.cell(approval.role or "—", widths[2]),
                kit.cell(utc_text(approval.approved_at), widths[3]),
                kit.cell(approval.comment or "—", widths[4]),
                kit.cell(state, widths[5]),
            ]
        )
    header = ["Version", "Approved by", "Role", "When (UTC)", "Comment", "State"]
    return [
        Spacer(1, 3 * mm),
        kit.rich("Approvals", kit.styles.label),
        kit.grid(header, rows, widths),
    ]


def _iso_table(kit: Kit, rows: Sequence[SoaRow], sections: dict[str, ControlSection]) -> Table:
    widths = [14 * mm, 26 * mm, 17 * mm, 38 * mm, 22 * mm, 18 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    cells = [
        [
            kit.cell(row.criterion_id, widths[0], bold=True),
            kit.cell(row.title, widths[1]),
            _applies(row),
            kit.cell(_why(row), widths[3]),
            row.implementation.label.capitalize(),
            kit.cell(row.decision.owner or "—", widths[5]),
            _behind(kit, row.controls, sections),
        ]
        for row in rows
    ]
    header = ["Control", "Title", "Applies", "Reason or justification", "Implemented"]
    header += ["Owner", "Controls and evidence"]
    table = kit.grid(header, cells, widths, long=True)
    style = _colours([row.implementation for row in rows], column=4)
    style += [
        ("TEXTCOLOR", (2, index), (2, index), STATUS_COLOURS[Status.FAIL])
        for index, row in enumerate(rows, start=1)
        if not row.decided
    ]
    table.setStyle(TableStyle(style))
    return table


def _applies(row: SoaRow) -> str:
    applies = row.decision.applies
    return UNDECIDED if applies is None else ("Yes" if applies else "No")


def _why(row: SoaRow) -> str:
    decision = row.decision
    if decision.applies is False:
        return f"Excluded: {decision.justification}"
    if decision.applies is None:
        return decision.justification or "—"
    head = REASON_TITLES.get(decision.reason, decision.reason) or "No reason given"
    return f"{head}\n{decision.justification}" if decision.justification else head


def _colours(values: Sequence[Implementation], *, column: int) -> list[tuple[Any, ...]]:
    return [
        ("TEXTCOLOR", (column, index), (column, index), IMPLEMENTATION_COLOURS[value])
        for index, value in enumerate(values, start=1)
    ]


def _behind(kit: Kit, refs: Sequence[ControlRef], sections: dict[str, ControlSection]) -> object:
    """The controls behind a row, each linked to its section, with what supports it."""
    lines = []
    for ref in refs:
        section = sections.get(ref.id)
        if section is None:
            lines.append(f"{kit.esc(ref.id)}: {kit.esc(ref.status.label.lower())}")
            continue
        link = (
            f'<a href="#{section.anchor}" color="{_LINK}">§{section.number}</a> {kit.esc(ref.id)}'
        )
        lines.append(f"{link}: {kit.esc(_support(section))}")
    return kit.rich("<br/>".join(lines) or "—", kit.styles.cell)


def _support(section: ControlSection) -> str:
    """What a control rests on, in a few words: "signed off; 12 results, 3 failing"."""
    if not section.applicable:
        return f"not applicable ({section.applicability_reason or 'no reason given'})"
    control = section.control
    parts = []
    if control.automated:
        rows = [row for block in section.checks for row in block.rows]
        failing = sum(1 for row in rows if row.status is Status.FAIL and not row.excepted)
        parts.append(f"{len(rows)} results" if rows else "no results yet")
        if failing:
            parts.append(f"{failing} failing")
    else:
        asked = control.manual_evidence
        answered = sum(1 for item in asked if section.files_for(item.id))
        parts.append(f"{answered} of {len(asked)} items")
    if section.attachments:
        count = len(section.attachments)
        parts.append(f"{count} file{'s' if count != 1 else ''}")
    return f"{section.status.label.lower()} ({', '.join(parts)})"


def soc2_criteria(kit: Kit, data: BinderData, number: str) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading(number, "SOC 2 criteria", key=SOC2_KEY, level=0)]
    soa = data.statement
    chosen = soa.soc2_categories if soa is not None else ("security",)
    names = [SOC2_CATEGORIES[c] for c in chosen if c in SOC2_CATEGORIES]
    others = [title for key, title in SOC2_CATEGORIES.items() if key not in chosen]
    scope = f"In this engagement's scope: {', '.join(names)}."
    if others:
        scope += (
            f" Not in its scope: {', '.join(others)}; their criteria are not part of "
            "this engagement and are not listed."
        )
    story.append(
        kit.para(
            "SOC 2 is scoped by Trust Services Category, not criterion by criterion: every "
            "criterion of a category in scope is listed, with the controls behind it and "
            "how far they are in place (derived from their checks, evidence and sign-off). "
            "Security is always in scope. " + scope,
            s.small,
        )
    )
    rows = soa.soc2_rows if soa is not None else ()
    story.append(kit.para(f"Implementation: {_tally(r.implementation for r in rows)}.", s.body))
    sections = {section.control.id: section for section in data.controls}
    for index, category in enumerate(chosen, start=1):
        own = [row for row in rows if row.category == category]
        title = f"{SOC2_CATEGORIES.get(category, category)} ({len(own)} criteria)"
        story += _table_heading(kit, f"{number}.{index}", title, f"soc2-{category}")
        for series in dict.fromkeys(row.theme for row in own):
            story.append(CondPageBreak(30 * mm))
            story.append(kit.rich(kit.esc(THEME_TITLES.get(series, series)), s.label))
            story.append(_soc2_table(kit, [r for r in own if r.theme == series], sections))
    story.append(PageBreak())
    return story


def _soc2_table(kit: Kit, rows: Sequence[Soc2Row], sections: dict[str, ControlSection]) -> Table:
    widths = [17 * mm, 53 * mm, 22 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    cells = [
        [
            kit.cell(row.criterion_id, widths[0], bold=True),
            kit.cell(row.title, widths[1]),
            row.implementation.label.capitalize(),
            _behind(kit, row.controls, sections),
        ]
        for row in rows
    ]
    table = kit.grid(["Criterion", "Title", "Implemented", "Controls and evidence"], cells, widths)
    table.setStyle(TableStyle(_colours([row.implementation for row in rows], column=2)))
    return table
