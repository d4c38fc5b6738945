"""One API call as evidence, and the one timestamp format: below both `aws` and `controls`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


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
