"""The Statement of Applicability's types, shared by the CLI, the binder and the GUI.

Rows (`SoaRow`, `Soc2Row`) and `SoaState` come out of `app/services/soa.py`;
`DecisionChange` and `TableRow` go in; `RowProblem`s come back in `SoaRejected`.
`SoaFilter` and `by_theme` are the table's search and grouping, without Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.services.implementation import ControlRef, Implementation
from app.store.decisions import Decision
from app.store.errors import InvalidInput
from app.store.soa_approvals import SoaApproval
from app.store.unset import UNSET, Unset


@dataclass(frozen=True)
class EvidenceRef:
    """A file attached to a control behind a criterion (the binder links to it)."""

    control_id: str
    attachment_id: int
    name: str
    sha256: str
    evidence_item: str


@dataclass(frozen=True)
class SoaRow:
    """One Annex A control of the Statement of Applicability."""

    criterion_id: str
    title: str
    theme: str  # "organizational", "people", "physical", "technological"
    theme_title: str
    decision: Decision
    implementation: Implementation
    controls: tuple[ControlRef, ...]
    evidence: tuple[EvidenceRef, ...]
    # The stored decision's version as read (None: never decided); a change made from
    # this row passes it back, so an edit made meanwhile elsewhere is refused.
    version: datetime | None = None

    @property
    def decided(self) -> bool:
        return self.decision.decided


@dataclass(frozen=True)
class Soc2Row:
    """One SOC 2 criterion of a category in scope (in scope as a whole, never one by one)."""

    criterion_id: str
    title: str
    category: str
    category_title: str
    theme: str  # the series: "CC6", "A1", "P4"...
    theme_title: str
    implementation: Implementation
    controls: tuple[ControlRef, ...]
    evidence: tuple[EvidenceRef, ...]


@dataclass(frozen=True)
class SoaState:
    """Where the Statement of Applicability stands.

    `version` is the version the current decisions are: the newest approval's when it
    still covers them, else the next one (a draft). `approval` is the newest approval.
    """

    total: int
    decided: int
    excluded: int
    undecided_ids: tuple[str, ...]
    version: int
    approval: SoaApproval | None

    @property
    def progress(self) -> str:
        return f"{self.decided} of {self.total} decided"

    @property
    def approved(self) -> bool:
        """The current version is approved (the newest approval covers these decisions)."""
        return self.approval is not None and self.approval.current

    @property
    def stale(self) -> bool:
        """There is an approval, but decisions changed since."""
        return self.approval is not None and not self.approval.current

    @property
    def complete(self) -> bool:
        """Every row decided and the current version approved: no longer a draft."""
        return self.decided == self.total and self.approved

    @property
    def draft_reasons(self) -> tuple[str, ...]:
        """Why the SoA is still a draft, in words (empty once it is complete)."""
        reasons = []
        undecided = self.total - self.decided
        if undecided:
            reasons.append(f"{undecided} of {self.total} Annex A controls undecided")
        if self.approval is None:
            reasons.append("not approved")
        elif not self.approval.current:
            reasons.append(f"decisions changed since version {self.approval.version} was approved")
        return tuple(reasons)


@dataclass(frozen=True)
class Statement:
    """The Statement of Applicability and the SOC 2 scope at one moment (the binder's)."""

    rows: tuple[SoaRow, ...]  # the 93 Annex A rows
    state: SoaState
    approvals: tuple[SoaApproval, ...]  # version 1 first
    soc2_rows: tuple[Soc2Row, ...]  # the criteria of the categories in scope
    soc2_categories: tuple[str, ...]  # in scope, in SOC2_CATEGORIES order


@dataclass(frozen=True)
class DecisionChange:
    """What to set on each selected criterion; UNSET fields stay as they are.

    `reason` is as typed (any case, spaces for hyphens). Excluding (applies False)
    without naming a reason clears the reason for inclusion.
    """

    applies: bool | Unset | None = UNSET
    reason: str | Unset = UNSET
    justification: str | Unset = UNSET
    owner: str | Unset = UNSET


@dataclass(frozen=True)
class TableRow:
    """One row of a spreadsheet as read, cells as typed; `row` is its row number."""

    row: int
    criterion_id: str
    applies: str
    reason: str
    justification: str
    owner: str


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or one selected criterion, `row` None) cannot be applied."""

    row: int | None
    criterion_id: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else ""
        if self.criterion_id:
            where = f"{where} ({self.criterion_id})" if where else self.criterion_id
        return f"{where}: {self.message}"


class SoaRejected(InvalidInput):
    """Nothing was changed: `problems` names every row at fault."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "row has a problem" if count == 1 else "rows have problems"
        super().__init__(f"Nothing was changed: {count} {noun}.")


@dataclass(frozen=True)
class ApplyOutcome:
    changed: tuple[str, ...]
    unchanged: int
    state: SoaState


class DecisionFilter(StrEnum):
    ALL = "all"
    UNDECIDED = "undecided"
    INCLUDED = "included"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class SoaFilter:
    """Which rows to show: all of `text`'s words (any case) in the row's id, title,
    reason, justification, owner or its controls' ids and titles, and the choices."""

    text: str = ""
    decision: DecisionFilter = DecisionFilter.ALL
    implementation: Implementation | None = None
    theme: str = ""

    def matches(self, row: SoaRow) -> bool:
        applies = row.decision.applies
        wanted = {
            DecisionFilter.ALL: True,
            DecisionFilter.UNDECIDED: applies is None,
            DecisionFilter.INCLUDED: applies is True,
            DecisionFilter.EXCLUDED: applies is False,
        }[self.decision]
        if not wanted or (self.theme and row.theme != self.theme):
            return False
        if self.implementation is not None and row.implementation != self.implementation:
            return False
        words = self.text.lower().split()
        if not words:
            return True
        haystack = " ".join(
            [
                row.criterion_id,
                row.title,
                row.decision.reason,
                row.decision.justification,
                row.decision.owner,
                *(f"{c.id} {c.title}" for c in row.controls),
            ]
        ).lower()
        return all(word in haystack for word in words)

    def apply(self, rows: Iterable[SoaRow]) -> list[SoaRow]:
        return [row for row in rows if self.matches(row)]


def by_theme(rows: Sequence[SoaRow]) -> list[tuple[str, str, list[SoaRow]]]:
    """(theme, theme title, rows) in the rows' order: A.5 organizational first."""
    groups: dict[str, tuple[str, str, list[SoaRow]]] = {}
    for row in rows:
        groups.setdefault(row.theme, (row.theme, row.theme_title, []))[2].append(row)
    return list(groups.values())
