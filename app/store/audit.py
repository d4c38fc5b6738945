"""The audit log: every change to an engagement, who made it and when. Append-only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import AuditLogEntry, Engagement

# The actor recorded for what the app does by itself (e.g. marking a crashed scan).
SYSTEM_ACTOR = "audit-binder"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target: str = "",
    engagement: Engagement | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditLogEntry:
    """Append one entry; `action` is dotted (`engagement.create`, `sign_off.add`)."""
    entry = AuditLogEntry(
        engagement_id=engagement.id if engagement is not None else None,
        actor=actor,
        action=action,
        target=target,
        detail=dict(detail or {}),
    )
    session.add(entry)
    return entry


def audit_log(session: Session, engagement: Engagement | None = None) -> list[AuditLogEntry]:
    """Entries oldest first; all of them, or one engagement's."""
    query = select(AuditLogEntry).order_by(AuditLogEntry.id)
    if engagement is not None:
        query = query.where(AuditLogEntry.engagement_id == engagement.id)
    return list(session.scalars(query))
