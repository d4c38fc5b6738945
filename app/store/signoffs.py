"""Sign-offs: append-only reviewer approvals, chained by hash.

One chain per engagement holds the controls' sign-offs and the approvals of the
Statement of Applicability (target `SOA_TARGET`, see `app/store/soa_approvals.py`).

`approved_hash` is SHA-256 over a canonical JSON of what the reviewer approved for the
control (its latest results, attachment hashes, notes and applicability, active
exceptions). If any of that changes later, the current hash differs and the sign-off
shows as stale; it is never edited or removed.

`record_hash` is SHA-256 over the sign-off's own fields plus `previous_hash` (the
`record_hash` of the engagement's previous sign-off), so editing or deleting a row
breaks the chain, which `verify_chain` reports. Database row ids are left out of
every hash, so a chain survives export and import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.attachments import attachments
from app.store.audit import audit_log, record
from app.store.control_states import control_state
from app.store.engagements import lock_engagement
from app.store.errors import InvalidInput
from app.store.models import Attachment, ControlState, Engagement, RiskException, SignOff
from app.store.risk import active_exceptions, today_utc
from app.store.scans import latest_facts

SIGN_OFF_ACTION = "sign_off.add"
# The chain's target for approvals of the ISO 27001 Statement of Applicability; not a
# slug, so never a control id.
SOA_TARGET = "soa:iso27001"
SOA_APPROVE_ACTION = "soa.approve"
_CHAINED_ACTIONS = (SIGN_OFF_ACTION, SOA_APPROVE_ACTION)
NAME_MAX = 200  # the reviewer and role columns' length


def _what(target: str) -> str:
    return "the Statement of Applicability" if target == SOA_TARGET else target


def canonical_json(value: Any) -> bytes:
    """The one serialisation every hash here is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


