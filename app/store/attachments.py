"""Manual evidence files: kept in the DB with SHA-256, sniffed media type, who and when."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import date
from pathlib import PurePath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.store.audit import record
from app.store.errors import InvalidInput
from app.store.models import Attachment, Engagement
from app.store.risk import today_utc

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024

# Magic numbers first: the content decides, not the name the user gave the file.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"{\\rtf", "application/rtf"),
    (b"\x1f\x8b", "application/gzip"),
)
_ZIP_BASED = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
_TEXT_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".md": "text/markdown",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
}


def sniff_media_type(content: bytes, name: str) -> str:
    """The media type from the content's magic bytes, the name only to refine it."""
    suffix = PurePath(name).suffix.lower()
    for magic, media_type in _SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _ZIP_BASED.get(suffix, "application/zip")
    head = content[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the 4096 boundary is still text.
            is_text = error.start >= len(head) - 3
        else:
            is_text = True
        if is_text:
            return _TEXT_TYPES.get(suffix, "text/plain")
    guessed, _ = mimetypes.guess_type(name, strict=True)
    if guessed and not guessed.startswith("text/"):
        return guessed
    return "application/octet-stream"


def checked_effective_date(effective_on: date, *, today: date | None = None) -> date:
    """`effective_on` if evidence can be for that day: not one still to come."""
    day = today or today_utc()
    if effective_on > day:
        raise InvalidInput(
            f"Evidence cannot be effective for {effective_on.isoformat()}: that day has not "
            f"come yet (today is {day.isoformat()} UTC)."
        )
    return effective_on


def _base_name(name: str) -> str:
    # A path from any OS (the UI may pass a full path): keep the file name only.
    return PureWindowsPath(PurePath(name).name).name.strip()


def add_attachment(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    name: str,
    content: bytes,
    actor: str,
    description: str = "",
    evidence_item: str = "",
    effective_on: date | None = None,
) -> Attachment:
    """Store a file as evidence for a control; its SHA-256 goes to the audit log too.

    `effective_on`: the day the evidence is for (None: the day it is added); a day still
    to come is refused."""
    original = _base_name(name)
    if not original:
        raise InvalidInput("An attachment needs a file name.")
    if not content:
        raise InvalidInput(f"'{original}' is empty; attach the file with its content.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"'{original}' is {len(content) // (1024 * 1024)} MB; attachments can be at most "
            f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB. Attach an excerpt or a link instead."
        )
    if effective_on is not None:
        checked_effective_date(effective_on)
    attachment = Attachment(
        engagement_id=engagement.id,
        control_id=control_id,
        evidence_item=evidence_item,
        original_name=original,
        media_type=sniff_media_type(content, original),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        description=description,
        added_by=actor,
        effective_on=effective_on,
    )
    session.add(attachment)
    session.flush()
    record(
        session,
        actor=actor,
        action="attachment.add",
        target=control_id,
        engagement=engagement,
        detail={
            "attachment": attachment.id,
            "name": original,
            "sha256": attachment.sha256,
            **({"effective_on": effective_on.isoformat()} if effective_on else {}),
        },
    )
    return attachment


def attachments(
    session: Session, engagement: Engagement, control_id: str | None = None
) -> list[Attachment]:
    """Oldest first; all of the engagement's, or one control's.

    File contents (up to 50 MB each) load only when `.content` is read: status and
    sign-off hashing need only the SHA-256.
    """
    query = (
        select(Attachment)
        .options(defer(Attachment.content))
        .where(Attachment.engagement_id == engagement.id)
    )
    if control_id is not None:
        query = query.where(Attachment.control_id == control_id)
    return list(session.scalars(query.order_by(Attachment.added_at, Attachment.id)))


def remove_attachment(session: Session, attachment: Attachment, *, actor: str) -> None:
    """Delete a file; a sign-off that covered it becomes stale (its hash no longer matches)."""
    engagement = session.get(Engagement, attachment.engagement_id)
    record(
        session,
        actor=actor,
        action="attachment.remove",
        target=attachment.control_id,
        engagement=engagement,
        detail={
            "attachment": attachment.id,
            "name": attachment.original_name,
            "sha256": attachment.sha256,
        },
    )
    session.delete(attachment)
    session.flush()
