"""How to check this binder (on the cover), and the log of earlier exports (in the history)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from app.report.kit import Kit
from app.report.manifest import utc_text
from app.report.model import BinderData
from app.report.templates import FRAME_WIDTH
from app.signing.identity import spaced

VERIFY_COMMAND = "audit-binder verify"


def how_to_check(kit: Kit, data: BinderData) -> list[Flowable]:
    s = kit.styles
    mono = "<font name='BinderMono'>"
    story: list[Flowable] = [Spacer(1, 3 * mm), kit.rich("<b>How to check this binder</b>", s.body)]
    signer = data.signer
    if signer is None:
        story.append(
            kit.rich(
                "This binder is not signed. To check that nothing in it was altered after "
                f"export, run {mono}{VERIFY_COMMAND} &lt;this file&gt;</font>.",
                s.body,
            )
        )
        return story
    story.append(
        kit.rich(
            f"This PDF is digitally signed (PAdES) by <b>{kit.esc(signer.name)}</b>, "
            f"certificate SHA-256 {mono}{spaced(signer.fingerprint)}</font>. The signature "
            "covers the whole file: any change after signing, even an added comment or "
            "changed document properties, breaks it.",
            s.small,
        )
    )
    trust = (
        "The certificate is self-signed, so a reader names the signer as not (yet) trusted: "
        "compare the certificate's SHA-256 fingerprint with the one above and the one the "
        "sender gave you, or trust the certificate file they gave you. "
        if signer.self_signed
        else ""
    )
    story.append(
        kit.rich(
            "<b>In any PDF reader</b>: open the signature panel (Adobe Acrobat Reader: the "
            "Signatures pane). The signature must be valid and the document unmodified since "
            f"it was signed. {trust}"
            f"<b>With Audit Binder</b>: {mono}{VERIFY_COMMAND} &lt;this file&gt; --cert "
            "&lt;the sender's certificate&gt;</font> checks the signature, then the SHA-256 of "
            "every evidence file embedded in this PDF, then the digest; it exits 0 only when "
            "all hold. The signing time is the signer's own claim: no timestamp authority "
            "was used.",
            s.small,
        )
    )
    return story


def export_log(kit: Kit, data: BinderData) -> list[Flowable]:
    """Earlier exports of this engagement's binder, oldest first (append-only)."""
    s = kit.styles
    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        kit.rich("Earlier exports of this binder", s.label),
    ]
    if not data.exports:
        story.append(kit.para("This is the first export of this engagement's binder.", s.muted))
        return story
    story.append(
        kit.para(
            "Every earlier export, as recorded (append-only) when it was written: an auditor "
            "handed an older file can match its digest and signer here.",
            s.small,
        )
    )
    widths = [26 * mm, 24 * mm, 36 * mm, 46 * mm, FRAME_WIDTH - 132 * mm]
    rows = [
        [
            kit.cell(utc_text(x.exported_at), widths[0]),
            kit.cell(x.exported_by or "—", widths[1]),
            kit.cell(x.file_name, widths[2]),
            kit.cell(x.digest, widths[3], mono=True),
            kit.cell(
                f"{x.signer}\n{x.signer_fingerprint}" if x.signer else "not signed",
                widths[4],
                mono=True,
            ),
        ]
        for x in data.exports
    ]
    header = ["Exported (UTC)", "By", "File", "Evidence digest", "Signed by (SHA-256)"]
    story.append(kit.grid(header, rows, widths, mono_columns=(3, 4), long=True))
    return story
