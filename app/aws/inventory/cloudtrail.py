"""CloudTrail inventory of one region: trails (shadow copies included), status, selectors.

`DescribeTrails(includeShadowTrails=True)` lists, in every region, the trails homed
there and the multi-region / organization trails homed elsewhere. A trail's status and
event selectors are fetched once, in its home region (moto refuses selectors asked
elsewhere); a shadow copy whose home region is not scanned is fetched by ARN from
the first scanned region only, so a trail is never fetched twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.model import (
    AdvancedEventSelector,
    AdvancedFieldSelector,
    EventSelector,
    Trail,
    TrailEventSelectors,
    TrailStatus,
)


def _status(response: Mapping[str, Any]) -> TrailStatus:
    return TrailStatus(
        is_logging=bool(response["IsLogging"]),
        latest_delivery_error=str(response.get("LatestDeliveryError", "")),
        start_logging_time=utc(response.get("StartLoggingTime")),
        stop_logging_time=utc(response.get("StopLoggingTime")),
        latest_delivery_time=utc(response.get("LatestDeliveryTime")),
        raw=json_safe(response),
    )


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _field(item: Mapping[str, Any]) -> AdvancedFieldSelector:
    return AdvancedFieldSelector(
        field=str(item["Field"]),
        equals=_strs(item.get("Equals")),
        not_equals=_strs(item.get("NotEquals")),
        starts_with=_strs(item.get("StartsWith")),
        not_starts_with=_strs(item.get("NotStartsWith")),
        ends_with=_strs(item.get("EndsWith")),
        not_ends_with=_strs(item.get("NotEndsWith")),
    )


def _selectors(response: Mapping[str, Any]) -> TrailEventSelectors:
    return TrailEventSelectors(
        event_selectors=tuple(
            EventSelector(
                read_write_type=str(item.get("ReadWriteType", "All")),
                include_management_events=bool(item.get("IncludeManagementEvents", True)),
                exclude_management_event_sources=_strs(item.get("ExcludeManagementEventSources")),
                raw=json_safe(item),
            )
            for item in response.get("EventSelectors") or []
        ),
        advanced_event_selectors=tuple(
            AdvancedEventSelector(
                name=str(item.get("Name", "")),
                field_selectors=tuple(_field(f) for f in item.get("FieldSelectors", [])),
                raw=json_safe(item),
            )
            for item in response.get("AdvancedEventSelectors") or []
        ),
        raw=json_safe(response),
    )


def _needed(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """A trail item with the members every use of it needs (KeyError otherwise)."""
    for key in ("Name", "TrailARN"):
        if key not in item:
            raise KeyError(f"a trail without {key}")
    return item


def _fetch_here(ctx: FetchContext, region: str, home_region: str) -> bool:
    if home_region == region:
        return True
    return home_region not in ctx.scanned_regions and region == min(ctx.scanned_regions)


def trails(ctx: FetchContext, region: str) -> Fetched[tuple[Trail, ...]]:
    listed = convert(
        ctx.call("cloudtrail", region, "DescribeTrails", {"includeShadowTrails": True}),
        lambda response: [_needed(item) for item in listing(response, "trailList")],
    )
    if not listed.ok or listed.value is None:
        return convert(listed, lambda response: ())
    items: list[Mapping[str, Any]] = listed.value

    wanted = [
        (str(item["TrailARN"]), str(item.get("HomeRegion", region)))
        for item in items
        if _fetch_here(ctx, region, str(item.get("HomeRegion", region)))
    ]

    def detail(job: tuple[str, str, str]) -> Fetched[Any]:
        arn, home, operation = job
        if operation == "GetTrailStatus":
            return convert(ctx.call("cloudtrail", home, operation, {"Name": arn}), _status)
        return convert(ctx.call("cloudtrail", home, operation, {"TrailName": arn}), _selectors)

    # Status and selectors of every trail at once: one round trip after the listing.
    jobs = [
        (arn, home, op) for arn, home in wanted for op in ("GetTrailStatus", "GetEventSelectors")
    ]
    done = dict(zip(((arn, op) for arn, _, op in jobs), ctx.fan_out(detail, jobs), strict=True))

    def build(_: Any) -> tuple[Trail, ...]:
        result = []
        for item in items:
            arn = str(item["TrailARN"])
            result.append(
                Trail(
                    name=str(item["Name"]),
                    arn=arn,
                    home_region=str(item.get("HomeRegion", region)),
                    is_multi_region=bool(item.get("IsMultiRegionTrail", False)),
                    is_organization_trail=bool(item.get("IsOrganizationTrail", False)),
                    s3_bucket_name=str(item.get("S3BucketName", "")),
                    cloud_watch_logs_log_group_arn=str(item.get("CloudWatchLogsLogGroupArn", "")),
                    log_file_validation_enabled=bool(item.get("LogFileValidationEnabled", False)),
                    kms_key_id=str(item.get("KmsKeyId", "")),
                    has_custom_event_selectors=bool(item.get("HasCustomEventSelectors", False)),
                    has_insight_selectors=bool(item.get("HasInsightSelectors", False)),
                    status=done.get((arn, "GetTrailStatus")),
                    event_selectors=done.get((arn, "GetEventSelectors")),
                    raw=json_safe(item),
                )
            )
        return tuple(result)

    return convert(listed, build)
