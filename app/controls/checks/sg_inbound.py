"""sg-inbound: no security group admits traffic from the world or from oversized ranges.

An inbound range fails when it is 0.0.0.0/0 or ::/0, or wider than the engagement's
threshold (default /16 for IPv4, /48 for IPv6). Rules referencing other security
groups pass: they admit only members of that group. Prefix lists pass with a note:
their entries are managed elsewhere and are not expanded here.
"""

from __future__ import annotations

from app.aws.inventory.model import Inventory, IpPermission, RegionInventory, SecurityGroup
from app.controls.checks.ip_rules import describe_permission, prefix_length, summarize
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "sg-inbound"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, "sg-inbound-restricted", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        results.extend(_region_rows(rows, inventory.regions[name], settings))
    return results


def wide_sources(permission: IpPermission, settings: CheckSettings) -> list[str]:
    """The permission's ranges that are open to the world or wider than allowed."""
    found = []
    for cidrs, limit in (
        (permission.ipv4_ranges, settings.max_open_prefix_v4),
        (permission.ipv6_ranges, settings.max_open_prefix_v6),
    ):
        for cidr in cidrs:
            length = prefix_length(cidr)
            if length is None:
                found.append(f"{cidr} (unparseable)")
            elif length == 0:
                found.append(f"{cidr} (the whole internet)")
            elif length < limit:
                found.append(f"{cidr} (wider than /{limit})")
    return found


def _region_rows(rows: Rows, region: RegionInventory, settings: CheckSettings) -> list[CheckResult]:
    name = region.region
    if not region.security_groups.ok:
        return [rows.error(name, name, "security groups", region.security_groups)]
    groups = region.security_groups.require()
    if not groups:
        return [rows.none_in_region(name, "security groups", region.security_groups)]
    return [_group_row(rows, region, group, settings) for group in groups]


def _group_row(
    rows: Rows, region: RegionInventory, group: SecurityGroup, settings: CheckSettings
) -> CheckResult:
    name = region.region
    arn = rows.ec2_arn(name, "security-group", group.group_id)
    label = f"{group.group_id} ({group.group_name})"
    findings: list[str] = []
    offending: list[IpPermission] = []
    for permission in group.inbound:
        wide = wide_sources(permission, settings)
        if wide:
            findings.append(f"{describe_permission(permission)} from {summarize(wide)}")
            offending.append(permission)
    excerpt = pick(group.raw, "GroupId", "GroupName", "VpcId", "OwnerId")
    excerpt["IpPermissions"] = [dict(p.raw) for p in (offending or group.inbound)]
    evidence = (rows.evidence(region.security_groups, excerpt),)
    if findings:
        return rows.row(name, arn, Status.FAIL, f"{label} admits " + "; ".join(findings), evidence)
    if not group.inbound:
        return rows.row(name, arn, Status.PASS, f"{label} has no inbound rules", evidence)
    notes = []
    groups = sorted({g.describe(group.owner_id) for p in group.inbound for g in p.group_references})
    lists = sorted({pl for p in group.inbound for pl in p.prefix_list_ids})
    if groups:
        notes.append(f"references {summarize(groups)}")
    if lists:
        notes.append(f"uses prefix lists {summarize(lists)} (entries not expanded)")
    tail = f"; {'; '.join(notes)}" if notes else ""
    detail = (
        f"{label}: {len(group.inbound)} inbound rules, none open to the world or wider than "
        f"/{settings.max_open_prefix_v4} (IPv4) or /{settings.max_open_prefix_v6} (IPv6){tail}"
    )
    return rows.row(name, arn, Status.PASS, detail, evidence)
