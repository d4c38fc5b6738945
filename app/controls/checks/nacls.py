"""nacls: no network ACL lets all traffic in from anywhere.

Entries are evaluated as AWS does: per direction, lowest rule number first, first
match wins. A NACL fails when the first all-protocol entry for 0.0.0.0/0 (or ::/0)
inbound is an allow: everything from anywhere gets in (the default NACL does this).
Narrower deny entries ahead of it are noted but do not make it restricted. NACLs
are stateless, so a restricted NACL must still let return traffic in on ephemeral
ports (49152-65535); the detail says whether it does.
"""

from __future__ import annotations

from app.aws.inventory.model import Inventory, NetworkAcl, RegionInventory
from app.controls.checks.ip_rules import (
    EPHEMERAL_PORTS,
    WORLD_V4,
    WORLD_V6,
    allows_port_range,
    describe_entry,
    ordered_entries,
    reachable_allows,
    summarize,
    world_open_entry,
)
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "nacls"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, "nacl-restricted", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        if not region.network_acls.ok:
            results.append(rows.error(name, name, "network ACLs", region.network_acls))
            continue
        acls = region.network_acls.require()
        if not acls:
            results.append(rows.none_in_region(name, "network ACLs", region.network_acls))
            continue
        results.extend(_acl_row(rows, region, acl) for acl in acls)
    return results


def _acl_row(rows: Rows, region: RegionInventory, acl: NetworkAcl) -> CheckResult:
    name = region.region
    arn = rows.ec2_arn(name, "network-acl", acl.network_acl_id)
    label = f"{acl.network_acl_id}{' (default)' if acl.is_default else ''} of {acl.vpc_id}"
    subnets = f"{len(acl.subnet_ids)} subnet{'s' if len(acl.subnet_ids) != 1 else ''}"
    excerpt = pick(acl.raw, "NetworkAclId", "VpcId", "IsDefault", "Entries")
    evidence = (rows.evidence(region.network_acls, excerpt),)
    opened = [e for e in (world_open_entry(acl, False, w) for w in (WORLD_V4, WORLD_V6)) if e]
    if opened:
        inbound = ordered_entries(acl, False)
        denies_before = [
            describe_entry(e)
            for e in inbound
            if e.rule_action == "deny" and e.rule_number < opened[0].rule_number
        ]
        detail = f"{label} ({subnets}) allows all inbound traffic from anywhere: " + "; ".join(
            describe_entry(e) for e in opened
        )
        if denies_before:
            detail += f" (after narrower denies {summarize(denies_before)})"
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    allows = reachable_allows(acl, False)
    if not allows:
        detail = f"{label} ({subnets}) denies all inbound traffic"
        return rows.row(name, arn, Status.PASS, detail, evidence)
    ephemeral = allows_port_range(allows, *EPHEMERAL_PORTS)
    note = (
        "return traffic on ephemeral ports 49152-65535 is allowed"
        if ephemeral
        else "note: return traffic on ephemeral ports 49152-65535 is not allowed in "
        "(NACLs are stateless: outbound connections from these subnets will fail)"
    )
    allowed = summarize([describe_entry(e) for e in allows])
    detail = f"{label} ({subnets}) restricts inbound traffic to {allowed}; {note}"
    return rows.row(name, arn, Status.PASS, detail, evidence)
