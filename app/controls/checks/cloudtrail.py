"""cloudtrail: at least one multi-region trail that is logging management events.

Trails are listed per region with shadow copies of multi-region and organization
trails, so they are merged by ARN first. An organization trail created in the
management account counts for a member account (the article's preferred set-up).
Management events: basic selectors with IncludeManagementEvents and ReadWriteType
All, or an advanced selector on eventCategory = Management without a readOnly
filter. A trail whose selectors were never set reports an empty list on some
endpoints (moto); real AWS reports the default all-management-events selector, so
an empty successful answer is read as that default and the detail says so.
"""

from __future__ import annotations

from app.aws.fetched import Fetched
from app.aws.inventory.model import Inventory, Trail, TrailEventSelectors
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "cloudtrail"
_TRAIL_KEYS = ("Name", "TrailARN", "HomeRegion", "IsMultiRegionTrail", "IsOrganizationTrail")


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    logging_rows = Rows(CONTROL, "trail-logging", inventory, settings.now)
    account_rows = Rows(CONTROL, "multi-region-trail", inventory, settings.now)
    trails, listing_errors = _merged_trails(inventory)
    results = [
        logging_rows.error(region, region, "CloudTrail trails", fetched)
        for region, fetched in listing_errors
    ]
    for trail in trails:
        results.append(_trail_row(logging_rows, inventory, trail))
    results.append(_account_row(account_rows, inventory, trails, listing_errors))
    return results


def _merged_trails(
    inventory: Inventory,
) -> tuple[list[Trail], list[tuple[str, Fetched[tuple[Trail, ...]]]]]:
    """Trails by ARN, preferring the copy that carries a status (its home region's)."""
    by_arn: dict[str, Trail] = {}
    errors: list[tuple[str, Fetched[tuple[Trail, ...]]]] = []
    for name in sorted(inventory.regions):
        fetched = inventory.regions[name].trails
        if not fetched.ok:
            errors.append((name, fetched))
            continue
        for trail in fetched.require():
            known = by_arn.get(trail.arn)
            if known is None or (known.status is None and trail.status is not None):
                by_arn[trail.arn] = trail
    return sorted(by_arn.values(), key=lambda t: t.arn), errors


def management_events(selectors: Fetched[TrailEventSelectors] | None) -> tuple[bool | None, str]:
    """(records all management events?, why). None: could not tell."""
    if selectors is None:
        return None, "event selectors not fetched"
    if not selectors.ok:
        return None, f"event selectors unreadable: {selectors.error}"
    value = selectors.require()
    if not value.event_selectors and not value.advanced_event_selectors:
        return True, (
            "no event selectors returned: read as AWS's default selector "
            "(all management events, read and write)"
        )
    for basic in value.event_selectors:
        if basic.include_management_events and basic.read_write_type.lower() == "all":
            excluded = basic.exclude_management_event_sources
            note = f" (excluding {', '.join(excluded)})" if excluded else ""
            return True, f"records all management events{note}"
    for advanced in value.advanced_event_selectors:
        fields = {f.field: f for f in advanced.field_selectors}
        category = fields.get("eventCategory")
        if category is None or "Management" not in category.equals:
            continue
        if "readOnly" in fields:
            continue
        excluded = fields["eventSource"].not_equals if "eventSource" in fields else ()
        note = f" (excluding {', '.join(excluded)})" if excluded else ""
        return True, f"records all management events via advanced selector{note}"
    partial = [
        f"{b.read_write_type} management events"
        for b in value.event_selectors
        if b.include_management_events
    ]
    if partial:
        return False, "records only " + ", ".join(partial)
    return False, "does not record all management events (read and write)"


def _trail_label(inventory: Inventory, trail: Trail) -> str:
    kind = "multi-region" if trail.is_multi_region else f"single-region ({trail.home_region})"
    if trail.is_organization_trail:
        owner = trail.arn.split(":")[4] if trail.arn.count(":") >= 5 else "?"
        whose = "this account" if owner == inventory.account_id else f"account {owner}"
        kind = f"organization {kind} trail from {whose}"
    else:
        kind = f"{kind} trail"
    return f"{kind} {trail.name}"


