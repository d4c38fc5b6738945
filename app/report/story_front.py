"""Cover, contents and the summary per framework."""

from __future__ import annotations

from collections import Counter

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from app.controls.catalogue import FRAMEWORKS
from app.controls.results import Status
from app.report.charts import control_status_chart, results_pie
from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import (
    BUCKET_LABELS,
    BUCKETS,
    BinderData,
    ControlSection,
    controls_chapter,
)
from app.report.story_checking import how_to_check
from app.report.story_manual import kind_label
from app.report.story_period import period_summary
from app.report.story_soa import cover_fact, cover_notice, soa_summary
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
        if e.notes:  # what the demo generated (its scan history), in its own words
            story.append(kit.para(e.notes, s.small))
    story.extend(cover_notice(kit, data))
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
        ("Scans", _scans_fact(data)),
        ("Generated with", f"Audit Binder {data.app_version}"),
        ("Evidence digest (SHA-256)", kit.rich(digest, s.cell_mono)),
    ]
    soa = cover_fact(data)
    if soa is not None:
        facts.insert(4, ("Statement of Applicability", soa))
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
            f"Section {chapter} gives each control, family by family: the requirement; for "
            "automated controls, the API calls that were made (read-only, with their "
            "parameters, time, account, region and caller), the whole population of "
            "resources judged (passing ones too), findings and remediation; for manual "
            "controls, what to do and each piece of evidence asked for with what is attached "
            "against it; then notes, exceptions and sign-off. "
            "Section 1 also says how each account was covered across the audit period and "
            "which recurring evidence is overdue; each automated control's section says in "
            "how many of the period's scans it passed. "
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


def _scans_fact(data: BinderData) -> str:
    embedded = sum(1 for scan in data.scans if scan.embedded)
    if len(data.scans) == embedded:
        return f"{len(data.scans)}, each embedded whole"
    return (
        f"{len(data.scans)} recorded; {embedded} embedded whole (the latest of each "
        "account), the others counted in the period ledger"
    )


def summary(kit: Kit, data: BinderData) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading("1", "Summary", key="summary", level=0)]
    story.append(
        kit.para(
            "Each control is counted once per framework in whose scope it serves a "
            "criterion (an Annex A control not excluded; a SOC 2 criterion of a category in "
            "scope). Passed or signed off: every resource its checks judged passed, or a "
            "current sign-off. Automated controls may also be failing, under an approved "
            "unexpired exception (Exceptions), unable to look (Could not check: never "
            "counted as a pass) or not yet scanned. Manual controls, which no scan judges, "
            "rest on their files: Evidence attached (every item asked for, the catalogue's "
            "and the engagement's own, has a file and none is overdue; awaiting a reviewer's "
            "sign-off) or Evidence missing. A stale sign-off counts "
            "by the control's own evidence.",
            s.small,
        )
    )
    # One column per framework: the buckets' names read best down the side.
    frameworks = data.frameworks
    rows: list[list[object]] = [
        ["Criteria in scope", *[str(fw.criteria or 0) for fw in frameworks]],
        ["Controls counted", *[str(sum(fw.counts.values())) for fw in frameworks]],
    ]
    rows += [[BUCKET_LABELS[k], *[str(fw.counts.get(k, 0)) for fw in frameworks]] for k in BUCKETS]
    widths = [48 * mm] + [32 * mm] * len(frameworks)
    story.append(kit.grid(["", *[fw.title for fw in frameworks]], rows, widths))
    story.extend(soa_summary(kit, data))
    story.extend(period_summary(kit, data))
    story.append(Spacer(1, 4 * mm))
    story.append(_charts(data))
    story.append(Spacer(1, 4 * mm))
    story.append(kit.rich("<b>Controls at a glance</b>", s.h3))
    story.append(_at_a_glance(kit, data))
    story.append(PageBreak())
    return story


def _charts(data: BinderData) -> Table:
    # Half the frame less the table's default cell padding (6 pt each side).
    chart_width = FRAME_WIDTH / 2 - 12
    charts: list[Flowable] = [
        control_status_chart(f"{fw.title}: controls by status", fw.counts, chart_width)
        for fw in data.frameworks
    ]
    results: Counter[Status] = Counter()
    for section in data.controls:
        for block in section.checks:
            results.update(row.status for row in block.rows)
    charts.append(results_pie(results, chart_width))
    pairs = [charts[i : i + 2] for i in range(0, len(charts), 2)]
    chart_table = Table(
        [p + [""] * (2 - len(p)) for p in pairs], colWidths=[FRAME_WIDTH / 2] * 2, hAlign="LEFT"
    )
    chart_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return chart_table


def _at_a_glance(kit: Kit, data: BinderData) -> Table:
    s = kit.styles
    widths = [10 * mm, 62 * mm, 17 * mm, 29 * mm, 28 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    rows = []
    for section in data.controls:
        signed = section.sign_offs[-1] if section.sign_offs else None
        rows.append(
            [
                kit.rich(f'<a href="#{section.anchor}">{section.number}</a>', s.cell),
                kit.cell(f"{section.control.title} ({section.control.id})", widths[1]),
                kind_label(section),
                section.status_label,
                _results_or_evidence(section),
                kit.cell(
                    (f"{signed.reviewer}{' (stale)' if signed.stale else ''}" if signed else "—"),
                    widths[5],
                ),
            ]
        )
    header = ["§", "Control", "Kind", "Status", "Results (P / F / E / N/A) or evidence"]
    return kit.grid([*header, "Signed off by"], rows, widths)


def _results_or_evidence(section: ControlSection) -> str:
    control = section.control
    if not control.automated:
        asked = control.manual_evidence
        answered = sum(1 for item in asked if section.files_for(item.id))
        return f"{answered} of {len(asked)} items"
    counts = Counter(row.status for b in section.checks for row in b.rows)
    return " / ".join(str(counts[status]) for status in Status)
