"""The Controls chapter, family by family, and an automated control's section: requirement,
checks with their calls and population, findings (manual controls: `story_manual.py`)."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from app.controls.catalogue import FAMILY_TITLES
from app.controls.results import Status
from app.report.kit import Kit, status_cell
from app.report.manifest import utc_text
from app.report.model import BinderData, CheckBlock, ControlSection, PopulationRow
from app.report.story_evidence import exceptions, manual_evidence, notes, sign_offs
from app.report.story_manual import facts_table, manual_control, requirement
from app.report.story_period import control_period
from app.report.story_population import completeness
from app.report.templates import FRAME_WIDTH

OUT_OF_PERIOD = "†"
# The findings list repeats failing rows of the population; past this it points there.
MAX_FINDINGS = 150


def controls(kit: Kit, data: BinderData, number: str) -> list[Flowable]:
    story: list[Flowable] = [kit.heading(number, "Controls", key="controls", level=0)]
    story.append(
        kit.para(
            "One section per control, family by family. Automated results come from the "
            "latest complete scan of each account that covered the control. "
            f"{OUT_OF_PERIOD} marks evidence collected outside the audit period; (exc.) "
            "marks a failing resource covered by an approved, unexpired exception; N/A means "
            "the check found nothing of its kind to judge there. Manual controls, which no "
            "scan judges, list each piece of evidence asked for and what is attached "
            "against it.",
            kit.styles.small,
        )
    )
    for index, (family, sections) in enumerate(_by_family(data.controls)):
        for position, section in enumerate(sections):
            if index or position:
                story.append(PageBreak())
            if not position:
                story.append(_family_heading(kit, family, sections))
            if section.control.automated:
                story.extend(control(kit, data, section))
            else:
                story.extend(manual_control(kit, section))
    story.append(PageBreak())
    return story


def _by_family(
    sections: tuple[ControlSection, ...],
) -> list[tuple[str, list[ControlSection]]]:
    groups: dict[str, list[ControlSection]] = {}
    for section in sections:
        groups.setdefault(section.control.family, []).append(section)
    return list(groups.items())


def _family_heading(kit: Kit, family: str, sections: list[ControlSection]) -> Flowable:
    first, last = sections[0].number, sections[-1].number
    span = first if first == last else f"{first} to {last}"
    title = f"{FAMILY_TITLES.get(family, family)} ({span})"
    return kit.heading("", title, key=f"family-{family}", level=1, style=kit.styles.kicker)


def control(kit: Kit, data: BinderData, section: ControlSection) -> list[Flowable]:
    """An automated control's section: its checks, population and findings, then its record."""
    s = kit.styles
    c = section.control
    story: list[Flowable] = [
        kit.heading(section.number, c.title, key=section.anchor, level=2, in_toc=True, style=s.h2),
        facts_table(kit, section),
    ]
    story.extend(requirement(kit, section))
    story.extend(control_period(kit, data, section))
    story.append(kit.heading("", "Automated checks", key=f"{section.anchor}-checks", level=3))
    if not section.checks:
        story.append(kit.para("No automated result is recorded for this control.", s.body))
    for block in section.checks:
        story.extend(_check(kit, data, section, block))
    story.extend(_findings(kit, section))
    story.extend(manual_evidence(kit, section))
    story.extend(notes(kit, section))
    story.extend(exceptions(kit, section))
    story.extend(sign_offs(kit, section))
    return story


def _check(
    kit: Kit, data: BinderData, section: ControlSection, block: CheckBlock
) -> list[Flowable]:
    s = kit.styles
    multi_account = len({row.account_id for row in block.rows}) > 1
    counts = Counter(row.status for row in block.rows)
    summary = ", ".join(f"{counts[k]} {k}" for k in Status)
    intro: list[Flowable] = [
        CondPageBreak(40 * mm),
        kit.rich(
            f"Check <font name='BinderMono'>{kit.esc(block.check_id)}</font>: "
            f"{kit.esc(block.title)}",
            s.h3,
        ),
    ]
    if block.proves:
        intro.append(kit.para(f"A PASS proves: {block.proves}", s.small))
    for account, caller, scan_id, started in block.sources:
        intro.append(
            kit.para(
                f"Scan {scan_id} of account {account}, started {utc_text(started)}, "
                f"as {caller or 'unknown caller'}.",
                s.small,
            )
        )
    intro.append(kit.para(f"Population: {len(block.rows)} results ({summary}).", s.small))
    story: list[Flowable] = [KeepTogether(intro)]
    if block.calls:
        story.extend(_caption(kit, "API calls made (read-only)"))
        widths = [44 * mm, 66 * mm, 24 * mm, 26 * mm, FRAME_WIDTH - 160 * mm]
        rows = [
            [
                kit.cell(call.operation, widths[0]),
                kit.cell(
                    call.parameters if call.parameters != "{}" else "(none)", widths[1], mono=True
                ),
                kit.cell(call.region, widths[2]),
                kit.cell(_when(call.first_at, call.last_at), widths[3]),
                str(call.rows),
            ]
            for call in block.calls
        ]
        header = ["Operation", "Parameters", "Region", "When (UTC)", "Rows"]
        story.append(kit.grid(header, rows, widths, mono_columns=(1,), long=True))
        story.append(Spacer(1, 3 * mm))
        story.extend(completeness(kit, block))
    story.extend(_caption(kit, "Population (every resource judged)"))
    story.append(_population(kit, block.rows, multi_account))
    story.append(Spacer(1, 4 * mm))
    return story


