"""The Statement of Applicability, for the CLI, the binder and the GUI alike. No Qt.

Every function takes an ORM session, the engagement and the catalogue; the ones that
change something take the actor too. Rows and requests are the frozen dataclasses of
`app/services/soa_model.py`:

- `soa_rows`: the 93 ISO 27001 Annex A rows (criterion, title, theme, decision,
  derived implementation, the controls behind it, their evidence), in the standard's
  order; `soa_state`: progress, version, approval, completeness.
- `decide`: one change for one or many criteria (bulk); `apply_table`: whole rows
  as read from a spreadsheet. Both all or nothing, with every problem named.
- `approve`: the next SoA version, once every row is decided.
- `soc2_rows`: the SOC 2 criteria of the engagement's categories; `set_soc2_scope`.
  `both_tables`: both row lists in one read (the app's SoA screen shows both).
- `statement`: all of the above at once, for the binder; `criteria_in_scope` and
  `frameworks_served`: what a framework's summary counts.
- `start_from`: copy another engagement's decisions (not its approvals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from app.controls.catalogue import SOC2_CATEGORIES, THEME_TITLES, Catalogue, Criterion
from app.services.implementation import ControlRef, control_ref, implementation
from app.services.soa_model import (
    ApplyOutcome,
    DecisionChange,
    EvidenceRef,
    RowProblem,
    SoaRejected,
    SoaRow,
    SoaState,
    Soc2Row,
    Statement,
    TableRow,
)
from app.store.attachments import attachments
from app.store.control_status import ControlSummary, control_summaries
from app.store.decisions import (
    ISO27001,
    UNDECIDED,
    Decision,
    check_versions,
    copy_decisions,
    decision_problems,
    decision_versions,
    decisions,
    parse_reason,
    set_decisions,
)
from app.store.engagements import update_engagement
from app.store.errors import InvalidInput
from app.store.models import Engagement
from app.store.soa_approvals import SoaApproval, approve_soa, soa_approvals
from app.store.unset import UNSET

SOC2 = "soc2"


class _Behind:
    """The controls behind each criterion, with their status and evidence (few queries)."""

    def __init__(
        self,
        session: Session,
        engagement: Engagement,
        catalogue: Catalogue,
        summaries: Mapping[str, ControlSummary] | None = None,
    ) -> None:
        self.catalogue = catalogue
        if summaries is None:
            summaries = control_summaries(session, engagement, catalogue.controls)
        files: dict[str, list[EvidenceRef]] = defaultdict(list)
        for a in attachments(session, engagement):
            files[a.control_id].append(
                EvidenceRef(a.control_id, a.id, a.original_name, a.sha256, a.evidence_item)
            )
        self.files = files
        self.refs = {c.id: control_ref(c, summaries[c.id]) for c in catalogue.controls}

    def of(self, criterion: Criterion) -> tuple[tuple[ControlRef, ...], tuple[EvidenceRef, ...]]:
        controls = self.catalogue.controls_for(criterion.framework, criterion.id)
        refs = tuple(self.refs[c.id] for c in controls)
        return refs, tuple(f for c in controls for f in self.files[c.id])


def soa_rows(session: Session, engagement: Engagement, catalogue: Catalogue) -> list[SoaRow]:
    """Every Annex A control in the standard's order, decided or not."""
    return _soa_rows(_Behind(session, engagement, catalogue), session, engagement)


def both_tables(
    session: Session, engagement: Engagement, catalogue: Catalogue
) -> tuple[list[SoaRow], list[Soc2Row]]:
    """`soa_rows` and `soc2_rows` at once, reading the controls behind them once."""
    behind = _Behind(session, engagement, catalogue)
    return (
        _soa_rows(behind, session, engagement),
        _soc2_rows(behind, engagement.soc2_categories),
    )


def _soa_rows(behind: _Behind, session: Session, engagement: Engagement) -> list[SoaRow]:
    chosen = decisions(session, engagement)
    versions = decision_versions(session, engagement)
    rows = []
    for criterion in behind.catalogue.criteria_of(ISO27001):
        decision = chosen.get(criterion.id, UNDECIDED)
        controls, evidence = behind.of(criterion)
        rows.append(
            SoaRow(
                criterion_id=criterion.id,
                title=criterion.title,
                theme=criterion.theme,
                theme_title=THEME_TITLES.get(criterion.theme, criterion.theme),
                decision=decision,
                implementation=implementation(decision.applies, controls),
                controls=controls,
                evidence=evidence,
                version=versions.get(criterion.id),
            )
        )
    return rows


