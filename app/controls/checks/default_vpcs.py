"""default-vpcs: default VPCs deleted, or isolated the way the article allows.

The article prefers deleting every region's default VPC; where that is not
possible, every default subnet must block all traffic with its network ACL and the
default security group must have no rules. A default security group with rules
fails in every VPC, default or not (a new instance lands in it when nobody chooses).
"""

from __future__ import annotations

from app.aws.inventory.model import (
    Inventory,
    NetworkAcl,
    RegionInventory,
    SecurityGroup,
    Subnet,
    Vpc,
)
from app.controls.checks.ip_rules import describe_entry, reachable_allows, summarize
from app.controls.checks.rows import Rows, first_error, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "default-vpcs"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    isolated = Rows(CONTROL, "default-vpc-isolated", inventory, settings.now)
    no_rules = Rows(CONTROL, "default-sg-no-rules", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        results.extend(_default_vpc_rows(isolated, region))
        results.extend(_default_sg_rows(no_rules, region))
    return results


def _acl_for(subnet: Subnet, acls: tuple[NetworkAcl, ...]) -> NetworkAcl | None:
    """The subnet's NACL: the one associated with it, else its VPC's default NACL."""
    for acl in acls:
        if subnet.subnet_id in acl.subnet_ids:
            return acl
    return next((a for a in acls if a.vpc_id == subnet.vpc_id and a.is_default), None)


def _acl_leaks(acl: NetworkAcl) -> list[str]:
    """The live allow entries of a NACL, both directions (empty: it denies everything)."""
    return [
        describe_entry(e) for e in (*reachable_allows(acl, False), *reachable_allows(acl, True))
    ]


def _default_vpc_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.vpcs.ok:
        return [rows.error(name, name, "VPCs", region.vpcs)]
    defaults = [v for v in region.vpcs.require() if v.is_default]
    if not defaults:
        return [
            rows.row(
                name,
                name,
                Status.PASS,
                f"no default VPC in {name} (deleted, as the article prefers)",
                (rows.evidence(region.vpcs, {"Vpcs[?IsDefault]": []}),),
            )
        ]
    return [_isolation_row(rows, region, vpc) for vpc in defaults]


def _isolation_row(rows: Rows, region: RegionInventory, vpc: Vpc) -> CheckResult:
    name = region.region
    arn = rows.ec2_arn(name, "vpc", vpc.vpc_id)
    failed = first_error(region.subnets, region.network_acls, region.security_groups)
    if failed is not None:
        what = f"the isolation of default VPC {vpc.vpc_id} ({failed.call.operation})"
        return rows.error(name, arn, what, failed)
    subnets = [s for s in region.subnets.require() if s.vpc_id == vpc.vpc_id]
    acls = region.network_acls.require()
    problems: list[str] = []
    excerpt_acls: list[object] = []
    for subnet in subnets:
        acl = _acl_for(subnet, acls)
        if acl is None:
            problems.append(f"subnet {subnet.subnet_id} has no network ACL in the listing")
            continue
        leaks = _acl_leaks(acl)
        if leaks:
            problems.append(
                f"subnet {subnet.subnet_id}: NACL {acl.network_acl_id} allows {summarize(leaks)}"
            )
            excerpt_acls.append(pick(acl.raw, "NetworkAclId", "Entries"))
    default_sg = _default_group(region.security_groups.require(), vpc.vpc_id)
    if default_sg is None:
        problems.append("its default security group is missing from the listing")
    elif default_sg.inbound or default_sg.outbound:
        problems.append(
            f"default security group {default_sg.group_id} has "
            f"{len(default_sg.inbound)} inbound and {len(default_sg.outbound)} outbound rules"
        )
    evidence = [
        rows.evidence(region.vpcs, pick(vpc.raw, "VpcId", "IsDefault", "CidrBlock")),
        rows.evidence(region.subnets, [s.subnet_id for s in subnets]),
        rows.evidence(region.network_acls, excerpt_acls),
    ]
    if default_sg is not None:
        evidence.append(
            rows.evidence(
                region.security_groups,
                pick(default_sg.raw, "GroupId", "IpPermissions", "IpPermissionsEgress"),
            )
        )
    if problems:
        detail = f"default VPC {vpc.vpc_id} is not isolated: " + "; ".join(problems)
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    detail = (
        f"default VPC {vpc.vpc_id} is isolated: the NACLs of its {len(subnets)} subnets "
        "deny all traffic both ways and its default security group has no rules"
    )
    return rows.row(name, arn, Status.PASS, detail, evidence)


def _default_group(groups: tuple[SecurityGroup, ...], vpc_id: str) -> SecurityGroup | None:
    return next((g for g in groups if g.is_default and g.vpc_id == vpc_id), None)


def _default_sg_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.security_groups.ok:
        return [rows.error(name, name, "security groups", region.security_groups)]
    defaults = [g for g in region.security_groups.require() if g.is_default]
    if not defaults:
        return [
            rows.none_in_region(name, "default security groups (no VPCs)", region.security_groups)
        ]
    results = []
    for group in defaults:
        arn = rows.ec2_arn(name, "security-group", group.group_id)
        excerpt = pick(group.raw, "GroupId", "VpcId", "IpPermissions", "IpPermissionsEgress")
        evidence = (rows.evidence(region.security_groups, excerpt),)
        inbound, outbound = len(group.inbound), len(group.outbound)
        if inbound or outbound:
            detail = (
                f"default security group of {group.vpc_id} has {inbound} inbound and "
                f"{outbound} outbound rules; remove them all"
            )
            results.append(rows.row(name, arn, Status.FAIL, detail, evidence))
        else:
            detail = f"default security group of {group.vpc_id} has no rules"
            results.append(rows.row(name, arn, Status.PASS, detail, evidence))
    return results
