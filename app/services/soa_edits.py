"""What the Statement of Applicability screen changes, without Qt.

Each function takes the open `Database`, the engagement's id and, when the audit log
names who changed something, the actor; it opens one short-lived session of its own on
the calling thread, committed when the change is whole and rolled back on any refusal
(all or nothing), and returns plain values. Refusals are typed: `SoaRejected` (every
problem named), `EditConflict` (a decision changed elsewhere since the editor read it),
other `StoreError`s. The spreadsheet import is `soa_files.import_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.controls.catalogue import Catalogue
from app.services.soa import approve, decide, set_soc2_scope
from app.services.soa_model import DecisionChange, SoaRow
from app.store.database import Database
from app.store.engagements import get_engagement
from app.store.soa_approvals import SoaApproval


def save_decisions(
    db: Database,
    engagement_id: int,
    catalogue: Catalogue,
    rows: Sequence[SoaRow],
    change: DecisionChange,
    actor: str,
) -> list[str]:
    """Apply `change` to the criteria of `rows`, as the editor read them; returns the ids
    whose decision changed.

    Each row's `version` goes with it: a decision changed since it was read (in another
    window, or by a colleague on a team store) refuses the whole change (`EditConflict`),
    so nothing is overwritten unseen.
    """
    expected = {row.criterion_id: row.version for row in rows}
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        return decide(
            session, engagement, catalogue, list(expected), change, actor=actor, expected=expected
        )


def approve_decisions(
    db: Database,
    engagement_id: int,
    catalogue: Catalogue,
    *,
    reviewer: str,
    role: str,
    comment: str = "",
    seen: Sequence[SoaRow] | None = None,
) -> SoaApproval:
    """Approve the decisions as they are: the next SoA version (the reviewer signs it).

    `seen`: the rows the reviewer read; a decision changed since refuses the approval.
    """
    expected = None if seen is None else {row.criterion_id: row.version for row in seen}
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        return approve(
            session,
            engagement,
            catalogue,
            reviewer=reviewer,
            role=role,
            comment=comment,
            expected=expected,
        )


def save_soc2_scope(
    db: Database, engagement_id: int, categories: Iterable[str], actor: str
) -> list[str]:
    """Set the SOC 2 categories in scope (security is always in); returns them."""
    with db.session() as session:
        return set_soc2_scope(
            session, get_engagement(session, engagement_id), categories, actor=actor
        )