def soa_state(session: Session, engagement: Engagement, catalogue: Catalogue) -> SoaState:
    chosen = decisions(session, engagement)
    ids = [c.id for c in catalogue.criteria_of(ISO27001)]
    undecided = tuple(i for i in ids if not chosen.get(i, UNDECIDED).decided)
    approvals = soa_approvals(session, engagement)
    newest = approvals[-1] if approvals else None
    version = newest.version if newest is not None and newest.current else len(approvals) + 1
    return SoaState(
        total=len(ids),
        decided=len(ids) - len(undecided),
        excluded=sum(1 for i in ids if chosen.get(i, UNDECIDED).applies is False),
        undecided_ids=undecided,
        version=version,
        approval=newest,
    )


def approvals(session: Session, engagement: Engagement) -> list[SoaApproval]:
    """Every approval, version 1 first (for the binder's version history)."""
    return soa_approvals(session, engagement)


def parse_applies(text: str) -> bool | None:
    """ "yes"/"no" in any case, or empty for undecided; `InvalidInput` otherwise."""
    value = text.strip().lower()
    if value in ("", "yes", "no"):
        return None if not value else value == "yes"
    raise InvalidInput(f"applies is yes, no or empty (undecided), not '{text.strip()}'")


def _changed(base: Decision, change: DecisionChange) -> Decision:
    applies = base.applies if change.applies is UNSET else change.applies
    if change.reason is not UNSET:
        reason = parse_reason(change.reason)
    else:
        reason = "" if applies is False else base.reason
    justification = base.justification
    if change.justification is not UNSET:
        justification = change.justification
    owner = base.owner if change.owner is UNSET else change.owner
    return Decision(applies, reason, justification, owner).cleaned()


def _unknown(catalogue: Catalogue, criterion_id: str) -> str:
    ids = [c.id for c in catalogue.criteria_of(ISO27001)]
    span = f" (Annex A runs {ids[0]} to {ids[-1]})" if ids else ""
    return f"'{criterion_id}' is not an ISO 27001 Annex A control{span}"


def decide(
    session: Session,
    engagement: Engagement,
    catalogue: Catalogue,
    criterion_ids: Iterable[str],
    change: DecisionChange,
    *,
    actor: str,
    expected: Mapping[str, datetime | None] | None = None,
) -> list[str]:
    """Apply `change` to each criterion (a GUI selection), all or nothing.

    Returns the ids whose decision changed; raises `SoaRejected` naming each problem.
    `expected`: per criterion, the decision's version the editor read (`SoaRow.version`);
    when one changed since, `EditConflict` and nothing is saved.
    """
    known = {c.id for c in catalogue.criteria_of(ISO27001)}
    current = decisions(session, engagement)
    wanted: dict[str, Decision] = {}
    problems: list[RowProblem] = []
    for criterion_id in dict.fromkeys(criterion_ids):
        if criterion_id not in known:
            problems.append(RowProblem(None, criterion_id, _unknown(catalogue, criterion_id)))
            continue
        try:
            wanted[criterion_id] = _changed(current.get(criterion_id, UNDECIDED), change)
        except InvalidInput as error:
            problems.append(RowProblem(None, criterion_id, str(error)))
            continue
        for message in decision_problems(wanted[criterion_id]):
            problems.append(RowProblem(None, criterion_id, message))
    if problems:
        raise SoaRejected(problems)
    return set_decisions(session, engagement, wanted, actor=actor, expected=expected)


def _table_decision(
    row: TableRow, criterion_id: str, problems: list[RowProblem]
) -> Decision | None:
    try:
        decision = Decision(
            parse_applies(row.applies), parse_reason(row.reason), row.justification, row.owner
        ).cleaned()
    except InvalidInput as error:
        problems.append(RowProblem(row.row, criterion_id, str(error)))
        return None
    found = decision_problems(decision)
    problems.extend(RowProblem(row.row, criterion_id, message) for message in found)
    return None if found else decision


def apply_table(
    session: Session,
    engagement: Engagement,
    catalogue: Catalogue,
    rows: Sequence[TableRow],
    *,
    actor: str,
) -> ApplyOutcome:
    """Set each listed criterion's decision to its row, all or nothing.

    Criteria the table does not list keep their decisions. Raises `SoaRejected` (an
    unknown or repeated criterion, a bad applies or reason, an exclusion without a
    justification...) with every row at fault; nothing is changed then.
    """
    known = {c.id for c in catalogue.criteria_of(ISO27001)}
    first_row: dict[str, int] = {}
    wanted: dict[str, Decision] = {}
    problems: list[RowProblem] = []
    for row in rows:
        criterion_id = row.criterion_id.strip().upper()
        if criterion_id not in known:
            message = _unknown(catalogue, row.criterion_id.strip()) if criterion_id else ""
            problems.append(RowProblem(row.row, "", message or "the criterion is empty"))
        elif criterion_id in first_row:
            message = f"{criterion_id} is already on row {first_row[criterion_id]}"
            problems.append(RowProblem(row.row, criterion_id, message))
        else:
            first_row[criterion_id] = row.row
            decision = _table_decision(row, criterion_id, problems)
            if decision is not None:
                wanted[criterion_id] = decision
    if problems:
        raise SoaRejected(problems)
    changed = set_decisions(session, engagement, wanted, actor=actor)
    return ApplyOutcome(
        changed=tuple(changed),
        unchanged=len(wanted) - len(changed),
        state=soa_state(session, engagement, catalogue),
    )


