"""The derived status of each control: what the UI checklist and the binder both show.

Rules, in order (the first that applies wins):

1. The control has a sign-off: ``signed_off`` while the hash of what it shows now
   equals the sign-off's ``approved_hash``, ``stale`` once anything approved changed
   (a new scan result, an attachment, the notes, an exception).

A manual control (no automated checks: a scan never judges it) then rests on its files:

2. Every evidence request it has (the catalogue's manual evidence items and the
   requests the user added, `app.store.evidence_asked`) has a file attached against it,
   and none of them has a due date that passed with no file effective for it (overdue):
   ``evidence_attached`` (ready for a reviewer's sign-off).
3. Otherwise: ``evidence_missing``.

An automated control rests on its latest results:

2. No complete scan covered the control (no result rows): ``not_checked``.
3. A FAIL row no active exception covers: ``failing``.
4. An ERROR row (the check could not look): ``error``. Errors are never excused by
   exceptions: an exception accepts a known risk, not an unknown one.
5. FAIL rows, all covered by active exceptions: ``exception``.
6. Otherwise (PASS and NOT_APPLICABLE rows only): ``passing``.

`check_status` is the same without rule 1 (the control's own evidence alone); the
framework summary (`app/services/framework_summary.py`) uses it for stale controls,
since a stale sign-off no longer vouches for anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from app.controls.catalogue import Control
from app.controls.control_status import ControlStatus
from app.controls.results import Status
from app.store.attachments import attachments
from app.store.control_states import NOT_APPLICABLE, control_states
from app.store.evidence_asked import AskedRequest, asked_requests, evidence_gaps
from app.store.evidence_requests import evidence_requests
from app.store.models import Engagement, SignOff
from app.store.risk import ExceptionLike, active_exceptions, matching_exception, today_utc
from app.store.scans import latest_facts
from app.store.signoffs import approved_payload, latest_sign_offs, sha256_hex


@dataclass(frozen=True)
class ResultCounts:
    """Rows of the latest scans by outcome; `excepted` FAILs are not in `failed`."""

    passed: int = 0
    failed: int = 0
    errors: int = 0
    excepted: int = 0
    not_applicable: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.errors + self.excepted + self.not_applicable


@dataclass(frozen=True)
class ControlSummary:
    """One control's status with what it was derived from."""

    control_id: str
    status: ControlStatus
    check_status: ControlStatus
    counts: ResultCounts
    applicable: bool
    current_hash: str
    sign_off: SignOff | None
    attachments: int
    last_checked: datetime | None
    automated: bool = True
    # The evidence requests that count (the catalogue's items, the user's own) ...
    asked_evidence: tuple[AskedRequest, ...] = ()
    # ... the item ids of those with no file attached against them yet ...
    missing_evidence: tuple[str, ...] = ()
    # ... and of those with files, but a due date that passed with none effective for it.
    overdue_evidence: tuple[str, ...] = ()


class JudgedRow(Protocol):
    """What the tally reads of a row: a stored one (`ResultLike`) or a running scan's
    `CheckResult`."""

    @property
    def resource(self) -> str: ...
    @property
    def status(self) -> str: ...


def count_results(
    control_id: str, rows: Iterable[JudgedRow], exceptions: Sequence[ExceptionLike], on: date
) -> ResultCounts:
    """Tally rows; a FAIL covered by an active exception counts as `excepted`."""
    passed = failed = errors = excepted = not_applicable = 0
    for row in rows:
        if row.status == Status.PASS:
            passed += 1
        elif row.status == Status.NOT_APPLICABLE:
            not_applicable += 1
        elif row.status == Status.ERROR:
            errors += 1
        elif matching_exception(exceptions, control_id, row.resource, on) is not None:
            excepted += 1
        else:
            failed += 1
    return ResultCounts(passed, failed, errors, excepted, not_applicable)


def check_status(counts: ResultCounts) -> ControlStatus:
    """Rules 2 to 6: the status from the results alone."""
    if counts.total == 0:
        return ControlStatus.NOT_CHECKED
    if counts.failed:
        return ControlStatus.FAILING
    if counts.errors:
        return ControlStatus.ERROR
    if counts.excepted:
        return ControlStatus.EXCEPTION
    return ControlStatus.PASSING


def evidence_status(asked: Collection[str], answered: Collection[str]) -> ControlStatus:
    """A manual control's rules 2 and 3: `asked` are its evidence request ids, `answered`
    the ones with a file and nothing overdue. A control that asks for nothing has nothing
    to rest on."""
    if asked and set(asked) <= set(answered):
        return ControlStatus.EVIDENCE_ATTACHED
    return ControlStatus.EVIDENCE_MISSING


def derive_status(
    own: ControlStatus, latest_sign_off: SignOff | None, current_hash: str
) -> ControlStatus:
    """Rule 1 on top of `own` (`check_status` or `evidence_status`)."""
    if latest_sign_off is not None:
        if latest_sign_off.approved_hash == current_hash:
            return ControlStatus.SIGNED_OFF
        return ControlStatus.STALE
    return own


def control_summaries(
    session: Session,
    engagement: Engagement,
    controls: Sequence[Control],
    on: date | None = None,
) -> dict[str, ControlSummary]:
    """Every given control's summary by id, in the order given (a handful of queries).

    The catalogue's controls, not bare ids: whether a control is manual, and which
    evidence it asks for, decides its status.
    """
    day = on or today_utc()
    rows = latest_facts(session, engagement, [c.id for c in controls])
    states = control_states(session, engagement)
    signed = latest_sign_offs(session, engagement)
    in_force = active_exceptions(session, engagement, day)
    files = attachments(session, engagement)
    requests: dict[str, list[AskedRequest]] = defaultdict(list)
    for request in asked_requests(engagement, controls, evidence_requests(session, engagement)):
        requests[request.control_id].append(request)
    summaries: dict[str, ControlSummary] = {}
    for control in controls:
        control_id = control.id
        own_rows = rows[control_id]
        own_exceptions = [e for e in in_force if e.control_id == control_id]
        own_files = [f for f in files if f.control_id == control_id]
        state = states.get(control_id)
        counts = count_results(control_id, own_rows, own_exceptions, day)
        gaps = evidence_gaps(engagement, requests[control_id], own_files, day)
        asked = [a.item_id for a in gaps.asked]
        own = check_status(counts) if control.automated else evidence_status(asked, gaps.answered)
        current = sha256_hex(
            approved_payload(control_id, own_rows, own_files, state, own_exceptions)
        )
        latest = signed.get(control_id)
        summaries[control_id] = ControlSummary(
            control_id=control_id,
            status=derive_status(own, latest, current),
            check_status=own,
            counts=counts,
            applicable=state is None or state.applicability != NOT_APPLICABLE,
            current_hash=current,
            sign_off=latest,
            attachments=len(own_files),
            last_checked=max((r.collected_at for r in own_rows), default=None),
            automated=control.automated,
            asked_evidence=gaps.asked,
            missing_evidence=gaps.missing,
            overdue_evidence=gaps.overdue,
        )
    return summaries
