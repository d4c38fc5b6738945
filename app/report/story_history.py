"""Scan history, what changed between the last two scans, and the evidence manifest."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from app.controls.results import Status
from app.report.kit import Kit, status_cell
from app.report.manifest import Manifest, utc_text
from app.report.model import BinderData, PopulationRow, ScanChanges
from app.report.story_checking import VERIFY_COMMAND, export_log
from app.report.templates import FRAME_WIDTH
from app.report.text import clip

MAX_CHANGES = 100
MAX_REASON = 300  # characters of a scan's stored reason shown in the history table


def history(kit: Kit, data: BinderData, number: str) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading(number, "Scan history", key="history", level=0)]
    if not data.scans:
        story.append(kit.para("No scan has been recorded for this engagement.", s.body))
        story.extend(export_log(kit, data))
        story.append(PageBreak())
        return story
    story.append(
        kit.para(
            "Every scan of this engagement, oldest first. Scans are append-only; an "
            "incomplete scan was interrupted and its results are kept but not used for status. "
            "The full result document of the latest complete scan of each account (and of "
            "any scan whose results this binder shows) is embedded in this PDF (File: "
            "embedded; see Appendix A). Earlier scans are counted in the period ledger (each "
            "control's section) and listed here with their totals; their full results stay "
            "in the engagement's store and its exported engagement file.",
            s.small,
        )
    )
    widths = [10 * mm, 24 * mm, 27 * mm, 18 * mm, 38 * mm, 15 * mm, 16 * mm]
    widths.append(FRAME_WIDTH - sum(widths))
    rows = []
    for scan in data.scans:
        c = scan.counts
        started = utc_text(scan.started_at) + (" †" if scan.in_period is False else "")
        regions = f"{len(scan.regions)}"
        if scan.skipped_regions:
            regions += f" ({len(scan.skipped_regions)} skipped)"
        rows.append(
            [
                str(scan.id),
                scan.account_id,
                kit.cell(started, widths[2]),
                scan.state + (" *" if scan.error else ""),
                kit.cell(scan.caller_arn or "—", widths[4]),
                regions,
                "embedded" if scan.embedded else "—",
                " / ".join(str(c.get(status, 0)) for status in Status),
            ]
        )
    header = [
        "Scan",
        "Account",
        "Started (UTC)",
        "State",
        "Caller",
        "Regions",
        "File",
        "P / F / E / N.A.",
    ]
    story.append(kit.grid(header, rows, widths, long=True))
    if any(scan.in_period is False for scan in data.scans):
        story.append(kit.para("† started outside the audit period.", s.muted))
    story.extend(_reasons(kit, data))
    for change in data.changes:
        story.extend(_changes(kit, change))
    if not data.changes:
        story.append(Spacer(1, 3 * mm))
        story.append(
            kit.para("Only one complete scan per account: nothing to compare yet.", s.muted)
        )
    story.extend(_chain(kit, data))
    story.extend(export_log(kit, data))
    story.append(PageBreak())
    return story


def _reasons(kit: Kit, data: BinderData) -> list[Flowable]:
    """Why each scan marked * is not complete; a long reason (every region name) is cut
    here and whole in the scan's embedded document."""
    explained = [scan for scan in data.scans if scan.error]
    if not explained:
        return []
    story: list[Flowable] = [kit.para("* Why these scans are not complete:", kit.styles.muted)]
    for scan in explained:
        reason = clip(scan.error, MAX_REASON)
        story.append(kit.para(f"Scan {scan.id} ({scan.state}): {reason}", kit.styles.small))
    return story


def _chain(kit: Kit, data: BinderData) -> list[Flowable]:
    """Whether the store's sign-off records still form an unbroken hash chain."""
    s = kit.styles
    count = sum(len(section.sign_offs) for section in data.controls)
    approvals = len(data.statement.approvals) if data.statement is not None else 0
    records = f"{count} sign-off(s)" + (f" and {approvals} SoA approval(s)" if approvals else "")
    story: list[Flowable] = [
        kit.heading("", "Sign-off record", key="sign-off-chain", level=1, in_toc=False)
    ]
    if not data.chain_problems:
        story.append(
            kit.para(
                f"{records}. Each record's SHA-256 covers the previous record, and "
                "re-checking the chain at export found it intact: no sign-off was edited or "
                "removed.",
                s.body,
            )
        )
        return story
    story.append(
        kit.rich(
            f'<font color="#b3261e"><b>The sign-off chain is broken.</b></font> '
            f"{records} remain; re-checking them at export found:",
            s.body,
        )
    )
    for problem in data.chain_problems:
        story.append(kit.para(f"• {problem}", s.small))
    return story


