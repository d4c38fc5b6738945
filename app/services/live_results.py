"""Results of a running scan, before they are stored: what the checklist and the control page
show meanwhile ("provisional"), derived the way the store will derive them.

The engine hands each control's `CheckResult`s over as soon as they are known (plain
frozen values). Their status follows the store's rules 3-6 (`app.store.control_status`)
with the engagement's exceptions applied by the store's own rules (`app.store.risk`); a
sign-off's fate (signed off / stale) is only known once the scan is stored.

The exceptions are read once per scan (`LiveResults.load`) as plain frozen values, so
judging a control's rows as they arrive (`LiveResults.control`) touches no store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from app.controls.control_status import ControlStatus
from app.controls.results import CheckResult, Status
from app.services.control_model import ResultLine
from app.store.control_status import check_status, count_results
from app.store.database import Database
from app.store.engagements import get_engagement
from app.store.risk import ExceptionTerms, exception_terms, matching_exception, today_utc


@dataclass(frozen=True)
class LiveControl:
    """One control's provisional status and rows, as plain values."""

    control_id: str
    status: ControlStatus
    lines: tuple[ResultLine, ...]


@dataclass(frozen=True)
class LiveResults:
    """What judging a running scan's rows needs of the store: the engagement's exceptions."""

    engagement_id: int
    exceptions: tuple[ExceptionTerms, ...]

    @classmethod
    def load(cls, db: Database, engagement_id: int) -> LiveResults:
        """Read the engagement's exceptions (one short session); StoreError if it is gone."""
        with db.session() as session:
            engagement = get_engagement(session, engagement_id)
            return cls(engagement_id, exception_terms(session, engagement))

    def control(
        self, control_id: str, rows: Sequence[CheckResult], on: date | None = None
    ) -> LiveControl:
        """The status and table rows `rows` will give once stored (exceptions applied on
        day `on`, default today UTC, as the store applies them)."""
        day = on or today_utc()
        own = [e for e in self.exceptions if e.control_id == control_id]
        lines = tuple(
            _line(
                index,
                row,
                accepted=row.status is Status.FAIL
                and matching_exception(own, control_id, row.resource, day) is not None,
            )
            for index, row in enumerate(rows)
        )
        status = check_status(count_results(control_id, rows, own, day))
        return LiveControl(control_id, status, lines)


def _line(index: int, row: CheckResult, *, accepted: bool) -> ResultLine:
    """The table row of a result not stored yet (the `index`th of its control's rows)."""
    return ResultLine(
        # Not stored yet: no row or scan id. Negative ids never match a stored row.
        row_id=-(index + 1),
        scan_id=0,
        check_id=row.check,
        status=row.status,
        region=row.region,
        resource=row.resource,
        detail=row.detail,
        account_id=row.account_id,
        collected_at=max((e.collected_at for e in row.evidence), default=None),
        evidence=tuple(row.evidence),
        evidence_loaded=True,  # in hand already: nothing to read from the store
        accepted=accepted,
        provisional=True,
    )
