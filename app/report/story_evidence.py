"""A control's record: manual evidence item by item (images shown, every file listed with
its SHA-256), notes, exceptions and sign-offs. Shared by automated and manual controls."""

from __future__ import annotations

import io

from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from app.report.kit import BinderImage, Kit
from app.report.manifest import utc_text
from app.report.model import AttachmentItem, ControlSection
from app.report.story_period import request_due
from app.report.styles import RULE
from app.report.templates import FRAME_WIDTH

MAX_IMAGE_HEIGHT = 105 * mm
_GIVEN = "#2f7d32"
_MISSING = "#b3261e"
# Screenshots are shown at most this many pixels wide; the original is embedded as is.
MAX_IMAGE_PIXELS = 1600
# Decompression bombs are refused rather than shown.
MAX_SOURCE_PIXELS = 40_000_000


def manual_evidence(kit: Kit, section: ControlSection) -> list[Flowable]:
    """Each evidence item the control asks for, with the files attached against it."""
    s = kit.styles
    story: list[Flowable] = [
        kit.heading("", "Manual evidence", key=f"{section.anchor}-manual", level=3)
    ]
    asked = _asked(section)
    if not asked and not section.attachments:
        story.append(kit.para("This control asks for no manual evidence.", s.muted))
        return story
    intro = (
        "What an auditor will ask for, and what is attached against each item."
        if not section.control.automated
        else "Evidence no API can give, asked for beside the checks, and what is attached."
    )
    story.append(kit.para(intro, s.small))
    for number, (item_id, title, description) in enumerate(asked, start=1):
        files = section.files_for(item_id)
        if files:
            state = f'<font color="{_GIVEN}">{_count(files)} attached</font>'
        else:
            state = f'<font color="{_MISSING}">nothing attached yet</font>'
        story.append(CondPageBreak(20 * mm))
        story.append(kit.rich(f"<b>{number}. {kit.esc(title)}</b>: {state}", s.body))
        if description:
            story.append(kit.para(description, s.small))
        story.extend(request_due(kit, section.request(item_id)))
        story.extend(_files(kit, files))
    ids = {item_id for item_id, _, _ in asked}
    others = tuple(a for a in section.attachments if a.evidence_item not in ids)
    if others:
        story.append(CondPageBreak(20 * mm))
        story.append(
            kit.rich(
                f"<b>Other files attached to this control</b>: {_count(others)}, "
                "not against any item above",
                s.body,
            )
        )
        story.extend(_files(kit, others))
    return story


def _asked(section: ControlSection) -> list[tuple[str, str, str]]:
    """(id, title, description) of each item asked for: the catalogue's, then the
    engagement's own requests."""
    asked = [(i.id, i.title, i.description) for i in section.control.manual_evidence]
    known = {item_id for item_id, _, _ in asked}
    asked += [
        (r.item_id, r.title, r.description) for r in section.requests if r.item_id not in known
    ]
    return asked


def _count(files: tuple[AttachmentItem, ...]) -> str:
    return f"{len(files)} file{'s' if len(files) != 1 else ''}"


def _files(kit: Kit, files: tuple[AttachmentItem, ...]) -> list[Flowable]:
    """The files as a table (name, size, who and when, SHA-256), then the images shown."""
    if not files:
        return []
    widths = [52 * mm, 18 * mm, 38 * mm, FRAME_WIDTH - 108 * mm]
    rows = [
        [
            kit.cell(a.name + (f"\n{a.description}" if a.description else ""), widths[0]),
            f"{a.size:,} bytes",
            kit.cell(
                f"{a.added_by or 'unknown'}, {utc_text(a.added_at)}"
                + (f"; for {a.effective_on}" if a.effective_on else "")
                + (" †" if a.in_period is False else ""),
                widths[2],
            ),
            kit.cell(_hash_note(a), widths[3], mono=True),
        ]
        for a in files
    ]
    header = ["File", "Size", "Added by, when (UTC)", "SHA-256"]
    story: list[Flowable] = [kit.grid(header, rows, widths, mono_columns=(3,))]
    story.append(Spacer(1, 3 * mm))
    for attachment in files:
        story.extend(_attachment_detail(kit, attachment))
    return story


def _hash_note(a: AttachmentItem) -> str:
    if a.stored_sha256 and a.stored_sha256 != a.sha256:
        return f"{a.sha256} (differs from the hash stored when it was attached: {a.stored_sha256})"
    return a.sha256


