"""What to do next in an engagement: the dashboard's to-do list, without Qt.

In the order a founder works: decide the Statement of Applicability, approve it,
fix failing controls, look into checks that could not look, run the checks never
run, sign off again where a sign-off went stale, and attach the manual evidence
still missing or overdue (the catalogue's requests and the user's own). Each step names
the place that fixes it (the SoA screen, or a control).

Only what the engagement's scope asks for is listed: the SoA steps when ISO 27001 is
one of its frameworks; a control when it is applicable and covers an Annex A control
that is not excluded, or a SOC 2 criterion of a category in scope. A control whose
sign-off is current needs nothing: the reviewer has vouched for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from app.controls.catalogue import FRAMEWORKS, Catalogue, Control, soc2_category
from app.controls.control_status import ControlStatus
from app.services.soa import soa_state
from app.services.soa_model import SoaState
from app.store.control_status import ControlSummary, control_summaries
from app.store.database import Database
from app.store.decisions import ISO27001, decisions
from app.store.engagements import get_engagement
from app.store.models import Engagement

SOC2 = "soc2"
_SHOWN_IDS = 8  # criterion ids named in a step's detail before "…"


class StepKind(StrEnum):
    DECIDE = "decide"
    APPROVE = "approve"
    FAILING = "failing"
    ERROR = "error"
    NOT_CHECKED = "not_checked"
    STALE = "stale"
    MISSING_EVIDENCE = "missing_evidence"

    @property
    def on_soa(self) -> bool:
        """The step is done on the Statement of Applicability screen (else on a control)."""
        return self in (StepKind.DECIDE, StepKind.APPROVE)


@dataclass(frozen=True)
class NextStep:
    """One thing to do; `control_id` (and `evidence_item`) say where, for control steps."""

    kind: StepKind
    text: str
    detail: str = ""
    control_id: str = ""
    evidence_item: str = ""
    criterion_ids: tuple[str, ...] = ()


def _ids_text(ids: Sequence[str]) -> str:
    more = ", …" if len(ids) > _SHOWN_IDS else ""
    return ", ".join(ids[:_SHOWN_IDS]) + more


def soa_steps(state: SoaState) -> list[NextStep]:
    """Decide the undecided rows; once all are decided, approve (again)."""
    if state.undecided_ids:
        undecided = state.undecided_ids
        return [
            NextStep(
                StepKind.DECIDE,
                f"Decide {len(undecided)} of {state.total} Annex A controls in the "
                "Statement of Applicability",
                f"{state.progress}. Undecided: {_ids_text(undecided)}",
                criterion_ids=undecided,
            )
        ]
    if state.approved:
        return []
    approval = state.approval
    why = (
        f"decisions changed since version {approval.version} was approved"
        if approval is not None
        else "every Annex A control is decided; the binder says DRAFT until it is approved"
    )
    again = " again" if approval is not None else ""
    text = f"Approve the Statement of Applicability{again} (version {state.version})"
    return [NextStep(StepKind.APPROVE, text, why[0].upper() + why[1:] + ".")]


def in_scope(
    control: Control, frameworks: Sequence[str], excluded: set[str], categories: set[str]
) -> bool:
    """The control covers something the engagement's scope asks for (see the module)."""
    if ISO27001 in frameworks and any(i not in excluded for i in control.mapping.iso27001):
        return True
    return SOC2 in frameworks and any(soc2_category(i) in categories for i in control.mapping.soc2)