class ResultLike(Protocol):
    """A stored result row or its `ResultFacts`: the fields a sign-off approves."""

    @property
    def account_id(self) -> str: ...
    @property
    def control_id(self) -> str: ...
    @property
    def check_id(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def detail(self) -> str: ...


def approved_payload(
    control_id: str,
    rows: Iterable[ResultLike],
    files: Iterable[Attachment],
    state: ControlState | None,
    exceptions: Iterable[RiskException],
) -> dict[str, Any]:
    """What a reviewer approves for a control, as plain JSON data (order-independent)."""
    results = [
        {
            "account": row.account_id,
            "control": row.control_id,
            "check": row.check_id,
            "region": row.region,
            "resource": row.resource,
            "status": row.status,
            "detail": row.detail,
        }
        for row in rows
    ]
    accepted = [
        {
            "resource_pattern": e.resource_pattern,
            "justification": e.justification,
            "approver": e.approver,
            "expires_on": e.expires_on.isoformat() if e.expires_on else None,
        }
        for e in exceptions
    ]
    return {
        "control": control_id,
        "results": sorted(results, key=lambda item: tuple(item.values())),
        "attachments": sorted(f.sha256 for f in files),
        "notes": state.notes if state else "",
        "applicability": state.applicability if state else "in_scope",
        "applicability_reason": state.applicability_reason if state else "",
        "exceptions": sorted(accepted, key=lambda item: canonical_json(item)),
    }


def current_approved_hash(
    session: Session, engagement: Engagement, control_id: str, on: date | None = None
) -> str:
    """The hash a sign-off of `control_id` would record now."""
    payload = approved_payload(
        control_id,
        latest_facts(session, engagement, [control_id])[control_id],
        attachments(session, engagement, control_id),
        control_state(session, engagement, control_id),
        active_exceptions(session, engagement, on or today_utc(), control_id),
    )
    return sha256_hex(payload)


def record_hash(sign_off: SignOff) -> str:
    """SHA-256 over every field that matters, the previous record's hash included."""
    return sha256_hex(
        {
            "control": sign_off.control_id,
            "reviewer": sign_off.reviewer,
            "role": sign_off.role,
            "comment": sign_off.comment,
            "signed_at": sign_off.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "approved_hash": sign_off.approved_hash,
            "previous_hash": sign_off.previous_hash,
        }
    )


def sign_offs(
    session: Session, engagement: Engagement, control_id: str | None = None
) -> list[SignOff]:
    """The chain in order (oldest first); all of it, or one control's part."""
    query = select(SignOff).where(SignOff.engagement_id == engagement.id)
    if control_id is not None:
        query = query.where(SignOff.control_id == control_id)
    return list(session.scalars(query.order_by(SignOff.id)))


def latest_sign_offs(session: Session, engagement: Engagement) -> dict[str, SignOff]:
    """Per control, its newest sign-off."""
    return {s.control_id: s for s in sign_offs(session, engagement)}


def sign_off(
    session: Session,
    engagement: Engagement,
    control_id: str,
    *,
    reviewer: str,
    role: str = "",
    comment: str = "",
    on: date | None = None,
) -> SignOff:
    """Append a sign-off of what the control shows now; the reviewer is the actor."""
    if not reviewer.strip():
        raise InvalidInput("A sign-off needs the reviewer's name.")
    # What the reviewer approves is read under the same lock as the chain it joins.
    lock_engagement(session, engagement)
    approved = current_approved_hash(session, engagement, control_id, on)
    return append_sign_off(
        session,
        engagement,
        control_id,
        reviewer=reviewer,
        role=role,
        comment=comment,
        approved_hash=approved,
        action=SIGN_OFF_ACTION,
    )


def append_sign_off(
    session: Session,
    engagement: Engagement,
    target: str,
    *,
    reviewer: str,
    role: str,
    comment: str,
    approved_hash: str,
    action: str,
) -> SignOff:
    """Add the next link of the engagement's chain and log it under `action`."""
    if len(reviewer.strip()) > NAME_MAX or len(role.strip()) > NAME_MAX:
        raise InvalidInput(f"A reviewer's name and role can have at most {NAME_MAX} characters.")
    # Two writers appending at once (sign-offs, SoA approvals; other processes or machines)
    # must not both link to the same last record: one waits for the other.
    lock_engagement(session, engagement)
    chain = sign_offs(session, engagement)
    entry = SignOff(
        engagement_id=engagement.id,
        control_id=target,
        reviewer=reviewer.strip(),
        role=role.strip(),
        comment=comment,
        signed_at=datetime.now(UTC),
        approved_hash=approved_hash,
        previous_hash=chain[-1].record_hash if chain else "",
    )
    entry.record_hash = record_hash(entry)
    session.add(entry)
    session.flush()
    record(
        session,
        actor=entry.reviewer,
        action=action,
        target=target,
        engagement=engagement,
        detail={
            "role": entry.role,
            "approved_hash": entry.approved_hash,
            "record_hash": entry.record_hash,
        },
    )
    return entry


def chain_problems(chain: Sequence[SignOff]) -> list[str]:
    """What is wrong with a chain given oldest first; empty when intact."""
    problems: list[str] = []
    previous = ""
    for position, entry in enumerate(chain, start=1):
        label = f"sign-off {position} ({_what(entry.control_id)}, {entry.reviewer})"
        if entry.previous_hash != previous:
            problems.append(
                f"{label} does not follow the one before it: a sign-off was removed or altered"
            )
        if record_hash(entry) != entry.record_hash:
            problems.append(f"{label} was edited after it was recorded")
        previous = entry.record_hash
    return problems


@dataclass(frozen=True)
class ChainCheck:
    """The result of `verify_chain`: `ok` when every record and link is intact."""

    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session, engagement: Engagement) -> ChainCheck:
    """Recompute every record hash and link; also find logged sign-offs that vanished."""
    chain = sign_offs(session, engagement)
    problems = chain_problems(chain)
    present = {entry.record_hash for entry in chain}
    for entry in audit_log(session, engagement):
        logged = entry.detail.get("record_hash") if entry.action in _CHAINED_ACTIONS else None
        if logged and logged not in present:
            when = entry.at.strftime("%Y-%m-%d %H:%M UTC")
            problems.append(
                f"the sign-off of {_what(entry.target)} by {entry.actor} on {when} is in the "
                "audit log but missing from the sign-offs"
            )
    return ChainCheck(checked=len(chain), problems=tuple(problems))