def _trail_evidence(rows: Rows, inventory: Inventory, trail: Trail) -> list[Evidence]:
    home = inventory.regions.get(trail.home_region)
    listing = home.trails if home is not None and home.trails.ok else None
    evidence = []
    if listing is not None:
        evidence.append(rows.evidence(listing, pick(trail.raw, *_TRAIL_KEYS)))
    for fetched in (trail.status, trail.event_selectors):
        if fetched is not None:
            raw = fetched.value.raw if fetched.ok and fetched.value is not None else None
            excerpt = dict(raw) if raw is not None else {"error": fetched.error}
            evidence.append(rows.evidence(fetched, excerpt))
    return evidence


def _trail_row(rows: Rows, inventory: Inventory, trail: Trail) -> CheckResult:
    label = _trail_label(inventory, trail)
    evidence = _trail_evidence(rows, inventory, trail)
    region = trail.home_region
    if trail.status is None:
        detail = f"{label}: status not fetched (its home region {region} was not read)"
        return rows.row(region, trail.arn, Status.ERROR, detail, evidence)
    if not trail.status.ok:
        detail = f"{label}: could not read trail status: {trail.status.error}"
        return rows.row(region, trail.arn, Status.ERROR, detail, evidence)
    status = trail.status.require()
    _, events = management_events(trail.event_selectors)
    if not status.is_logging:
        stopped = status.stop_logging_time.isoformat() if status.stop_logging_time else "unknown"
        detail = f"{label} is not logging (stopped at {stopped}); {events}"
        return rows.row(region, trail.arn, Status.FAIL, detail, evidence)
    detail = f"{label} is logging; {events}"
    if status.latest_delivery_error:
        detail += f"; latest delivery error: {status.latest_delivery_error}"
    return rows.row(region, trail.arn, Status.PASS, detail, evidence)


def _account_row(
    rows: Rows,
    inventory: Inventory,
    trails: list[Trail],
    listing_errors: list[tuple[str, Fetched[tuple[Trail, ...]]]],
) -> CheckResult:
    resource = inventory.account_id
    unknown: list[str] = []
    shortfalls: list[str] = []
    for trail in trails:
        label = _trail_label(inventory, trail)
        if not trail.is_multi_region:
            continue
        if trail.status is None or not trail.status.ok:
            unknown.append(f"{label}: status unknown")
            continue
        if not trail.status.require().is_logging:
            shortfalls.append(f"{label} is not logging")
            continue
        records, why = management_events(trail.event_selectors)
        if records is None:
            unknown.append(f"{label}: {why}")
        elif not records:
            shortfalls.append(f"{label} {why}")
        else:
            detail = f"{label} is logging in every region; {why}"
            return rows.row(
                "global", resource, Status.PASS, detail, _trail_evidence(rows, inventory, trail)
            )
    evidence = [rows.evidence(f, {"error": f.error}) for _, f in listing_errors]
    for name in sorted(inventory.regions):
        fetched = inventory.regions[name].trails
        if fetched.ok:
            excerpt = [pick(t.raw, *_TRAIL_KEYS) for t in fetched.require()]
            evidence.append(rows.evidence(fetched, excerpt))
            break
    if not inventory.regions:
        detail = "no region was scanned, so no trail could be read"
        return rows.row("global", resource, Status.ERROR, detail, evidence)
    if unknown or listing_errors:
        reasons = unknown + [f"trails in {r} unreadable: {f.error}" for r, f in listing_errors]
        detail = "no multi-region trail confirmed to be logging management events: " + "; ".join(
            reasons + shortfalls
        )
        return rows.row("global", resource, Status.ERROR, detail, evidence)
    if not shortfalls:
        detail = "no multi-region trail (nor organization trail) covers this account"
    else:
        detail = "no multi-region trail logging all management events: " + "; ".join(shortfalls)
    return rows.row("global", resource, Status.FAIL, detail, evidence)
