"""A control's status: the one vocabulary the store, services, binder and UI share.

The store derives it (`app/store/control_status.py` documents the rules); everything
that shows or counts a control's status takes this type, never its string values.
"""

from __future__ import annotations

from enum import StrEnum


class ControlStatus(StrEnum):
    NOT_CHECKED = "not_checked"
    PASSING = "passing"
    FAILING = "failing"
    ERROR = "error"
    EXCEPTION = "exception"
    SIGNED_OFF = "signed_off"
    STALE = "stale"
    # Manual controls (no automated checks), by the files attached to what they ask for.
    EVIDENCE_MISSING = "evidence_missing"
    EVIDENCE_ATTACHED = "evidence_attached"

    @property
    def label(self) -> str:
        """As people read it: "Signed off", "Evidence missing"."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ControlStatus.NOT_CHECKED: "Not checked",
    ControlStatus.PASSING: "Passing",
    ControlStatus.FAILING: "Failing",
    ControlStatus.ERROR: "Could not check",
    ControlStatus.EXCEPTION: "Accepted exception",
    ControlStatus.SIGNED_OFF: "Signed off",
    ControlStatus.STALE: "Sign-off stale",
    ControlStatus.EVIDENCE_MISSING: "Evidence missing",
    ControlStatus.EVIDENCE_ATTACHED: "Evidence attached, not signed off",
}
