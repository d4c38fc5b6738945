"""AWS Config in one region: the configuration recorders with their status, and the
delivery channels. The recorder listing and its status listing are asked at once and
matched by recorder name; the delivery channels are a part of their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.model import ConfigRecorder, DeliveryChannel, RecorderStatus


def _status(item: Mapping[str, Any]) -> RecorderStatus:
    recording = item.get("recording")
    return RecorderStatus(
        recording=None if recording is None else bool(recording),
        last_status=item.get("lastStatus"),
        last_error_code=item.get("lastErrorCode"),
        last_error_message=item.get("lastErrorMessage"),
        last_status_change=utc(item.get("lastStatusChangeTime")),
        raw=json_safe(item),
    )


def _recorder(item: Mapping[str, Any], status: Fetched[RecorderStatus | None]) -> ConfigRecorder:
    group = item.get("recordingGroup") or {}
    all_supported = group.get("allSupported")
    include_global = group.get("includeGlobalResourceTypes")
    return ConfigRecorder(
        name=str(item["name"]),
        status=status,
        all_supported=None if all_supported is None else bool(all_supported),
        include_global_types=None if include_global is None else bool(include_global),
        resource_types=tuple(str(t) for t in group.get("resourceTypes") or []),
        strategy=(group.get("recordingStrategy") or {}).get("useOnly"),
        service_principal=item.get("servicePrincipal"),
        raw=json_safe(item),
    )


def recorders(ctx: FetchContext, region: str) -> Fetched[tuple[ConfigRecorder, ...]]:
    pending = ctx.leaf_pool.submit(
        ctx.call, "config", region, "DescribeConfigurationRecorderStatus"
    )
    listed = ctx.call("config", region, "DescribeConfigurationRecorders")
    statuses = pending.result()
    by_name = convert(
        statuses,
        lambda response: {
            str(item["name"]): _status(item)
            for item in listing(response, "ConfigurationRecordersStatus")
            if "name" in item
        },
    )

    def status_of(name: str) -> Fetched[RecorderStatus | None]:
        if not by_name.ok or by_name.value is None:
            return Fetched(call=statuses.call, error=by_name.error)
        return Fetched(call=statuses.call, value=by_name.value.get(name))

    return convert(
        listed,
        lambda response: tuple(
            _recorder(item, status_of(str(item["name"])))
            for item in listing(response, "ConfigurationRecorders")
        ),
    )


def delivery_channels(ctx: FetchContext, region: str) -> Fetched[tuple[DeliveryChannel, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[DeliveryChannel, ...]:
        return tuple(
            DeliveryChannel(
                name=str(item.get("name", "")),
                s3_bucket=item.get("s3BucketName"),
                sns_topic=item.get("snsTopicARN"),
                raw=json_safe(item),
            )
            for item in listing(response, "DeliveryChannels")
        )

    return convert(ctx.call("config", region, "DescribeDeliveryChannels"), build)
