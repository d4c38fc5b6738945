"""Completeness of a population: the listings behind it, as received from AWS.

For each listing call a check's population came from: the request id and the SHA-256 of
every page as received, whether the last page still asked for another (a cut-off
listing), the number of records, and the AWS CLI command that recounts them, so the
auditor can rerun it and match the number (SOC 2's completeness and accuracy of
information produced by the entity).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from app.aws.receipts import CallReceipt
from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import CheckBlock
from app.report.templates import FRAME_WIDTH

# Pages listed per call in the PDF; every page is in the scan's embedded document.
MAX_PAGES_SHOWN = 10
_WIDTHS = [42 * mm, 20 * mm, 62 * mm, FRAME_WIDTH - 124 * mm]


def completeness(kit: Kit, block: CheckBlock) -> list[Flowable]:
    """The block's completeness table, or a sentence when no listing was recorded."""
    s = kit.styles
    story: list[Flowable] = [
        CondPageBreak(28 * mm),  # the caption is not left alone at the bottom of a page
        kit.rich("Completeness of the population", s.label),
    ]
    if not block.listings:
        story.append(
            kit.para(
                "No listing receipt is recorded for this population (a scan from an earlier "
                "version, or every listing call failed: see the ERROR rows).",
                s.muted,
            )
        )
        return story
    story.append(
        kit.para(
            "Each listing the population came from, as AWS answered it: the number of records, "
            "whether the listing was complete (its last page carried no continuation token), "
            "and the request id and SHA-256 of every page (the response body as received). "
            "Run the AWS CLI command (read-only; it follows every page itself) in the same "
            "account to recount.",
            s.small,
        )
    )
    rows = [_row(kit, receipt) for receipt in block.listings]
    header = ["Call (UTC)", "Records", "Pages: request id, SHA-256", "Recount with the AWS CLI"]
    story.append(kit.grid(header, rows, _WIDTHS, mono_columns=(2, 3), long=True))
    story.append(Spacer(1, 3 * mm))
    return story


def _row(kit: Kit, receipt: CallReceipt) -> list[object]:
    when = utc_text(receipt.called_at).removesuffix(" UTC")
    where = f"{receipt.operation}\n{receipt.region}, {when}"
    if receipt.complete:
        records = f"{receipt.records}\ncomplete"
    else:
        records = f"{receipt.records}\nINCOMPLETE: the last page asked for more"
    pages = [
        f"{n}. {page.request_id or '(no id)'}\n{page.sha256}"
        for n, page in enumerate(receipt.pages[:MAX_PAGES_SHOWN], start=1)
    ]
    hidden = len(receipt.pages) - MAX_PAGES_SHOWN
    if hidden > 0:
        pages.append(f"… {hidden} more pages: all in the scan's embedded result document")
    return [
        kit.cell(where, _WIDTHS[0]),
        kit.cell(records, _WIDTHS[1]),
        kit.cell(f"{len(receipt.pages)} page(s)\n" + "\n".join(pages), _WIDTHS[2], mono=True),
        kit.cell(receipt.recount, _WIDTHS[3], mono=True),
    ]
