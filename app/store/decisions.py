"""Statement of Applicability decisions: per engagement and criterion, does it apply, why.

A decision is `applies` (yes, no, or None for undecided), the reason for inclusion
(one of `REASONS`), a justification (required for an exclusion), and an owner. No
row means undecided. These functions know nothing of the catalogue: which criterion
ids exist is the caller's concern (`app/services/soa.py` checks them).

`decisions_hash` is what an SoA approval covers (`app/store/soa_approvals.py`): the
decisions only, never the implementation status derived from the controls, so a new
scan does not make an approval stale and a changed decision does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.audit import record
from app.store.edit_check import flush_or_conflict
from app.store.engagements import update_engagement
from app.store.errors import EditConflict, InvalidInput
from app.store.models import CriterionDecision, Engagement, next_version
from app.store.signoffs import sha256_hex

ISO27001 = "iso27001"
REASONS = ("risk-treatment", "legal", "contractual", "business", "best-practice")
REASON_TITLES = {
    "risk-treatment": "Risk treatment",
    "legal": "Legal or regulatory",
    "contractual": "Contractual",
    "business": "Business requirement",
    "best-practice": "Best practice",
}
OWNER_MAX = 200  # the owner and updated_by columns' length
_CRITERION_ID = re.compile(r"^[A-Z0-9][A-Z0-9.]{0,15}$")


@dataclass(frozen=True)
class Decision:
    """One criterion's decision; `applies` None is undecided."""

    applies: bool | None = None
    reason: str = ""
    justification: str = ""
    owner: str = ""

    @property
    def decided(self) -> bool:
        return self.applies is not None

    @property
    def blank(self) -> bool:
        """Undecided with nothing written down: the same as having no row."""
        return self == UNDECIDED

    def cleaned(self) -> Decision:
        """Surrounding blanks trimmed, line ends as "\\n" (as every spreadsheet gives
        them back), the owner on one line with single spaces."""
        text = self.justification.replace("\r\n", "\n").replace("\r", "\n")
        return replace(
            self,
            reason=self.reason.strip(),
            justification=text.strip(),
            owner=" ".join(self.owner.split()),
        )


UNDECIDED = Decision()


class DecisionsRejected(InvalidInput):
    """Decisions that cannot be stored as given; `problems` maps criterion id -> reasons."""

    def __init__(self, problems: Mapping[str, list[str]]) -> None:
        self.problems = dict(problems)
        first = next(iter(self.problems.items()), ("", ["no decisions"]))
        more = len(self.problems) - 1
        tail = f" (and {more} more)" if more > 0 else ""
        super().__init__(f"{first[0]}: {'; '.join(first[1])}{tail}. Nothing was changed.")


def parse_reason(text: str) -> str:
    """`REASONS` key for what a person typed: any case, spaces for hyphens; "" stays "".

    Raises `InvalidInput` naming the accepted reasons.
    """
    key = "-".join(text.strip().lower().replace("-", " ").split())
    if key and key not in REASONS:
        raise InvalidInput(f"'{text.strip()}' is not a reason; use one of {', '.join(REASONS)}")
    return key


def decision_problems(decision: Decision) -> list[str]:
    """What is wrong with a (cleaned) decision; empty when it can be stored."""
    problems: list[str] = []
    if decision.reason and decision.reason not in REASONS:
        problems.append(f"'{decision.reason}' is not a reason; use one of {', '.join(REASONS)}")
    if decision.applies is False:
        if not decision.justification:
            problems.append("an exclusion needs a justification (the auditor will ask why)")
        if decision.reason:
            problems.append(
                "an excluded control has no reason for inclusion; clear the reason "
                "or set applies to yes"
            )
    if len(decision.owner) > OWNER_MAX:
        problems.append(f"the owner can have at most {OWNER_MAX} characters")
    return problems


def _decision(row: CriterionDecision) -> Decision:
    return Decision(row.applies, row.reason, row.justification, row.owner)


def _rows(session: Session, engagement: Engagement, framework: str) -> dict[str, CriterionDecision]:
    query = select(CriterionDecision).where(
        CriterionDecision.engagement_id == engagement.id,
        CriterionDecision.framework == framework,
    )
    return {row.criterion_id: row for row in session.scalars(query)}


def decisions(
    session: Session, engagement: Engagement, framework: str = ISO27001
) -> dict[str, Decision]:
    """The stored decisions by criterion id; a criterion not in it is undecided."""
    return {key: _decision(row) for key, row in _rows(session, engagement, framework).items()}


