"""Which regions a scan covers: the account's enabled regions, or the ones asked for.

`ec2:DescribeRegions(AllRegions=True)` lists every region with its opt-in status;
"not-opted-in" regions are skipped (and named as skipped, so the binder says so).
Regions of another partition (an emulator lists them all) are skipped too.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from app.aws.caller import ScanUnavailable
from app.aws.calls import explain
from app.aws.clients import ScanClients
from app.aws.identity import Identity


class UnknownRegions(ScanUnavailable):
    """Region names the account does not know (a typo): a usage mistake, refused before
    anything is stored."""

    def __init__(
        self, unknown: Collection[str], enabled: Collection[str], other: Collection[str]
    ) -> None:
        self.unknown = tuple(sorted(unknown))
        self.enabled = tuple(sorted(enabled))
        self.other = tuple(sorted(other))
        not_enabled = f" Not enabled: {', '.join(self.other)}." if self.other else ""
        super().__init__(
            f"Unknown region(s): {', '.join(self.unknown)}. This account's regions: "
            f"{', '.join(self.enabled)}.{not_enabled}"
        )


@dataclass(frozen=True)
class RegionPlan:
    regions: tuple[str, ...]  # scanned, sorted
    skipped: tuple[str, ...]  # listed by AWS but not enabled (or another partition)


def plan_regions(
    clients: ScanClients, identity: Identity, requested: Sequence[str] | None = None
) -> RegionPlan:
    """Enabled regions (or `requested` ones that are enabled); raises `ScanUnavailable`
    when the list cannot be had and none were requested, and `UnknownRegions` when a
    requested name is not one of the account's own `DescribeRegions(AllRegions=True)`."""
    region = clients.global_region(identity.partition)
    try:
        ec2: Any = clients.client("ec2", region)
        listed = ec2.describe_regions(AllRegions=True)["Regions"]
    except (BotoCoreError, ClientError, ResponseParserError, KeyError) as exc:
        if requested:
            # Cannot check the names: scan what was asked; failures show per region.
            return RegionPlan(tuple(sorted(set(requested))), ())
        reason = explain(exc, "ec2", "DescribeRegions", region)
        raise ScanUnavailable(
            f"Could not list the account's regions: {reason} Name them with --regions."
        ) from exc
    enabled: set[str] = set()
    skipped: set[str] = set()
    for item in listed:
        name = str(item["RegionName"])
        other_partition = clients.partition_of(name) not in (None, identity.partition)
        if item.get("OptInStatus") == "not-opted-in" or other_partition:
            skipped.add(name)
        else:
            enabled.add(name)
    if not requested:
        return RegionPlan(tuple(sorted(enabled)), tuple(sorted(skipped)))
    wanted = set(requested)
    unknown = wanted - enabled - skipped
    if unknown:
        raise UnknownRegions(
            sorted(unknown),
            enabled,
            [name for name in skipped if clients.partition_of(name) == identity.partition],
        )
    return RegionPlan(tuple(sorted(wanted & enabled)), tuple(sorted(wanted & skipped)))
