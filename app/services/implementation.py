"""How far a criterion is implemented, derived from the controls behind it.

The rules (documented for users in `docs/statement-of-applicability.md`):

A control is *in place* when
- its sign-off is current (`ControlStatus.SIGNED_OFF`), or
- it is automated (has checks) and its checks say passing, or failing only where
  an active exception accepts it (`check_status` PASSING or EXCEPTION; a stale
  sign-off falls back to this), or
- it is manual (no checks) and every manual evidence item it asks for has at least
  one attachment answering it. An inherited control (the cloud provider carries it)
  is manual: the provider's report is one of its evidence items.

A criterion's implementation, first rule that applies:
1. `excluded`: the decision is "does not apply".
2. `not_yet`: none of its applicable controls is in place (or every control behind
   it was marked not applicable).
3. `inherited`: every applicable control behind it is in place and inherited.
4. `implemented`: every applicable control behind it is in place.
5. `partly`: some are, some are not.

A control marked not applicable (per control, on its own page) does not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.controls.catalogue import Control
from app.controls.control_status import ControlStatus
from app.store.control_status import ControlSummary

# A control's own evidence (`check_status`) that puts it in place without a sign-off:
# passing checks, failures all accepted, or (manual) a file for every evidence item.
_IN_PLACE = (ControlStatus.PASSING, ControlStatus.EXCEPTION, ControlStatus.EVIDENCE_ATTACHED)


class Implementation(StrEnum):
    IMPLEMENTED = "implemented"
    PARTLY = "partly"
    NOT_YET = "not_yet"
    INHERITED = "inherited"
    EXCLUDED = "excluded"

    @property
    def label(self) -> str:
        """As people read it (tables, CSV, the binder): "not yet", "implemented"."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class ControlRef:
    """A control behind a criterion, with what its implementation was derived from."""

    id: str
    title: str
    automated: bool
    inherited: bool
    applicable: bool
    status: ControlStatus
    in_place: bool


def in_place(summary: ControlSummary) -> bool:
    """The control rule above, on the store's derived status (`app/store/control_status.py`)."""
    return summary.status == ControlStatus.SIGNED_OFF or summary.check_status in _IN_PLACE


def control_ref(control: Control, summary: ControlSummary) -> ControlRef:
    return ControlRef(
        id=control.id,
        title=control.title,
        automated=control.automated,
        inherited=control.inherited is not None,
        applicable=summary.applicable,
        status=summary.status,
        in_place=in_place(summary),
    )


def implementation(applies: bool | None, controls: Sequence[ControlRef]) -> Implementation:
    """The criterion rule above."""
    if applies is False:
        return Implementation.EXCLUDED
    applicable = [c for c in controls if c.applicable]
    done = [c for c in applicable if c.in_place]
    if not done:
        return Implementation.NOT_YET
    if len(done) < len(applicable):
        return Implementation.PARTLY
    if all(c.inherited for c in applicable):
        return Implementation.INHERITED
    return Implementation.IMPLEMENTED
