"""Cover, contents, summary per framework and the applicability tables."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from app.controls.catalogue import FRAMEWORKS
from app.report.charts import control_status_chart, results_pie
from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import (
    BUCKET_LABELS,
    BUCKETS,
    STATUS_LABELS,
    BinderData,
    CriterionRow,
    controls_chapter,
)
from app.report.story_checking import how_to_check
from app.report.styles import DEMO_RED
from app.report.templates import FRAME_WIDTH, table_of_contents


def cover(kit: Kit, data: BinderData, digest: str) -> list[Flowable]:
    e = data.engagement
    s = kit.styles
    story: list[Flowable] = [Spacer(1, 18 * mm)]
    story.append(kit.rich("Audit evidence binder", s.title))
    story.append(kit.para(e.client or e.name, s.subtitle))
    if e.is_demo:
        story.append(
            kit.rich(
                f'<font color="#{DEMO_RED.hexval()[2:]}"><b>DEMO.</b></font> '
                "This binder was generated from the built-in demo account. It shows what a "
                "real binder contains; it is not evidence about any real AWS account.",
                s.body,
            )
        )
    period = e.period
    period_text = (
        f"{period.start or 'open'} to {period.end or 'open'}"
        if period.start or period.end
        else "not set (no evidence is marked as outside the period)"
    )
    accounts = ", ".join(f"{aid} ({alias})" if alias else aid for aid, alias in e.accounts)
    frameworks = ", ".join(FRAMEWORKS.get(f, f) for f in e.frameworks) or "none selected"
    facts: list[tuple[str, object]] = [
        ("Engagement", e.name),
        ("Client", e.client or "—"),
        ("Frameworks", frameworks),
        ("Audit period", period_text),
        ("AWS accounts", accounts or "none recorded"),
        ("Regions in scope", ", ".join(e.regions) or "every enabled region"),
        ("Generated", utc_text(data.generated_at)),
        ("Evidence collected by", data.generated_by or "no scan recorded"),
        ("Scans included", str(len(data.scans))),
        ("Generated with", f"Audit Binder {data.app_version}"),
        ("Evidence digest (SHA-256)", kit.rich(digest, s.cell_mono)),
    ]
    story.append(Spacer(1, 6 * mm))
    story.append(kit.facts(facts, (48 * mm, FRAME_WIDTH - 48 * mm)))
    story.append(Spacer(1, 10 * mm))
    chapter = controls_chapter(e.frameworks)
    criteria = "Section 2 states" if chapter == 3 else "Sections 2 and 3 state"
    story.append(kit.rich("<b>How to read this binder</b>", s.body))
    story.append(
        kit.rich(
            f"Section 1 summarises each framework. {criteria} criterion by criterion, "
            "whether it applies, how it is implemented and where the evidence is. "
            f"Section {chapter} gives each control: the requirement, the API calls that were "
            "made (read-only, with their parameters, time, account, region and caller), the "
            "whole population of resources judged (passing ones too), findings, remediation, "
            "manual evidence, exceptions and sign-off. "
            f"Section {chapter + 1} is the scan history. Appendix A lists the SHA-256 of every "
            "evidence file; the files themselves are embedded in this PDF.",
            s.body,
        )
    )
    story.extend(how_to_check(kit, data))
    story.append(PageBreak())
    story.append(kit.rich("Contents", s.h1))
    story.append(table_of_contents(s))
    story.append(PageBreak())
    return story


def summary(kit: Kit, data: BinderData) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading("1", "Summary", key="summary", level=0)]
    story.append(
        kit.para(
            "Each control is counted once per framework it maps to. Passed: every resource "
            "its checks judged passed (or a current sign-off). Exceptions: its only failures "
            "are covered by an approved, unexpired exception. Could not check: a check could "
            "not look (access denied, region unreachable), which is never counted as a pass.",
            s.small,
        )
    )
    header = ["Framework", "Criteria", "Controls", *[BUCKET_LABELS[k] for k in BUCKETS]]
    widths = [30 * mm, 15 * mm, 15 * mm] + [(FRAME_WIDTH - 60 * mm) / len(BUCKETS)] * len(BUCKETS)
    rows: list[list[object]] = []
    for fw in data.frameworks:
        total = sum(fw.counts.values())
        rows.append(
            [fw.name, str(fw.criteria), str(total), *[str(fw.counts.get(k, 0)) for k in BUCKETS]]
        )
    story.append(kit.grid(header, rows, widths))
    story.append(Spacer(1, 5 * mm))
    # Half the frame less the table's default cell padding (6 pt each side).
    chart_width = FRAME_WIDTH / 2 - 12
    charts: list[Flowable] = [
        control_status_chart(f"{fw.name}: controls by status", fw.counts, chart_width)
        for fw in data.frameworks
    ]
    results: Counter[str] = Counter()
    for section in data.controls:
        for block in section.checks:
            results.update(row.status for row in block.rows)
    charts.append(results_pie(results, chart_width))
    pairs = [charts[i : i + 2] for i in range(0, len(charts), 2)]
    chart_table = Table(
        [p + [""] * (2 - len(p)) for p in pairs], colWidths=[FRAME_WIDTH / 2] * 2, hAlign="LEFT"
    )
    chart_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(chart_table)
    story.append(Spacer(1, 4 * mm))
    story.append(kit.rich("<b>Controls at a glance</b>", s.h3))
    rows = []
    for section in data.controls:
        counts = Counter(row.status for b in section.checks for row in b.rows)
        signed = section.sign_offs[-1] if section.sign_offs else None
        rows.append(
            [
                kit.rich(f'<a href="#{section.anchor}">{section.number}</a>', s.cell),
                kit.cell(f"{section.control.title} ({section.control.id})", 70 * mm),
                STATUS_LABELS.get(section.status, section.status),
                f"{counts['PASS']} / {counts['FAIL']} / {counts['ERROR']} / "
                f"{counts['NOT_APPLICABLE']}",
                kit.cell(
                    (f"{signed.reviewer}{' (stale)' if signed.stale else ''}" if signed else "—"),
                    35 * mm,
                ),
            ]
        )
    story.append(
        kit.grid(
            ["§", "Control", "Status", "Pass / fail / error / n.a.", "Signed off by"],
            rows,
            [10 * mm, 70 * mm, 30 * mm, 29 * mm, FRAME_WIDTH - 139 * mm],
        )
    )
    story.append(PageBreak())
    return story


def applicability(kit: Kit, data: BinderData, number: str, framework: str) -> list[Flowable]:
    s = kit.styles
    name = FRAMEWORKS.get(framework, framework)
    title = (
        "ISO 27001:2022 Statement of Applicability"
        if framework == "iso27001"
        else f"{name} criteria"
    )
    story: list[Flowable] = [kit.heading(number, title, key=f"criteria-{framework}", level=0)]
    story.append(
        kit.para(
            f"Every {name} criterion that the catalogue's controls address. Criterion titles "
            "are short descriptions in our own words, not the standard's text. The evidence "
            "reference points at the control sections of this binder.",
            s.small,
        )
    )
    rows = [_criterion_row(kit, row) for row in data.criteria if row.framework == framework]
    widths = [17 * mm, 38 * mm, 14 * mm, 57 * mm, 28 * mm, FRAME_WIDTH - 154 * mm]
    header = ["Criterion", "Topic", "Applies", "Why / how", "Implemented", "Evidence"]
    if rows:
        story.append(kit.grid(header, rows, widths))
    else:
        story.append(kit.para("No criteria of this framework are covered.", s.body))
    story.append(PageBreak())
    return story


# How far a criterion is implemented, from the worst status of its controls.
IMPLEMENTED = {
    "passing": "Yes",
    "signed_off": "Yes, signed off",
    "exception": "Yes, with accepted exceptions",
    "failing": "Partly: open findings",
    "error": "Unknown: could not check",
    "stale": "Yes, but the sign-off is stale",
    "not_checked": "Not yet checked",
    "not_applicable": "—",
}


def _criterion_row(kit: Kit, row: CriterionRow) -> list[object]:
    s = kit.styles
    links = ", ".join(f'<a href="#{anchor}">§{number}</a>' for number, anchor in row.references)
    return [
        kit.cell(row.criterion, 17 * mm, bold=True),
        kit.cell(row.title or "—", 40 * mm),
        "Yes" if row.applicable else "No",
        kit.cell(row.why, 57 * mm),
        kit.cell(IMPLEMENTED.get(row.status, row.status), 28 * mm),
        kit.rich(links or "—", s.cell),
    ]
