"""What an inventory fetch hands to the checks: data, or why it could not be had.

Every piece of inventory is wrapped in `Fetched`, so a check can tell "there is
nothing" (an empty list) from "we could not look" (`error` set) and turn the latter
into an ERROR row, never a PASS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from app.evidence import Evidence

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """One API call as evidence: `ec2:DescribeSecurityGroups` in a region, when, with what."""

    service: str  # boto3 service name, e.g. "ec2"
    operation: str  # API operation name, e.g. "DescribeSecurityGroups"
    region: str  # region name, or "global" for IAM / S3 listing
    parameters: Mapping[str, Any] = field(default_factory=dict)
    at: datetime | None = None

    def evidence(self, excerpt: Any = None) -> Evidence:
        """This call as evidence of a result, with the part of the response that decided it."""
        assert self.at is not None, "a Call used as evidence must carry its time"
        return Evidence(
            operation=f"{self.service}:{self.operation}",
            parameters=dict(self.parameters),
            region=self.region,
            collected_at=self.at,
            excerpt=excerpt,
        )


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """The value of one fetch (possibly several paginated calls) or the error that stopped it.

    `error` is a person-readable reason ("AccessDenied: User ... is not authorized to
    perform ec2:DescribeVpcs", "Not implemented by this endpoint (HTTP 500)").
    """

    call: Call
    value: T | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def require(self) -> T:
        """The value; only call after checking `ok`."""
        if self.error is not None or self.value is None:
            raise ValueError(f"{self.call.service}:{self.call.operation} failed: {self.error}")
        return self.value