def set_decisions(
    session: Session,
    engagement: Engagement,
    changes: Mapping[str, Decision],
    *,
    actor: str,
    framework: str = ISO27001,
    expected: Mapping[str, datetime | None] | None = None,
) -> list[str]:
    """Store the given decisions, all or nothing; returns the ids that changed.

    Raises `DecisionsRejected` (nothing written) when any decision is invalid, and
    `EditConflict` (nothing written) when a decision was changed by someone else since
    it was read: `expected` gives, per criterion, the `updated_at` the editor saw (None:
    no decision yet); without it, a concurrent change of the same row is still refused.
    """
    cleaned = {key: value.cleaned() for key, value in changes.items()}
    problems = {key: decision_problems(value) for key, value in cleaned.items()}
    problems = {key: found for key, found in problems.items() if found}
    for key in cleaned:
        if not _CRITERION_ID.match(key):
            problems.setdefault(key, []).append("not a criterion id")
    if problems:
        raise DecisionsRejected(problems)
    rows = _rows(session, engagement, framework)
    _refuse_changed(rows, expected or {}, "nothing was saved, so that change was not overwritten")
    logged: dict[str, Any] = {}
    for key, wanted in cleaned.items():
        row = rows.get(key)
        before = _decision(row) if row is not None else UNDECIDED
        if before == wanted:
            continue
        if row is None:
            row = CriterionDecision(
                engagement_id=engagement.id, framework=framework, criterion_id=key
            )
            session.add(row)
        else:
            row.updated_at = next_version(row.updated_at)
        row.applies, row.reason = wanted.applies, wanted.reason
        row.justification, row.owner = wanted.justification, wanted.owner
        row.updated_by = actor[:OWNER_MAX]  # the column's length; the log has it whole
        logged[key] = {"from": asdict(before), "to": asdict(wanted)}
    if logged:
        changed = sorted(logged)
        shown = ", ".join(changed[:3]) + (f" (of {len(changed)} saved)" if changed[3:] else "")
        flush_or_conflict(session, lambda: _conflict(shown, None))
        record(
            session,
            actor=actor,
            action="soa.decide",
            target=framework,
            engagement=engagement,
            detail=logged,
        )
    return list(logged)


def decision_versions(
    session: Session, engagement: Engagement, framework: str = ISO27001
) -> dict[str, datetime]:
    """Each stored decision's version (`updated_at`), for `set_decisions(expected=...)`."""
    return {key: row.updated_at for key, row in _rows(session, engagement, framework).items()}


def check_versions(
    session: Session,
    engagement: Engagement,
    expected: Mapping[str, datetime | None],
    *,
    then: str,
    framework: str = ISO27001,
) -> None:
    """Raise `EditConflict` (ending with `then`) when a decision is not at the version the
    reader saw: `expected` gives, per criterion, the `updated_at` read (None: undecided)."""
    _refuse_changed(_rows(session, engagement, framework), expected, then)


def _refuse_changed(
    rows: Mapping[str, CriterionDecision], expected: Mapping[str, datetime | None], then: str
) -> None:
    for key, seen in expected.items():
        row = rows.get(key)
        if (row.updated_at if row is not None else None) != seen:
            raise _conflict(key, row, then)


def _conflict(
    criteria: str,
    row: CriterionDecision | None,
    then: str = "nothing was saved, so that change was not overwritten",
) -> EditConflict:
    who = f" by {row.updated_by} at {row.updated_at:%Y-%m-%d %H:%M:%S} UTC" if row else ""
    return EditConflict(
        f"The Statement of Applicability decision for {criteria} was changed{who} after you "
        f"read it; {then}."
    )


def decisions_payload(current: Mapping[str, Decision], framework: str = ISO27001) -> dict[str, Any]:
    """What an SoA approval covers, as plain JSON data; blank rows count as absent."""
    return {
        "framework": framework,
        "decisions": {
            key: asdict(value) for key, value in sorted(current.items()) if not value.blank
        },
    }


def decisions_hash(current: Mapping[str, Decision], framework: str = ISO27001) -> str:
    return sha256_hex(decisions_payload(current, framework))


def copy_decisions(session: Session, source: Engagement, target: Engagement, *, actor: str) -> int:
    """Give `target` the decisions and SOC 2 categories of `source` (never its approvals).

    Refuses (`InvalidInput`) when `target` has decisions of its own, so nothing is
    overwritten; returns how many decisions were copied.
    """
    if source.id == target.id:
        raise InvalidInput("Choose another engagement to copy the decisions from.")
    own = {k: v for k, v in decisions(session, target).items() if not v.blank}
    if own:
        raise InvalidInput(
            f"'{target.name}' already has {len(own)} decision{'s' if len(own) != 1 else ''} "
            "of its own; "
            "copying would overwrite them, so nothing was copied."
        )
    copied = {k: v for k, v in decisions(session, source).items() if not v.blank}
    set_decisions(session, target, copied, actor=actor)
    update_engagement(session, target, actor=actor, soc2_categories=source.soc2_categories)
    record(
        session,
        actor=actor,
        action="soa.copy",
        target=source.name,
        engagement=target,
        detail={"decisions": len(copied), "soc2_categories": list(source.soc2_categories)},
    )
    return len(copied)
