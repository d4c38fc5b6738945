"""Systems Manager inventory of one region: the instances Session Manager can reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.model import ManagedInstance


def managed_instances(ctx: FetchContext, region: str) -> Fetched[tuple[ManagedInstance, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[ManagedInstance, ...]:
        return tuple(
            ManagedInstance(
                instance_id=str(item["InstanceId"]),
                ping_status=str(item.get("PingStatus", "")),
                platform_type=str(item.get("PlatformType", "")),
                agent_version=str(item.get("AgentVersion", "")),
                last_ping=utc(item.get("LastPingDateTime")),
                raw=json_safe(item),
            )
            for item in listing(response, "InstanceInformationList")
        )

    fetched = ctx.call("ssm", region, "DescribeInstanceInformation", paginate=True)
    return convert(fetched, build)
