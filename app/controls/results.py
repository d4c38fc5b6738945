"""What a check says about one resource: the contract shared by engine, store, UI and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.evidence import Evidence


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    # Could not evaluate: access denied, throttled past retries, unreachable, unsupported.
    ERROR = "ERROR"
    # Nothing of that kind exists.
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True)
class CheckResult:
    """One row of the population: a resource judged by one check.

    `resource` is an ARN where AWS has one, else its id; a region-wide setting names
    the region. `evidence` lists the calls that decided the row.
    """

    control: str
    check: str
    region: str
    resource: str
    status: Status
    detail: str
    account_id: str = ""
    evidence: Sequence[Evidence] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The row as in the result document (docs/scan-result.schema.json)."""
        return {
            "control": self.control,
            "check": self.check,
            "region": self.region,
            "resource": self.resource,
            "status": self.status.value,
            "detail": self.detail,
            "account": self.account_id,
            "evidence": [e.to_json() for e in self.evidence],
        }