def _changes(kit: Kit, change: ScanChanges) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [
        kit.heading(
            "",
            f"Changes in account {change.account_id}: scan {change.previous_scan_id} → "
            f"{change.latest_scan_id}",
            key=f"changes-{change.account_id}",
            level=1,
            in_toc=False,
        )
    ]
    story.append(
        kit.para(
            "Compared: what both scans covered, the regions both scanned and the controls "
            "both checked. " + " ".join(change.not_compared),
            s.small,
        )
    )
    groups = (
        ("New failures", change.new_failures),
        ("Fixed since the previous scan", change.fixed),
        ("New resources", change.new_resources),
        ("Resources no longer present", change.removed_resources),
    )
    for title, rows in groups:
        story.append(kit.rich(f"<b>{title}</b>: {len(rows)}", s.small))
        if rows:
            story.append(_rows_table(kit, rows))
            if len(rows) > MAX_CHANGES:
                story.append(kit.para(f"… and {len(rows) - MAX_CHANGES} more.", s.muted))
    return story


def _rows_table(kit: Kit, rows: tuple[PopulationRow, ...]) -> Flowable:
    widths = [16 * mm, 30 * mm, 36 * mm, 60 * mm, FRAME_WIDTH - 142 * mm]
    cells = [
        [
            status_cell(r.status),
            kit.cell(r.control_id, widths[1]),
            kit.cell(r.check_id, widths[2]),
            kit.cell(r.resource, widths[3]),
            kit.cell(r.region, widths[4]),
        ]
        for r in rows[:MAX_CHANGES]
    ]
    return kit.grid(
        ["Status", "Control", "Check", "Resource", "Region"], cells, widths, status_column=0
    )


def appendix(kit: Kit, manifest: Manifest) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading("A", "Evidence manifest", key="manifest", level=0)]
    story.append(
        kit.para(
            "Every evidence file of this binder is embedded in this PDF as an attachment: "
            "the result document (JSON, as stored) of the latest complete scan of each "
            "account and of any scan whose results are shown, and each manually attached "
            "file, unchanged. The table gives each file's SHA-256. The digest below is the SHA-256 "
            "of the lines '<sha256>  <file name>' (sha256sum format, sorted by name, each "
            "ending in a newline).",
            s.body,
        )
    )
    story.append(kit.rich(f"Manifest digest (SHA-256): {manifest.digest}", s.mono))
    story.append(
        kit.rich(
            "<b>To check this binder</b>, run "
            f"<font name='BinderMono'>{VERIFY_COMMAND} &lt;this file&gt;</font>: it "
            "checks the PDF signature, recomputes the hash of every embedded file, compares "
            "them with this manifest and with the digest printed above, and checks that no "
            "page was altered. By hand: "
            "extract the attachments (e.g. <font name='BinderMono'>pdfdetach -saveall</font>) "
            "and compare <font name='BinderMono'>sha256sum</font> with the table.",
            s.body,
        )
    )
    story.append(Spacer(1, 2 * mm))
    widths = [52 * mm, 18 * mm, 20 * mm, 26 * mm, FRAME_WIDTH - 116 * mm]
    rows = [
        [
            kit.cell(e.name, widths[0]),
            "scan result" if e.kind == "scan-result" else "attachment",
            f"{e.size:,}",
            kit.cell(
                e.collected_at.replace("T", " ").replace("Z", "")
                + (" †" if e.in_period is False else ""),
                widths[3],
            ),
            kit.cell(e.sha256, widths[4], mono=True),
        ]
        for e in manifest.entries
    ]
    story.append(
        kit.grid(
            ["Embedded file", "Kind", "Bytes", "Collected (UTC)", "SHA-256"],
            rows,
            widths,
            mono_columns=(4,),
            long=True,
        )
    )
    story.append(kit.para("† collected outside the audit period.", s.muted))
    return story