def _caption(kit: Kit, text: str) -> list[Flowable]:
    """A table's caption; starts a new page rather than being left alone at the bottom.

    (keepWithNext would move a page-spanning table to a new page with it.)
    """
    return [CondPageBreak(28 * mm), kit.rich(text, kit.styles.label)]


def _when(first: object, last: object) -> str:
    a = utc_text(first).removesuffix(" UTC")  # type: ignore[arg-type]
    b = utc_text(last).removesuffix(" UTC")  # type: ignore[arg-type]
    return a if a == b else f"{a} – {b}"


def _population(kit: Kit, rows: tuple[PopulationRow, ...], multi_account: bool) -> Flowable:
    if multi_account:
        header = ["#", "Status", "Account", "Region", "Resource", "Detail", "Collected (UTC)"]
        # 23 mm: a 12-digit account id on one line.
        widths = [8 * mm, 15 * mm, 23 * mm, 23 * mm, 42 * mm, 0.0, 20 * mm]
    else:
        header = ["#", "Status", "Region", "Resource", "Detail", "Collected (UTC)"]
        # Details (why a resource failed) run longer than ARNs: they get the most room.
        widths = [8 * mm, 15 * mm, 23 * mm, 48 * mm, 0.0, 20 * mm]
    widths[widths.index(0.0)] = FRAME_WIDTH - sum(widths)
    detail_col = header.index("Detail")
    resource_col = header.index("Resource")
    table_rows = []
    for index, row in enumerate(rows, start=1):
        status = status_cell(row.status, row.excepted)
        collected = utc_text(row.collected_at).removesuffix(" UTC")
        if row.in_period is False:
            collected += f" {OUT_OF_PERIOD}"
        cells: list[object] = [str(index), status]
        if multi_account:
            cells.append(row.account_id)
        cells.extend(
            [
                kit.cell(row.region, widths[header.index("Region")]),
                kit.cell(row.resource, widths[resource_col]),
                kit.cell(row.detail, widths[detail_col]),
                kit.cell(collected, widths[-1]),
            ]
        )
        table_rows.append(cells)
    if not table_rows:
        return kit.para("No resources were judged by this check.", kit.styles.muted)
    return kit.grid(header, table_rows, widths, status_column=1, long=True)


def _findings(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [
        kit.heading("", "Findings and remediation", key=f"{section.anchor}-findings", level=3)
    ]
    failing = [r for b in section.checks for r in b.rows if r.status in (Status.FAIL, Status.ERROR)]
    if not failing:
        story.append(kit.para("No findings: no resource failed and no check errored.", s.body))
        return story
    fails = sum(1 for r in failing if r.status is Status.FAIL)
    errors = len(failing) - fails
    story.append(
        kit.para(
            f"{fails} failing resource(s) and {errors} result(s) that could not be checked "
            "(ERROR: the check could not look, so it is not a pass).",
            s.body,
        )
    )
    widths = [16 * mm, 32 * mm, 50 * mm, FRAME_WIDTH - 98 * mm]
    rows = [
        [
            status_cell(r.status, r.excepted),
            kit.cell(r.check_id, widths[1]),
            kit.cell(r.resource, widths[2]),
            kit.cell(r.detail, widths[3]),
        ]
        for r in failing[:MAX_FINDINGS]
    ]
    story.append(
        kit.grid(
            ["Status", "Check", "Resource", "Finding"], rows, widths, status_column=0, long=True
        )
    )
    if len(failing) > MAX_FINDINGS:
        story.append(
            kit.para(
                f"… and {len(failing) - MAX_FINDINGS} more; every one is in the population "
                "tables above.",
                s.small,
            )
        )
    if section.control.remediation:
        story.extend(_caption(kit, "Remediation"))
        for step_no, step in enumerate(section.control.remediation, start=1):
            story.append(kit.para(f"{step_no}. {step.title}", s.cell_bold))
            story.append(kit.para(step.text, s.small))
        # The commands and templates of each step are for whoever fixes it, not the auditor.
        story.append(
            kit.rich(
                "The commands and templates for each step are shown in the app and by "
                f"<font name='BinderMono'>audit-binder controls {kit.esc(section.control.id)}"
                "</font>.",
                s.muted,
            )
        )
    return story
