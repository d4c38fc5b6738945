"""no-ssh: no security group admits SSH, and instances are reachable by Session Manager.

A rule admits SSH when it lets TCP 22 in by its exact port, by a range covering
22, or by allowing all protocols, from any source: IPv4 or IPv6 ranges, prefix lists,
or other security groups. A rule referencing another group (a bastion, say) is still
SSH: the article's point is to remove SSH, its keys and brute-force surface
altogether in favour of Session Manager, not to narrow who may try.
"""

from __future__ import annotations

from app.aws.inventory.model import Instance, Inventory, ManagedInstance, RegionInventory
from app.controls.checks.ip_rules import (
    describe_permission,
    permission_admits_tcp_port,
    permission_sources,
    summarize,
)
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "no-ssh"
SSH_PORT = 22
_GONE = frozenset({"terminated", "shutting-down"})


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    groups = Rows(CONTROL, "sg-no-ssh", inventory, settings.now)
    instances = Rows(CONTROL, "instance-session-manager", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        results.extend(_group_rows(groups, region))
        results.extend(_instance_rows(instances, region))
    return results


def _group_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.security_groups.ok:
        return [rows.error(name, name, "security groups", region.security_groups)]
    groups = region.security_groups.require()
    if not groups:
        return [rows.none_in_region(name, "security groups", region.security_groups)]
    results = []
    for group in groups:
        arn = rows.ec2_arn(name, "security-group", group.group_id)
        admitting = [p for p in group.inbound if permission_admits_tcp_port(p, SSH_PORT)]
        excerpt = pick(group.raw, "GroupId", "GroupName", "VpcId")
        excerpt["IpPermissions"] = [dict(p.raw) for p in admitting]
        evidence = (rows.evidence(region.security_groups, excerpt),)
        if not admitting:
            detail = f"{group.group_id} ({group.group_name}): no inbound rule admits TCP 22"
            results.append(rows.row(name, arn, Status.PASS, detail, evidence))
            continue
        sources = [summarize(permission_sources(p, group.owner_id)) for p in admitting]
        findings = [
            f"{describe_permission(p)} from {where or 'no source'}"
            for p, where in zip(admitting, sources, strict=True)
        ]
        detail = f"{group.group_id} ({group.group_name}) admits SSH: " + "; ".join(findings)
        results.append(rows.row(name, arn, Status.FAIL, detail, evidence))
    return results


def _instance_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.instances.ok:
        return [rows.error(name, name, "EC2 instances", region.instances)]
    instances = [i for i in region.instances.require() if i.state not in _GONE]
    if not instances:
        return [rows.none_in_region(name, "EC2 instances", region.instances)]
    return [_instance_row(rows, region, instance) for instance in instances]


def _instance_row(rows: Rows, region: RegionInventory, instance: Instance) -> CheckResult:
    name = region.region
    arn = rows.ec2_arn(name, "instance", instance.instance_id)
    what = f"Systems Manager registration of {instance.instance_id}"
    if not region.managed_instances.ok:
        return rows.error(name, arn, what, region.managed_instances)
    managed: dict[str, ManagedInstance] = {
        m.instance_id: m for m in region.managed_instances.require()
    }
    record = managed.get(instance.instance_id)
    instance_evidence = rows.evidence(
        region.instances, pick(instance.raw, "InstanceId", "State", "IamInstanceProfile")
    )
    if record is None:
        evidence = (instance_evidence, rows.evidence(region.managed_instances, []))
        profile = instance.iam_instance_profile_arn or "no instance profile"
        detail = (
            f"{instance.instance_id} ({instance.state}) is not managed by Systems Manager, "
            f"so Session Manager cannot reach it ({profile})"
        )
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    ssm_excerpt = pick(record.raw, "InstanceId", "PingStatus", "LastPingDateTime", "AgentVersion")
    evidence = (instance_evidence, rows.evidence(region.managed_instances, ssm_excerpt))
    if record.ping_status == "Online" or instance.state != "running":
        detail = (
            f"{instance.instance_id} ({instance.state}) is managed by Systems Manager "
            f"(agent {record.agent_version or 'unknown'}, {record.ping_status})"
        )
        return rows.row(name, arn, Status.PASS, detail, evidence)
    detail = (
        f"{instance.instance_id} is running but its Systems Manager agent is "
        f"{record.ping_status}: Session Manager cannot reach it"
    )
    return rows.row(name, arn, Status.FAIL, detail, evidence)
