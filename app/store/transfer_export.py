"""Writing an engagement file (the format: `transfer`): every row of the engagement and
its attachments, replaced atomically, the export logged with the manifest's hash."""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import __version__
from app.store.attachments import attachments
from app.store.audit import audit_log, record
from app.store.control_states import control_states
from app.store.errors import TransferError
from app.store.evidence_requests import evidence_requests
from app.store.exports import binder_exports
from app.store.models import CriterionDecision, Engagement, ResultRow
from app.store.risk import exceptions
from app.store.scans import scans
from app.store.signoffs import sign_offs
from app.store.transfer import FORMAT, FORMAT_VERSION, MANIFEST, MANIFEST_HASH
from app.store.transfer_rows import dump_mapping, dump_row


def _attachment_path(index: int, name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[-80:] or "file"
    return f"attachments/{index:04d}-{safe}"


def build_manifest(
    session: Session, engagement: Engagement, actor: str
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the attachment files (archive path -> bytes) of an engagement."""
    files: dict[str, bytes] = {}
    listed: list[dict[str, Any]] = []
    for index, attachment in enumerate(attachments(session, engagement), start=1):
        path = _attachment_path(index, attachment.original_name)
        files[path] = attachment.content
        listed.append(dump_row(attachment) | {"path": path})
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exported_by": actor,
        "engagement": dump_row(engagement),
        "accounts": [dump_row(a) for a in engagement.accounts],
        "scans": _dump_scans(session, engagement),
        "control_states": [dump_row(s) for s in control_states(session, engagement).values()],
        "criterion_decisions": [dump_row(d) for d in _decision_rows(session, engagement)],
        "attachments": listed,
        "evidence_requests": [dump_row(r) for r in evidence_requests(session, engagement)],
        "exceptions": [dump_row(e) for e in exceptions(session, engagement)],
        "sign_offs": [dump_row(s) for s in sign_offs(session, engagement)],
        "audit_log": [dump_row(e) for e in audit_log(session, engagement)],
        "binder_exports": [dump_row(x) for x in binder_exports(session, engagement)],
    }
    return manifest, files


def _decision_rows(session: Session, engagement: Engagement) -> list[CriterionDecision]:
    query = (
        select(CriterionDecision)
        .where(CriterionDecision.engagement_id == engagement.id)
        .order_by(CriterionDecision.framework, CriterionDecision.criterion_id)
    )
    return list(session.scalars(query))


def _dump_scans(session: Session, engagement: Engagement) -> list[dict[str, Any]]:
    """Scans oldest first, each with its results (read with Core: scans are big)."""
    history = list(reversed(scans(session, engagement)))
    results: dict[int, list[dict[str, Any]]] = {scan.id: [] for scan in history}
    table = ResultRow.__table__
    query = select(table).where(table.c.scan_id.in_(results)).order_by(table.c.id)
    for row in session.execute(query).mappings():
        results[row["scan_id"]].append(dump_mapping(ResultRow, row))
    return [dump_row(scan) | {"results": results[scan.id]} for scan in history]


def export_engagement(
    session: Session, engagement: Engagement, destination: Path, *, actor: str
) -> Path:
    """Write the engagement to `destination` (replaced atomically) and log the export."""
    manifest, files = build_manifest(session, engagement, actor)
    # No indent: only the compact form uses the C encoder (several times faster).
    body = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    partial = destination.with_name(destination.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, body)
            archive.writestr(MANIFEST_HASH, f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n")
            for path, content in files.items():
                archive.writestr(path, content)
        os.replace(partial, destination)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise TransferError(f"Could not write {destination}: {error}.") from error
    record(
        session,
        actor=actor,
        action="engagement.export",
        target=str(destination),
        engagement=engagement,
        detail={"manifest_sha256": hashlib.sha256(body).hexdigest()},
    )
    return destination
