"""The export log: every binder exported from an engagement. Append-only.

Each export records when, by whom, the file name, the evidence digest and who signed
it; the next binder lists them in its history, and engagement files carry them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.models import BinderExport, Engagement


def record_export(
    session: Session,
    engagement: Engagement,
    *,
    actor: str,
    file_name: str,
    digest: str,
    signer: str = "",
    signer_fingerprint: str = "",
    at: datetime | None = None,
) -> BinderExport:
    """Append one export (and its audit log entry)."""
    entry = BinderExport(
        engagement_id=engagement.id,
        exported_at=at or datetime.now(UTC),
        exported_by=actor,
        file_name=file_name,
        digest=digest,
        signer=signer,
        signer_fingerprint=signer_fingerprint,
    )
    session.add(entry)
    record(
        session,
        actor=actor,
        action="binder.export",
        target=file_name,
        engagement=engagement,
        detail={"digest": digest, "signer_fingerprint": signer_fingerprint},
    )
    session.flush()
    return entry


def binder_exports(session: Session, engagement: Engagement) -> list[BinderExport]:
    """The engagement's exports, oldest first."""
    query = (
        select(BinderExport)
        .where(BinderExport.engagement_id == engagement.id)
        .order_by(BinderExport.exported_at, BinderExport.id)
    )
    return list(session.scalars(query))
