"""What the Statement of Applicability screen shows and asks, without Qt.

- `load_view`: everything the screen shows of one engagement, in one read (it takes
  the `Database` and opens its own session; the GUI calls it off its thread).
- `applies_text`, `reason_text`, `controls_tip`: a row's cells as people read them;
  `iso_groups`, `soc2_groups`: the rows as table lines, grouped by theme.
- `BulkForm`: the bulk-decide form's values, turned into one `DecisionChange`.
- `exclusion_hint`: the live warning of an exclusion without a justification.
- `problem_lines`: a refused change or table, one line per problem (a selection's
  identical problems share one line).
- `approval_blocker`: why the SoA cannot be approved now, or "".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.controls.catalogue import Catalogue
from app.services.implementation import ControlRef
from app.services.soa import both_tables, soa_state
from app.services.soa_model import (
    DecisionChange,
    RowProblem,
    SoaFilter,
    SoaRow,
    SoaState,
    Soc2Row,
    by_theme,
)
from app.store.database import Database
from app.store.decisions import REASON_TITLES, Decision
from app.store.engagements import get_engagement
from app.store.unset import UNSET, Unset

_SHOWN_IDS = 6


@dataclass(frozen=True)
class SoaView:
    """One engagement's SoA as the screen shows it: plain values, no ORM objects."""

    engagement_id: int
    engagement_name: str
    frameworks: tuple[str, ...]
    soc2_categories: tuple[str, ...]
    rows: tuple[SoaRow, ...]
    state: SoaState
    soc2_rows: tuple[Soc2Row, ...]


def load_view(db: Database, engagement_id: int, catalogue: Catalogue) -> SoaView:
    """Everything the screen shows, read in one session of the calling thread's own."""
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        rows, soc2 = both_tables(session, engagement, catalogue)
        return SoaView(
            engagement_id=engagement.id,
            engagement_name=engagement.name,
            frameworks=tuple(engagement.frameworks or ()),
            soc2_categories=tuple(engagement.soc2_categories),
            rows=tuple(rows),
            state=soa_state(session, engagement, catalogue),
            soc2_rows=tuple(soc2),
        )


def applies_text(decision: Decision) -> str:
    if decision.applies is None:
        return "undecided"
    return "yes" if decision.applies else "no"


def reason_text(decision: Decision) -> str:
    """An inclusion's reason (and its note), or an exclusion's justification."""
    if decision.applies is False:
        return decision.justification
    reason = REASON_TITLES.get(decision.reason, decision.reason)
    if reason and decision.justification:
        return f"{reason}: {decision.justification}"
    return reason or decision.justification


def control_line(ref: ControlRef) -> str:
    """E.g. "CloudTrail … (cloudtrail, automated): in place", for tips and the controls list."""
    kind = "automated" if ref.automated else "manual"
    if ref.inherited:
        kind += ", inherited"
    if not ref.applicable:
        state = "not applicable"
    elif ref.in_place:
        state = "in place"
    elif ref.automated:
        state = f"not in place ({ref.status.value.replace('_', ' ')})"
    else:
        state = "not in place (evidence missing)"
    return f"{ref.title} ({ref.id}, {kind}): {state}"


def controls_tip(controls: Sequence[ControlRef]) -> str:
    if not controls:
        return "No control of the catalogue covers it."
    return "\n".join(control_line(ref) for ref in controls)


ISO_COLUMNS = (
    "Criterion",
    "Title",
    "Applies",
    "Reason / justification",
    "Implementation",
    "Controls",
    "Owner",
)
SOC2_COLUMNS = ("Criterion", "Title", "Category", "Implementation", "Controls")


@dataclass(frozen=True)
class TableLine:
    """One row of a table as text: a cell and a tooltip per column."""

    criterion_id: str
    cells: tuple[str, ...]
    tips: tuple[str, ...]
    controls: tuple[ControlRef, ...]
    undecided: bool = False


@dataclass(frozen=True)
class LineGroup:
    title: str
    lines: tuple[TableLine, ...]


def iso_line(row: SoaRow) -> TableLine:
    decision = row.decision
    controls = ", ".join(c.id for c in row.controls)
    tip = controls_tip(row.controls)
    cells = (
        row.criterion_id,
        row.title,
        applies_text(decision),
        reason_text(decision),
        row.implementation.label,
        controls,
        decision.owner,
    )
    tips = (row.title, row.title, "", reason_text(decision), tip, tip, decision.owner)
    return TableLine(row.criterion_id, cells, tips, row.controls, not row.decided)


