"""Building result rows: one place for the row shape, evidence and error wording."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from app.aws.fetched import Call, Fetched
from app.aws.inventory.model import Inventory
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

T = TypeVar("T")


def evidence_of(call: Call, excerpt: Any, now: datetime) -> Evidence:
    """`call` as evidence; a call the fetcher did not time-stamp gets the scan time."""
    if call.at is None:
        call = replace(call, at=now)
    return call.evidence(excerpt)


def pick(raw: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The named keys of a raw response item (those present): a small evidence excerpt."""
    return {key: raw[key] for key in keys if key in raw}


def first_error(*fetches: Fetched[Any] | None) -> Fetched[Any] | None:
    """The first fetch among `fetches` that failed, if any (None entries are skipped)."""
    for fetched in fetches:
        if fetched is not None and not fetched.ok:
            return fetched
    return None


@dataclass(frozen=True)
class Rows:
    """Makes the rows of one check for one account."""

    control: str
    check: str
    inventory: Inventory
    now: datetime

    def row(
        self,
        region: str,
        resource: str,
        status: Status,
        detail: str,
        evidence: Iterable[Evidence] = (),
    ) -> CheckResult:
        return CheckResult(
            control=self.control,
            check=self.check,
            region=region,
            resource=resource,
            status=status,
            detail=detail,
            account_id=self.inventory.account_id,
            evidence=tuple(evidence),
        )

    def evidence(self, fetched: Fetched[Any], excerpt: Any = None) -> Evidence:
        return evidence_of(fetched.call, excerpt, self.now)

    def error(self, region: str, resource: str, what: str, fetched: Fetched[Any]) -> CheckResult:
        """An ERROR row: `what` could not be read, and why; never a PASS that did not look."""
        return self.row(
            region,
            resource,
            Status.ERROR,
            f"could not read {what}: {fetched.error}",
            (self.evidence(fetched, {"error": fetched.error}),),
        )

    def none_in_region(self, region: str, what: str, fetched: Fetched[Any]) -> CheckResult:
        """The NOT_APPLICABLE row recording that the region was looked at and had none."""
        resource = self.inventory.account_id if region == "global" else region
        return self.row(
            region,
            resource,
            Status.NOT_APPLICABLE,
            f"no {what} in {'the account' if region == 'global' else region}",
            (self.evidence(fetched, []),),
        )

    def per_item(
        self,
        region: str,
        what: str,
        listing: Fetched[tuple[T, ...]],
        judge: Callable[[T], CheckResult],
    ) -> list[CheckResult]:
        """`judge(item)` for each item of a region's listing; one ERROR row when it could
        not be read, one NOT_APPLICABLE row when it is empty."""
        if not listing.ok:
            return [self.error(region, region, what, listing)]
        items = listing.require()
        if not items:
            return [self.none_in_region(region, what, listing)]
        return [judge(item) for item in items]

    def per_bucket(
        self, listing: Fetched[tuple[T, ...]], judge: Callable[[T], CheckResult]
    ) -> list[CheckResult]:
        """`judge(bucket)` for each bucket of the account's listing; one ERROR row for the
        account when it could not be read, one NOT_APPLICABLE row when there is none."""
        if not listing.ok:
            return [self.error("global", self.inventory.account_id, "the S3 bucket list", listing)]
        buckets = listing.require()
        if not buckets:
            return [self.none_in_region("global", "S3 buckets", listing)]
        return [judge(bucket) for bucket in buckets]

    def ec2_arn(self, region: str, kind: str, resource_id: str) -> str:
        return self.inventory.arn("ec2", region, f"{kind}/{resource_id}")