def _control_step(control: Control, summary: ControlSummary) -> NextStep | None:
    title = f"“{control.title}”"
    counts = summary.counts
    if summary.status == ControlStatus.FAILING:
        noun = "resource" if counts.failed == 1 else "resources"
        text = f"Fix {title}: {counts.failed} {noun} failing"
        return NextStep(StepKind.FAILING, text, "Open its results and remediation.", control.id)
    if summary.status == ControlStatus.ERROR:
        noun = "result" if counts.errors == 1 else "results"
        text = f"Look into {title}: {counts.errors} {noun} could not be checked"
        detail = "A check could not look (access denied, throttled, unreachable…)."
        return NextStep(StepKind.ERROR, text, detail, control.id)
    if summary.status == ControlStatus.STALE:
        text = f"Sign off {title} again: it changed since its sign-off"
        return NextStep(StepKind.STALE, text, "Review what changed and sign off.", control.id)
    return None


def _missing_step(control: Control, summary: ControlSummary) -> NextStep | None:
    """The control's evidence requests (the catalogue's and the user's) with no file, or
    with a due date passed unanswered."""
    titles = {a.item_id: a.title for a in summary.asked_evidence}
    missing, overdue = summary.missing_evidence, summary.overdue_evidence
    if not missing and not overdue:
        return None
    total = len(summary.asked_evidence)
    counts = [f"{len(missing)} of {total} missing"] if missing else []
    counts += [f"{len(overdue)} overdue"] if overdue else []
    text = f"Attach evidence to “{control.title}”: {', '.join(counts)}"
    details = [("Missing", missing), ("Overdue", overdue)]
    detail = ". ".join(f"{k}: " + "; ".join(titles[i] for i in ids) for k, ids in details if ids)
    first = (missing or overdue)[0]
    return NextStep(StepKind.MISSING_EVIDENCE, text, detail, control.id, first)


def _not_checked_step(controls: Sequence[Control]) -> list[NextStep]:
    if not controls:
        return []
    count = len(controls)
    noun = "control has" if count == 1 else "controls have"
    text = f"Run the checks: {count} automated {noun} not been checked yet"
    detail = "Run all checks (F5). Not checked: " + ", ".join(c.id for c in controls)
    return [NextStep(StepKind.NOT_CHECKED, text, detail, controls[0].id)]


def control_steps(
    summaries: dict[str, ControlSummary],
    wanted: Sequence[Control],
) -> list[NextStep]:
    """Failing, errors, not checked, stale, then missing evidence; catalogue order in each."""
    by_kind: dict[StepKind, list[NextStep]] = defaultdict(list)
    unchecked = []
    for control in wanted:
        summary = summaries[control.id]
        if not summary.applicable or summary.status == ControlStatus.SIGNED_OFF:
            continue
        step = _control_step(control, summary)
        if step is not None:
            by_kind[step.kind].append(step)
        elif summary.status == ControlStatus.NOT_CHECKED and control.automated:
            unchecked.append(control)
        missing = _missing_step(control, summary)
        if missing is not None:
            by_kind[StepKind.MISSING_EVIDENCE].append(missing)
    by_kind[StepKind.NOT_CHECKED] = _not_checked_step(unchecked)
    return [step for kind in StepKind for step in by_kind.get(kind, [])]


def next_steps(session: Session, engagement: Engagement, catalogue: Catalogue) -> list[NextStep]:
    """Everything left to do in `engagement`, in the order to do it."""
    frameworks = list(engagement.frameworks or FRAMEWORKS)
    chosen = decisions(session, engagement)
    excluded = {cid for cid, d in chosen.items() if d.applies is False}
    categories = set(engagement.soc2_categories)
    wanted = [c for c in catalogue.controls if in_scope(c, frameworks, excluded, categories)]
    summaries = control_summaries(session, engagement, wanted)
    steps = soa_steps(soa_state(session, engagement, catalogue)) if ISO27001 in frameworks else []
    return steps + control_steps(summaries, wanted)


def load_next_steps(db: Database, engagement_id: int, catalogue: Catalogue) -> list[NextStep]:
    """`next_steps` of the engagement, read in one session of the calling thread's own
    (the dashboard calls it off the GUI thread)."""
    with db.session() as session:
        return next_steps(session, get_engagement(session, engagement_id), catalogue)
