"""A control's status for the checklist and the page: the store's derivation, plus words.

The status itself comes from `app.store.control_status` (the binder uses the same),
so the app and the PDF never disagree. What the store cannot say, because a sign-off
keeps only a hash, is *what* changed since; the audit log can, so we read it.

`checklist_overview` opens its own short-lived session on the `Database` it is given;
`status_info` runs inside the caller's session (the control page's snapshot read).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue, Control
from app.controls.control_status import ControlStatus
from app.evidence import iso_utc
from app.services.framework_summary import FrameworkSummary, framework_totals
from app.store import scans as store_scans
from app.store.audit import audit_log
from app.store.control_status import ControlSummary, control_summaries
from app.store.database import Database
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
    status: ControlStatus
    stale_reason: str = ""


@dataclass(frozen=True)
class ChecklistOverview:
    """What the checklist shows of an engagement: every control's status, the controls
    marked not applicable, and the per-framework tallies (the engagement's frameworks)."""

    statuses: dict[str, ControlStatus]
    not_applicable: frozenset[str]
    tallies: tuple[FrameworkSummary, ...]


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


def status_info(session: Session, engagement: Engagement, control: Control) -> StatusInfo:
    """One control's status and, when its sign-off is stale, what changed since."""
    summary = control_summaries(session, engagement, [control])[control.id]
    stale = summary.status is ControlStatus.STALE
    return StatusInfo(summary.status, _changes_since(session, engagement, summary) if stale else "")


def checklist_overview(db: Database, catalogue: Catalogue, engagement_id: int) -> ChecklistOverview:
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        summaries = control_summaries(session, engagement, catalogue.controls)
        frameworks = list(engagement.frameworks)
    tallies = framework_totals(summaries, catalogue, frameworks)
    return ChecklistOverview(
        statuses={cid: s.status for cid, s in summaries.items()},
        not_applicable=frozenset(cid for cid, s in summaries.items() if not s.applicable),
        tallies=tuple(tallies),
    )
