"""vpc-flow-logs: every VPC in every region has an active flow log of all traffic.

A VPC-level flow log with TrafficType ALL that AWS reports ACTIVE and delivering passes;
so does an ACCEPT log plus a REJECT log (together they record all traffic). Logs that
only record rejected or accepted traffic, or whose delivery fails, do not.

Delivering means `DeliverLogsStatus` SUCCESS and no `DeliverLogsErrorMessage`. Older
answers leave the status out and report a failing delivery only by the error message
("Access error", "Rate limited"): a log with an error message fails whatever its
status, and a log without a status is not counted as delivering (the answer did not
say it is), so its VPC is ERROR rather than PASS.
"""

from __future__ import annotations

from app.aws.inventory.model import FlowLog, Inventory, RegionInventory, Vpc
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "vpc-flow-logs"
_EXCERPT = (
    "FlowLogId",
    "ResourceId",
    "TrafficType",
    "FlowLogStatus",
    "LogDestinationType",
    "LogDestination",
    "LogGroupName",
    "DeliverLogsStatus",
    "DeliverLogsErrorMessage",
)


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, "vpc-flow-log-all-traffic", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        results.extend(_region_rows(rows, inventory.regions[name]))
    return results


def _region_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.vpcs.ok:
        return [rows.error(name, name, "VPCs", region.vpcs)]
    vpcs = region.vpcs.require()
    if not vpcs:
        return [rows.none_in_region(name, "VPCs", region.vpcs)]
    return [_vpc_row(rows, region, vpc) for vpc in vpcs]


def _destination(log: FlowLog) -> str:
    kind = {"cloud-watch-logs": "CloudWatch Logs", "s3": "S3"}.get(
        log.destination_type, log.destination_type or "unknown destination"
    )
    return f"{kind} {log.destination}".strip()


def _vpc_row(rows: Rows, region: RegionInventory, vpc: Vpc) -> CheckResult:
    name = region.region
    arn = rows.ec2_arn(name, "vpc", vpc.vpc_id)
    if not region.flow_logs.ok:
        return rows.error(name, arn, f"flow logs for {vpc.vpc_id}", region.flow_logs)
    logs = [log for log in region.flow_logs.require() if log.resource_id == vpc.vpc_id]
    evidence = (rows.evidence(region.flow_logs, [pick(log.raw, *_EXCERPT) for log in logs]),)
    active = [log for log in logs if log.flow_log_status.upper() == "ACTIVE"]
    delivering = [log for log in active if _delivers(log)]
    full = [log for log in delivering if log.traffic_type.upper() == "ALL"]
    if full:
        where = "; ".join(f"{log.flow_log_id} to {_destination(log)}" for log in full)
        return rows.row(name, arn, Status.PASS, f"all traffic logged: {where}", evidence)
    kinds = {log.traffic_type.upper() for log in delivering}
    if {"ACCEPT", "REJECT"} <= kinds:
        where = "; ".join(
            f"{log.flow_log_id} ({log.traffic_type}) to {_destination(log)}" for log in delivering
        )
        detail = f"all traffic logged by an ACCEPT and a REJECT flow log: {where}"
        return rows.row(name, arn, Status.PASS, detail, evidence)
    if not logs:
        return rows.row(name, arn, Status.FAIL, f"no flow log on {vpc.vpc_id}", evidence)
    unsaid = [
        log for log in active if log.deliver_logs_status is None and not log.deliver_logs_error
    ]
    if unsaid:
        detail = (
            f"{_shortfall(vpc, logs)}; the answer does not give the delivery status "
            f"(DeliverLogsStatus) of {', '.join(log.flow_log_id for log in unsaid)}"
        )
        return rows.row(name, arn, Status.ERROR, detail, evidence)
    return rows.row(name, arn, Status.FAIL, _shortfall(vpc, logs), evidence)


def _delivers(log: FlowLog) -> bool:
    """Delivery reported working: SUCCESS and no error message."""
    return (log.deliver_logs_status or "").upper() == "SUCCESS" and not log.deliver_logs_error


def _shortfall(vpc: Vpc, logs: list[FlowLog]) -> str:
    """Why the VPC's flow logs fall short, log by log."""
    reasons = []
    for log in logs:
        if log.flow_log_status.upper() != "ACTIVE":
            reasons.append(f"{log.flow_log_id} is {log.flow_log_status or 'not active'}")
        elif log.deliver_logs_error or (log.deliver_logs_status or "").upper() == "FAILED":
            error = log.deliver_logs_error or "no reason given"
            reasons.append(f"{log.flow_log_id} fails to deliver ({error})")
        elif log.deliver_logs_status is None:
            reasons.append(f"{log.flow_log_id} does not report its delivery")
        else:
            reasons.append(f"{log.flow_log_id} records only {log.traffic_type} traffic")
    return f"no active flow log of ALL traffic on {vpc.vpc_id}: " + "; ".join(reasons)