def _attachment_detail(kit: Kit, a: AttachmentItem) -> list[Flowable]:
    s = kit.styles
    caption = a.name
    if a.description:
        caption += f": {a.description}"
    who = f"Added by {a.added_by or 'unknown'} on {utc_text(a.added_at)}"
    if a.in_period is False:
        who += " († outside the audit period)"
    if not _looks_like_image(a):
        return []
    picture, problem = _picture(a.content)
    if picture is None:
        return [
            kit.para(caption, s.cell_bold),
            kit.para(
                f"{who}. The image cannot be shown ({problem}); the file is embedded "
                "in this PDF unchanged and listed in the manifest.",
                s.small,
            ),
        ]
    return [
        KeepTogether(
            [picture, kit.para(caption, s.cell_bold), kit.para(who, s.muted), Spacer(1, 4 * mm)]
        )
    ]


def _looks_like_image(a: AttachmentItem) -> bool:
    name = a.name.lower()
    return a.media_type.startswith("image/") or name.endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")
    )


def _picture(content: bytes) -> tuple[Flowable | None, str]:
    try:
        jpeg, width, height = _as_jpeg(content)
    except UnidentifiedImageError:
        return None, "not a readable image"
    except (OSError, ValueError, SyntaxError) as exc:
        return None, f"the image is damaged: {exc}" if str(exc) else "the image is damaged"
    except PILImage.DecompressionBombError:
        return None, "image too large"
    scale = min(FRAME_WIDTH / width, MAX_IMAGE_HEIGHT / height, 1.0)
    image = BinderImage(io.BytesIO(jpeg), width=width * scale, height=height * scale)
    # A hairline frame, so a white screenshot does not melt into the page.
    framed = Table([[image]], hAlign="LEFT")
    framed.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return framed, ""


def _as_jpeg(content: bytes) -> tuple[bytes, int, int]:
    """The image as a JPEG (reportlab embeds JPEG as is, so each pass costs nothing)."""
    with PILImage.open(io.BytesIO(content)) as source:
        if source.width * source.height > MAX_SOURCE_PIXELS:
            raise ValueError(f"{source.width}×{source.height} pixels is too large to show")
        source.load()
        image = source.convert("RGBA") if source.mode in ("P", "LA", "PA") else source
        if image.mode == "RGBA":
            flat = PILImage.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        elif image.mode != "RGB":
            image = image.convert("RGB")
        if image.width > MAX_IMAGE_PIXELS:
            ratio = MAX_IMAGE_PIXELS / image.width
            image = image.resize((MAX_IMAGE_PIXELS, max(1, int(image.height * ratio))))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=88)
        return out.getvalue(), image.width, image.height


def notes(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    return [
        kit.heading("", "Notes", key=f"{section.anchor}-notes", level=3),
        kit.para(section.notes or "No notes.", s.body if section.notes else s.muted),
    ]


def exceptions(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [
        kit.heading("", "Exceptions", key=f"{section.anchor}-exceptions", level=3)
    ]
    if not section.exceptions:
        story.append(kit.para("No exceptions.", s.muted))
        return story
    widths = [40 * mm, 62 * mm, 30 * mm, 20 * mm, FRAME_WIDTH - 152 * mm]
    rows = [
        [
            kit.cell(e.resource_pattern, widths[0]),
            kit.cell(e.justification, widths[1]),
            kit.cell(e.approver, widths[2]),
            str(e.expires_on or "no expiry"),
            e.state,
        ]
        for e in section.exceptions
    ]
    story.append(
        kit.grid(["Resources", "Justification", "Approved by", "Expires", "State"], rows, widths)
    )
    return story


def sign_offs(kit: Kit, section: ControlSection) -> list[Flowable]:
    s = kit.styles
    story: list[Flowable] = [kit.heading("", "Sign-off", key=f"{section.anchor}-signoff", level=3)]
    if not section.sign_offs:
        story.append(kit.para("Not signed off.", s.muted))
        return story
    widths = [35 * mm, 30 * mm, 32 * mm, 52 * mm, FRAME_WIDTH - 149 * mm]
    rows = [
        [
            kit.cell(o.reviewer, widths[0]),
            kit.cell(o.role or "—", widths[1]),
            kit.cell(utc_text(o.signed_at), widths[2]),
            kit.cell(o.comment or "—", widths[3]),
            "Stale (changed since)" if o.stale else "Current",
        ]
        for o in section.sign_offs
    ]
    story.append(kit.grid(["Reviewer", "Role", "Signed (UTC)", "Comment", "State"], rows, widths))
    story.append(
        kit.para(
            "A sign-off is stale when the control's results, evidence, notes or exceptions "
            "changed after it was given.",
            s.muted,
        )
    )
    return story
