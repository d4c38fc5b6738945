"""What a check says about one resource: the contract shared by engine, store, UI and PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    # Could not evaluate: access denied, throttled past retries, unreachable, unsupported.
    ERROR = "ERROR"
    # Nothing of that kind exists.
    NOT_APPLICABLE = "NOT_APPLICABLE"


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """`2026-11-28T10:00:09Z`: the one timestamp format of JSON output and the binder."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Evidence:
    """One API call that decided a result: what was asked, where, when, and what came back.

    `operation` is `service:OperationName` (e.g. `ec2:DescribeSecurityGroups`);
    `excerpt` is the JSON-safe part of the response that decided the result.
    """

    operation: str
    parameters: Mapping[str, Any]
    region: str
    collected_at: datetime
    excerpt: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "parameters": dict(self.parameters),
            "region": self.region,
            "collected_at": iso_utc(self.collected_at),
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            operation=str(data["operation"]),
            parameters=dict(data.get("parameters") or {}),
            region=str(data["region"]),
            collected_at=datetime.strptime(data["collected_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            ),
            excerpt=data.get("excerpt"),
        )


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