def iso_groups(rows: Iterable[SoaRow], wanted: SoaFilter) -> list[LineGroup]:
    """The rows `wanted` lets through, as lines grouped by theme (A.5 first)."""
    return [
        LineGroup(title, tuple(iso_line(row) for row in members))
        for _, title, members in by_theme(wanted.apply(rows))
    ]


def soc2_groups(rows: Iterable[Soc2Row]) -> list[LineGroup]:
    groups: dict[str, list[TableLine]] = {}
    for row in rows:
        tip = controls_tip(row.controls)
        cells = (
            row.criterion_id,
            row.title,
            row.category_title,
            row.implementation.label,
            ", ".join(c.id for c in row.controls),
        )
        line = TableLine(
            row.criterion_id, cells, (row.title, row.title, "", tip, tip), row.controls
        )
        groups.setdefault(row.theme_title, []).append(line)
    return [LineGroup(title, tuple(lines)) for title, lines in groups.items()]


class AppliesChoice(StrEnum):
    KEEP = "keep"
    YES = "yes"
    NO = "no"
    UNDECIDED = "undecided"


_APPLIES_VALUES: dict[AppliesChoice, bool | Unset | None] = {
    AppliesChoice.KEEP: UNSET,
    AppliesChoice.YES: True,
    AppliesChoice.NO: False,
    AppliesChoice.UNDECIDED: None,
}


@dataclass(frozen=True)
class BulkForm:
    """The form's values. With `explicit` (one row being edited) every field is set as
    shown, an empty one clearing it; otherwise an empty field (or KEEP, or reason None)
    leaves each row's own value as it is."""

    applies: AppliesChoice = AppliesChoice.KEEP
    reason: str | None = None  # a REASONS key, "" for none, None to keep
    justification: str = ""
    owner: str = ""
    explicit: bool = False

    def change(self) -> DecisionChange:
        applies = _APPLIES_VALUES[self.applies]
        reason: str | Unset = UNSET if self.reason is None else self.reason
        if self.applies is AppliesChoice.NO:
            reason = UNSET  # excluding clears the reason for inclusion
        keep_blank = not self.explicit
        justification: str | Unset = (
            UNSET if keep_blank and not self.justification.strip() else self.justification
        )
        owner: str | Unset = UNSET if keep_blank and not self.owner.strip() else self.owner
        return DecisionChange(applies, reason, justification, owner)

    @property
    def empty(self) -> bool:
        """Nothing would change on any row."""
        change = self.change()
        return all(
            value is UNSET
            for value in (change.applies, change.reason, change.justification, change.owner)
        )


def exclusion_hint(form: BulkForm, selected: Sequence[SoaRow]) -> str:
    """The warning to show while the form would exclude rows with no justification."""
    if form.applies is not AppliesChoice.NO or form.justification.strip():
        return ""
    bare = [r.criterion_id for r in selected if form.explicit or not r.decision.justification]
    if not bare:
        return ""
    more = f" and {len(bare) - _SHOWN_IDS} more" if len(bare) > _SHOWN_IDS else ""
    return (
        "An exclusion needs a justification (the auditor will ask why): write one for "
        f"{', '.join(bare[:_SHOWN_IDS])}{more}."
    )


def problem_lines(problems: Sequence[RowProblem]) -> list[str]:
    """Table problems one per row; a selection's problems grouped by message."""
    lines: list[str] = []
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        if problem.row is not None:
            lines.append(str(problem))
        else:
            grouped.setdefault(problem.message, []).append(problem.criterion_id)
    for message, ids in grouped.items():
        more = f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else ""
        lines.append(f"{', '.join(ids[:_SHOWN_IDS])}{more}: {message}")
    return lines


def approval_blocker(state: SoaState) -> str:
    """Why approving is not possible now, in a sentence; "" when it is."""
    if state.undecided_ids:
        count = len(state.undecided_ids)
        noun = "control" if count == 1 else "controls"
        return f"{state.progress}: decide the other {count} Annex A {noun} first."
    if state.approved:
        return f"Version {state.version} is approved and nothing changed since."
    return ""
