"""A control's status for the checklist and the page: the store's derivation, plus words.

The status itself comes from `app.store.control_status` (the binder uses the same),
so the app and the PDF never disagree. What the store cannot say, because a sign-off
keeps only a hash, is *what* changed since; the audit log can, so we read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.evidence import iso_utc
from app.store import scans as store_scans
from app.store.audit import audit_log
from app.store.control_states import NOT_APPLICABLE, control_states
from app.store.control_status import (
    ControlStatus,
    ControlSummary,
    FrameworkSummary,
    control_summaries,
    framework_summaries,
)
from app.store.engagements import get_engagement
from app.store.models import Engagement

# What an audit-log action means for a signed-off control, in the user's words.
_CHANGE_WORDS = {
    "attachment.add": "evidence added",
    "attachment.remove": "evidence removed",
    "exception.add": "exception added",
    "exception.revoke": "exception revoked",
    "control.update": "notes, owner or applicability changed",
    "control.unlock": "unlocked for changes",
}


@dataclass(frozen=True)
class StatusInfo:
    key: str  # a ControlStatus value
    stale_reason: str = ""


def _changes_since(session: Session, engagement: Engagement, summary: ControlSummary) -> str:
    """What happened to the control after its sign-off, from the audit log and the scans."""
    sign_off = summary.sign_off
    if sign_off is None:
        return ""
    words: list[str] = []
    for entry in audit_log(session, engagement):
        if entry.at <= sign_off.signed_at or entry.target != summary.control_id:
            continue
        word = _CHANGE_WORDS.get(entry.action)
        if word:
            who = entry.actor.rsplit("/", 1)[-1] if entry.actor.startswith("arn:") else entry.actor
            words.append(f"{word} by {who} at {iso_utc(entry.at)}")
    newer_scans = [
        scan
        for scan in store_scans.latest_scans_per_control(session, engagement, [summary.control_id])[
            summary.control_id
        ]
        if scan.started_at > sign_off.signed_at
    ]
    if newer_scans:
        words.append("new scan results (scan " + ", ".join(f"#{s.id}" for s in newer_scans) + ")")
    return "; ".join(dict.fromkeys(words)) or "what it shows no longer matches what was approved"


def control_statuses(
    session: Session, catalogue: Catalogue, engagement_id: int, control_ids: Iterable[str]
) -> dict[str, StatusInfo]:
    engagement = get_engagement(session, engagement_id)
    summaries = control_summaries(session, engagement, [catalogue.get(c) for c in control_ids])
    return {
        cid: StatusInfo(
            summary.status.value,
            _changes_since(session, engagement, summary)
            if summary.status == ControlStatus.STALE
            else "",
        )
        for cid, summary in summaries.items()
    }


def control_status(
    session: Session, catalogue: Catalogue, engagement_id: int, control_id: str
) -> StatusInfo:
    return control_statuses(session, catalogue, engagement_id, [control_id])[control_id]


def not_applicable_controls(session: Session, engagement_id: int) -> set[str]:
    """Controls marked not applicable in the engagement (out of its Statement of Applicability)."""
    states = control_states(session, get_engagement(session, engagement_id))
    return {cid for cid, state in states.items() if state.applicability == NOT_APPLICABLE}


def checklist_overview(
    session: Session, catalogue: Catalogue, engagement_id: int
) -> tuple[dict[str, str], list[FrameworkSummary], Sequence[str]]:
    """Statuses of every control, the per-framework tallies, and the engagement's frameworks."""
    engagement = get_engagement(session, engagement_id)
    summaries = control_summaries(session, engagement, catalogue.controls)
    mapping = {
        c.id: {key for key in ("iso27001", "soc2") if getattr(c.mapping, key, ())}
        for c in catalogue.controls
    }
    frameworks = list(engagement.frameworks)
    tallies = framework_summaries(summaries, mapping, frameworks)
    return {cid: s.status.value for cid, s in summaries.items()}, tallies, frameworks
