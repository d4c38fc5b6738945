"""Exporting the evidence binder: gather, lay out (multi-pass for the contents), embed,
sign, write, and record the export.

`export_binder` is what the CLI's `export`, the demo and the GUI's export call.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.platypus import Flowable
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.files import write_atomically
from app.report.embed import embed_evidence
from app.report.kit import Kit
from app.report.manifest import Manifest, build_manifest, manifest_json, utc_text
from app.report.model import BinderData, SignerInfo, controls_chapter, shown_frameworks
from app.report.story_control import controls
from app.report.story_front import cover, summary
from app.report.story_history import appendix, history
from app.report.story_soa import draft_marks, soc2_criteria, statement_of_applicability
from app.report.styles import build_styles, register_fonts
from app.report.templates import BinderCanvas, BinderDocTemplate, PageDecor, seed_contents
from app.signing.identity import SigningIdentity
from app.signing.pdf import sign_pdf

# (done, total, text), as the GUI's worker progress signal.
ProgressCallback = Callable[[int, int, str], None]
_STEPS = 6
SIGNATURE_REASON = "Audit Binder evidence binder: exported and sealed"


@dataclass(frozen=True)
class BinderSummary:
    path: Path
    pages: int
    controls: int
    results: int
    attachments: int
    scans: int
    digest: str
    size_bytes: int
    # Who signed it: the certificate's name and SHA-256 fingerprint; empty when unsigned.
    signer: str = ""
    signer_fingerprint: str = ""
    # Why the export could not be recorded in the engagement's export log, or "".
    unlogged: str = ""


def export_binder(
    source: Session | BinderData,
    engagement_name: str,
    out_path: Path | str,
    progress: ProgressCallback | None = None,
    *,
    catalogue: Catalogue | None = None,
    now: datetime | None = None,
    signer: SigningIdentity | None = None,
    actor: str = "",
) -> BinderSummary:
    """Write the binder of `engagement_name` to `out_path` and say what is in it.

    `source` is an open store session (the engagement is read from it, and the export
    is recorded in its export log as done by `actor`) or ready `BinderData`. With a
    `signer` the binder's last revision is its PAdES signature over the whole file.
    Raises `app.report.data.UnknownEngagement` for a name not in the store,
    `app.signing.identity.SigningError` when it cannot be signed, `OSError` when the
    file cannot be written. The file appears complete or not at all.
    """
    report = progress or (lambda done, total, text: None)
    report(0, _STEPS, "Gathering evidence")
    if isinstance(source, BinderData):
        data = source
    else:
        from app.report.data import gather  # the store adapter, only when a session is given

        data = gather(source, engagement_name, catalogue=catalogue, now=now)
    if signer is not None:
        data = replace(data, signer=_signer_info(signer))
    report(1, _STEPS, "Hashing evidence")
    manifest, files = build_manifest(data)
    manifest_raw = manifest_json(manifest)
    report(2, _STEPS, "Laying out pages")
    rendered, pages = render(data, manifest, lambda page: report(2, _STEPS, f"Page {page}"))
    report(3, _STEPS, "Embedding evidence")
    final = embed_evidence(rendered, files, manifest_raw, manifest.digest, signed=bool(signer))
    if signer is not None:
        report(4, _STEPS, "Signing")
        final = sign_pdf(final, signer, reason=SIGNATURE_REASON)
    report(5, _STEPS, "Writing file")
    path = Path(out_path)
    write_atomically(path, final)
    summary = BinderSummary(
        path=path,
        pages=pages,
        controls=len(data.controls),
        results=sum(len(b.rows) for c in data.controls for b in c.checks),
        attachments=sum(len(c.attachments) for c in data.controls),
        scans=len(data.scans),
        digest=manifest.digest,
        size_bytes=len(final),
        signer=signer.subject if signer else "",
        signer_fingerprint=signer.fingerprint if signer else "",
    )
    if isinstance(source, Session):
        summary = replace(summary, unlogged=_log_export(source, engagement_name, summary, actor))
    report(_STEPS, _STEPS, "Done")
    return summary


def _signer_info(signer: SigningIdentity) -> SignerInfo:
    certificate = signer.certificate
    return SignerInfo(
        name=signer.subject,
        fingerprint=signer.fingerprint,
        self_signed=certificate.issuer == certificate.subject,
    )


def _log_export(session: Session, engagement_name: str, summary: BinderSummary, actor: str) -> str:
    """Record the export in the engagement's export log; "" when done, else why not (a
    read-only or full database): the binder written stands either way."""
    from app.store.engagements import engagement_named
    from app.store.exports import record_export

    try:
        with session.begin_nested():
            record_export(
                session,
                engagement_named(session, engagement_name),
                actor=actor,
                file_name=summary.path.name,
                digest=summary.digest,
                signer=summary.signer,
                signer_fingerprint=summary.signer_fingerprint,
            )
    except OperationalError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        return f"The export was not recorded in the engagement's export log ({reason})."
    return ""


def render(
    data: BinderData, manifest: Manifest, on_page: Callable[[int], None] | None = None
) -> tuple[bytes, int]:
    """The binder's pages as PDF bytes (no embedded files yet) and the page count."""
    coverage = register_fonts()
    kit = Kit(build_styles(), coverage)
    e = data.engagement
    decor = PageDecor(
        engagement=e.name,
        client=e.client,
        generated=utc_text(data.generated_at),
        is_demo=e.is_demo,
        coverage=coverage,
        drafts=draft_marks(data),
    )
    buffer = io.BytesIO()
    doc = BinderDocTemplate(
        buffer,
        decor,
        title=f"Audit evidence binder: {e.name}",
        author=f"Audit Binder {data.app_version}",
        on_page=on_page,
    )
    passes = 0

    def make_canvas(*args: Any, **kwargs: Any) -> BinderCanvas:
        # The first pass only collects page numbers; multiBuild always makes a second.
        nonlocal passes
        passes += 1
        return BinderCanvas(*args, dry_run=passes == 1, **kwargs)

    flowables = story(kit, data, manifest)
    seed_contents(flowables)
    with _binary_streams():
        doc.multiBuild(flowables, canvasmaker=make_canvas)
    return buffer.getvalue(), doc.page


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Write streams Flate-compressed only, without the ASCII85 layer on top.

    ASCII85 makes a PDF a quarter bigger and slower to read back (verify decodes every
    page); it is a reportlab-wide setting, so it is restored afterwards.
    """
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = previous


def story(kit: Kit, data: BinderData, manifest: Manifest) -> list[Flowable]:
    parts: list[Flowable] = []
    parts += cover(kit, data, manifest.digest)
    parts += summary(kit, data)
    for number, framework in enumerate(shown_frameworks(data.engagement.frameworks), start=2):
        section = statement_of_applicability if framework == "iso27001" else soc2_criteria
        parts += section(kit, data, str(number))
    chapter = controls_chapter(data.engagement.frameworks)
    parts += controls(kit, data, str(chapter))
    parts += history(kit, data, str(chapter + 1))
    parts += appendix(kit, manifest)
    return parts