def approve(
    session: Session,
    engagement: Engagement,
    catalogue: Catalogue,
    *,
    reviewer: str,
    role: str,
    comment: str = "",
    expected: Mapping[str, datetime | None] | None = None,
) -> SoaApproval:
    """Approve the decisions as they are: the next SoA version. Every row must be decided.

    `expected`: per criterion, the decision's version the reviewer read (`SoaRow.version`,
    every row of the table reviewed); when one changed since, `EditConflict` and nothing
    is approved, so an approval never covers a decision its reviewer did not see.
    """
    if expected is not None:
        check_versions(
            session, engagement, expected, then="nothing was approved; review the change first"
        )
    state = soa_state(session, engagement, catalogue)
    if state.undecided_ids:
        shown = ", ".join(state.undecided_ids[:5])
        more = "…" if len(state.undecided_ids) > 5 else ""
        raise InvalidInput(
            f"The Statement of Applicability cannot be approved yet: {state.progress}. "
            f"Decide the other {len(state.undecided_ids)} first ({shown}{more})."
        )
    return approve_soa(session, engagement, reviewer=reviewer, role=role, comment=comment)


def soc2_rows(session: Session, engagement: Engagement, catalogue: Catalogue) -> list[Soc2Row]:
    """Every SOC 2 criterion of the engagement's categories, in the criteria's order."""
    return _soc2_rows(_Behind(session, engagement, catalogue), engagement.soc2_categories)


def _soc2_rows(behind: _Behind, categories: Iterable[str]) -> list[Soc2Row]:
    scope = set(categories)
    rows = []
    for criterion in behind.catalogue.criteria_of(SOC2):
        if criterion.category not in scope:
            continue
        controls, evidence = behind.of(criterion)
        rows.append(
            Soc2Row(
                criterion_id=criterion.id,
                title=criterion.title,
                category=criterion.category,
                category_title=SOC2_CATEGORIES.get(criterion.category, criterion.category),
                theme=criterion.theme,
                theme_title=THEME_TITLES.get(criterion.theme, criterion.theme),
                implementation=implementation(True, controls),
                controls=controls,
                evidence=evidence,
            )
        )
    return rows


def statement(
    session: Session,
    engagement: Engagement,
    catalogue: Catalogue,
    summaries: Mapping[str, ControlSummary] | None = None,
) -> Statement:
    """The SoA, its state and approvals, and the SOC 2 rows in scope, in one look.

    `summaries` (every catalogue control's, from `control_summaries`) saves working
    them out again when the caller has them (the binder does).
    """
    behind = _Behind(session, engagement, catalogue, summaries)
    categories = [c for c in SOC2_CATEGORIES if c in engagement.soc2_categories]
    return Statement(
        rows=tuple(_soa_rows(behind, session, engagement)),
        state=soa_state(session, engagement, catalogue),
        approvals=tuple(approvals(session, engagement)),
        soc2_rows=tuple(_soc2_rows(behind, categories)),
        soc2_categories=tuple(categories),
    )


def set_soc2_scope(
    session: Session, engagement: Engagement, categories: Iterable[str], *, actor: str
) -> list[str]:
    """Set the SOC 2 categories in scope (security is always added); returns them."""
    update_engagement(session, engagement, actor=actor, soc2_categories=categories)
    return list(engagement.soc2_categories)


def start_from(session: Session, source: Engagement, target: Engagement, *, actor: str) -> int:
    """Copy `source`'s decisions and SOC 2 scope into `target` (which has none yet).

    Approvals are not copied: the new engagement's SoA is a draft until approved.
    """
    return copy_decisions(session, source, target, actor=actor)


def criteria_in_scope(soa: Statement, framework: str) -> set[str]:
    """A framework's criteria in the engagement's scope: the Annex A controls not
    excluded (undecided ones count until decided), the SOC 2 criteria of its categories."""
    if framework == SOC2:
        return {row.criterion_id for row in soa.soc2_rows}
    return {row.criterion_id for row in soa.rows if row.decision.applies is not False}


def frameworks_served(catalogue: Catalogue, soa: Statement) -> dict[str, set[str]]:
    """Control id -> the frameworks it counts for in a summary: those where it serves a
    criterion in scope (a control behind privacy criteria only does not count for SOC 2
    while privacy is out of scope). The mapping `framework_summaries` takes."""
    scope = {framework: criteria_in_scope(soa, framework) for framework in (ISO27001, SOC2)}
    return {
        c.id: {f for f, ids in scope.items() if set(c.mapping.ids(f)) & ids}
        for c in catalogue.controls
    }
