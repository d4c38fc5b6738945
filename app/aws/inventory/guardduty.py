"""GuardDuty in one region: its detector (at most one per account and region) and whether
it is enabled. `ListDetectors`, then `GetDetector` for each id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.model import Detector, DetectorDetails


def _details(response: Mapping[str, Any]) -> DetectorDetails:
    status = response.get("Status")
    return DetectorDetails(
        status=None if status is None else str(status),
        features=tuple(
            (str(f.get("Name", "?")), str(f.get("Status", "?")))
            for f in response.get("Features") or []
        ),
        updated_at=utc(response.get("UpdatedAt")),
        raw=json_safe(response),
    )


def detectors(ctx: FetchContext, region: str) -> Fetched[tuple[Detector, ...]]:
    listed = ctx.call("guardduty", region, "ListDetectors", paginate=True)
    ids = convert(listed, lambda response: [str(i) for i in listing(response, "DetectorIds")])
    if not ids.ok or ids.value is None:
        return convert(ids, lambda _: ())
    found: list[str] = ids.value
    details = ctx.fan_out(
        lambda detector_id: convert(
            ctx.call("guardduty", region, "GetDetector", {"DetectorId": detector_id}), _details
        ),
        found,
    )
    return convert(
        listed,
        lambda _: tuple(
            Detector(detector_id=i, details=d) for i, d in zip(found, details, strict=True)
        ),
    )
