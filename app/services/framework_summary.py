"""Controls per framework by outcome: the one summary the dashboard, the checklist's
progress lines and the binder's summary chapter all show. No Qt.

A control counts for a framework when the catalogue maps it there. The binder, which
prints the Statement of Applicability beside it, counts a control only where it serves
a criterion in the engagement's scope (`frameworks_served`) and says how many
criteria are in scope; the app's screens count every mapped control.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from app.controls.catalogue import FRAMEWORKS, Catalogue
from app.controls.control_status import ControlStatus
from app.services.soa import criteria_in_scope, frameworks_served
from app.services.soa_model import Statement
from app.store.control_status import ControlSummary


@dataclass(frozen=True)
class FrameworkSummary:
    """Controls of one framework by outcome.

    passed: passing or signed off; failing; errors (could not check); exceptions
    (failures all accepted); not_checked (automated, no scan yet); evidence_attached
    and evidence_missing (manual controls not signed off); not_applicable (marked not
    applicable, counted in no other bucket). A stale control counts by its
    `check_status`. `criteria`: the framework's criteria in scope, where counted (the
    binder), else None.
    """

    framework: str
    passed: int = 0
    failing: int = 0
    errors: int = 0
    exceptions: int = 0
    not_checked: int = 0
    not_applicable: int = 0
    evidence_attached: int = 0
    evidence_missing: int = 0
    # Of all the above, those whose sign-off is current (counted in `passed` when applicable).
    signed_off: int = 0
    criteria: int | None = None

    @property
    def title(self) -> str:
        """E.g. "ISO/IEC 27001:2022"."""
        return FRAMEWORKS.get(self.framework, self.framework)

    @property
    def counts(self) -> dict[str, int]:
        """Bucket name -> controls, in `FRAMEWORK_BUCKETS` order."""
        return {bucket: getattr(self, bucket) for bucket in FRAMEWORK_BUCKETS}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def checked(self) -> int:
        return self.applicable - self.not_checked


# FrameworkSummary's counts, in the order the binder and the dashboard show them.
FRAMEWORK_BUCKETS = (
    "passed",
    "failing",
    "exceptions",
    "errors",
    "not_checked",
    "evidence_attached",
    "evidence_missing",
    "not_applicable",
)

_BUCKETS = {
    ControlStatus.PASSING: "passed",
    ControlStatus.SIGNED_OFF: "passed",
    ControlStatus.FAILING: "failing",
    ControlStatus.ERROR: "errors",
    ControlStatus.EXCEPTION: "exceptions",
    ControlStatus.NOT_CHECKED: "not_checked",
    ControlStatus.EVIDENCE_ATTACHED: "evidence_attached",
    ControlStatus.EVIDENCE_MISSING: "evidence_missing",
}


def framework_summaries(
    summaries: Mapping[str, ControlSummary],
    mapping: Mapping[str, Collection[str]],
    frameworks: Sequence[str],
) -> list[FrameworkSummary]:
    """Per framework (in the order given), its controls by outcome.

    `mapping` is control id -> the frameworks it counts for (`mapped_frameworks` or
    `frameworks_served`, e.g. {"backups": {"iso27001", "soc2"}}).
    """
    result: list[FrameworkSummary] = []
    for framework in frameworks:
        tally = dict.fromkeys(_BUCKETS.values(), 0) | {"not_applicable": 0, "signed_off": 0}
        for control_id, summary in summaries.items():
            if framework not in mapping.get(control_id, ()):
                continue
            tally["signed_off"] += summary.status is ControlStatus.SIGNED_OFF
            if not summary.applicable:
                tally["not_applicable"] += 1
                continue
            status = summary.status
            if status == ControlStatus.STALE:
                status = summary.check_status
            tally[_BUCKETS[status]] += 1
        result.append(FrameworkSummary(framework=framework, **tally))
    return result


def mapped_frameworks(catalogue: Catalogue) -> dict[str, set[str]]:
    """Control id -> every framework the catalogue maps it into."""
    return {c.id: {f for f in FRAMEWORKS if c.mapping.ids(f)} for c in catalogue.controls}


def framework_totals(
    summaries: Mapping[str, ControlSummary],
    catalogue: Catalogue,
    frameworks: Sequence[str],
    soa: Statement | None = None,
) -> list[FrameworkSummary]:
    """The summaries of `frameworks`: every mapped control, or with `soa` (the binder)
    the controls serving a criterion in scope, with the criteria in scope counted."""
    if soa is None:
        return framework_summaries(summaries, mapped_frameworks(catalogue), frameworks)
    return [
        replace(fw, criteria=len(criteria_in_scope(soa, fw.framework)))
        for fw in framework_summaries(summaries, frameworks_served(catalogue, soa), frameworks)
    ]
