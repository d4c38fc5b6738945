"""backups, `backup-coverage`: every resource holding data is backed up by AWS Backup.

The population is what the region holds: EBS volumes, S3 buckets, RDS, Aurora, Neptune
and DocumentDB databases, DynamoDB tables and EFS file systems. A resource passes when
a selection of a usable plan (a rule whose target vault exists) assigns it
(`GetBackupSelection`, judged against its ARN and tags) AND AWS Backup holds a recovery
point of it from the last 35 days (`ListProtectedResources`): the assignment alone does
not prove a backup ran (service opt-in, a broken role), a recovery point alone may be a
one-off. An EBS volume also counts as covered through the instance it is attached to
(an EC2 backup includes its volumes). The services' own continuous backups (RDS
automated backups, DynamoDB point-in-time recovery) do not count here: they live and
die with the resource and are judged under deletion protection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model import BackupPlan, ProtectedResource, RegionInventory
from app.controls.checks.backup_selection import describe_rules, selects
from app.controls.checks.databases import databases
from app.controls.checks.rows import Rows, first_error, pick
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

# The longest common schedule (monthly) plus a few days' grace.
RECENT = timedelta(days=35)


@dataclass(frozen=True)
class Holding:
    """A resource holding data; `via`: other ARNs whose backup includes it."""

    arn: str
    label: str
    kind: str  # "EBS volumes", "S3 buckets", "databases"...: for counts in words
    evidence: Evidence
    via: tuple[str, ...] = ()


@dataclass
class Holdings:
    """What the region holds, and the listings that could not be read."""

    found: list[Holding] = field(default_factory=list)
    unreadable: list[tuple[str, Fetched[Any]]] = field(default_factory=list)


def holdings(rows: Rows, region: RegionInventory) -> Holdings:
    held = Holdings()
    name = region.region
    if region.volumes.ok:
        instances = {i.instance_id for i in region.instances.value or ()}
        for volume in region.volumes.require():
            via = tuple(
                rows.ec2_arn(name, "instance", i)
                for i in volume.attached_instance_ids
                if i in instances or not region.instances.ok
            )
            excerpt = pick(volume.raw, "VolumeId", "Attachments")
            arn = rows.ec2_arn(name, "volume", volume.volume_id)
            label = f"EBS volume {volume.volume_id}"
            evidence = rows.evidence(region.volumes, excerpt)
            held.found.append(Holding(arn, label, "EBS volumes", evidence, via))
    else:
        held.unreadable.append(("EBS volumes", region.volumes))
    _buckets(rows, region, held)
    failed = first_error(region.db_instances, region.db_clusters)
    if failed is None:
        for db in databases(region):
            evidence = rows.evidence(db.listing, db.excerpt())
            held.found.append(Holding(db.arn, db.label, "databases", evidence))
    else:
        held.unreadable.append(("RDS databases", failed))
    if region.dynamodb_tables.ok:
        for table in region.dynamodb_tables.require():
            evidence = rows.evidence(region.dynamodb_tables, {"TableName": table.name})
            label = f"DynamoDB table {table.name}"
            held.found.append(Holding(table.arn, label, "DynamoDB tables", evidence))
    else:
        held.unreadable.append(("DynamoDB tables", region.dynamodb_tables))
    if region.file_systems.ok:
        for fs in region.file_systems.require():
            evidence = rows.evidence(region.file_systems, pick(fs.raw, "FileSystemId", "Name"))
            label = f"EFS file system {fs.file_system_id}"
            held.found.append(Holding(fs.arn, label, "EFS file systems", evidence))
    else:
        held.unreadable.append(("EFS file systems", region.file_systems))
    return held


def unplaced_bucket_rows(rows: Rows) -> list[CheckResult]:
    """An ERROR row for each bucket whose region could not be read: no region's population
    holds it, and it must not vanish."""
    listing = rows.inventory.s3.buckets
    if not listing.ok:
        return []
    partition = rows.inventory.partition
    return [
        rows.error("global", b.arn(partition), f"the region of S3 bucket {b.name}", b.region)
        for b in listing.require()
        if not b.region.ok or not b.region.value
    ]


def _buckets(rows: Rows, region: RegionInventory, held: Holdings) -> None:
    listing = rows.inventory.s3.buckets
    if not listing.ok:
        held.unreadable.append(("S3 buckets", listing))
        return
    for bucket in listing.require():
        if bucket.region.ok and bucket.region.value == region.region:
            evidence = rows.evidence(listing, {"Name": bucket.name})
            arn = bucket.arn(rows.inventory.partition)
            held.found.append(Holding(arn, f"S3 bucket {bucket.name}", "S3 buckets", evidence))


@dataclass
class Assigned:
    """How the usable plans' selections treat one resource."""

    by: list[str] = field(default_factory=list)  # "plan daily, selection prod (tag ...)"
    unknown: list[str] = field(default_factory=list)  # why some selection could not be judged
    evidence: list[Evidence] = field(default_factory=list)


def assignment(rows: Rows, plans: Iterable[BackupPlan], arns: tuple[str, ...]) -> Assigned:
    found = Assigned()
    for plan in plans:
        if not plan.selections.ok:
            found.unknown.append(f"the selections of plan {plan.name}: {plan.selections.error}")
            continue
        for selection in plan.selections.require():
            where = f"plan {plan.name}, selection {selection.selection_name}"
            if not selection.rules.ok:
                found.unknown.append(f"{where}: {selection.rules.error}")
                continue
            rules = selection.rules.require()
            tags_of = selection.resource_tags
            known = tags_of is not None and tags_of.ok
            tag_map = tags_of.require() if known and tags_of is not None else {}
            verdicts = [
                selects(rules, arn, tag_map.get(arn, {}) if known else None) for arn in arns
            ]
            if True in verdicts:
                found.by.append(f"{where} ({describe_rules(rules)})")
                found.evidence.append(rows.evidence(selection.rules, dict(rules.raw)))
            elif None in verdicts:
                why = tags_of.error if tags_of is not None else "they were not read"
                found.unknown.append(f"{where}: the resource tags could not be read ({why})")
    return found


def coverage_row(
    rows: Rows,
    region: RegionInventory,
    usable: list[BackupPlan],
    holding: Holding,
) -> CheckResult:
    name = region.region
    arns = (holding.arn, *holding.via)
    assigned = assignment(rows, usable, arns)
    evidence = [holding.evidence, *assigned.evidence]
    protected = region.protected_resources
    point = _recovery_point(protected, arns)
    if protected.ok:
        evidence.append(rows.evidence(protected, dict(point.raw) if point else []))
    label = holding.label
    if not assigned.by:
        if assigned.unknown:
            detail = f"{label}: whether a backup plan assigns it could not be read: " + "; ".join(
                assigned.unknown
            )
            return rows.row(name, holding.arn, Status.ERROR, detail, evidence)
        plans = ", ".join(p.name for p in usable) or "none usable"
        detail = f"{label}: no backup plan in {name} assigns it (plans: {plans})"
        if point is not None and point.last_backup is not None:
            detail += f"; AWS Backup holds a recovery point from {point.last_backup.date()} only"
        return rows.row(name, holding.arn, Status.FAIL, detail, evidence)
    by = "; ".join(assigned.by)
    if not protected.ok:
        detail = (
            f"{label}: assigned by {by}, but whether it was backed up could not be read: "
            f"{protected.error}"
        )
        evidence.append(rows.evidence(protected, {"error": protected.error}))
        return rows.row(name, holding.arn, Status.ERROR, detail, evidence)
    if point is None or point.last_backup is None:
        detail = (
            f"{label}: assigned by {by}, but AWS Backup holds no recovery point of it (the first "
            "backup has not run, or the jobs fail: check the plan's IAM role and service opt-in)"
        )
        return rows.row(name, holding.arn, Status.FAIL, detail, evidence)
    age = rows.now - point.last_backup
    when = point.last_backup.strftime("%Y-%m-%d %H:%M UTC")
    if age > RECENT:
        detail = (
            f"{label}: assigned by {by}, but its last recovery point is from {when} "
            f"({age.days} days ago)"
        )
        return rows.row(name, holding.arn, Status.FAIL, detail, evidence)
    vault = point.last_vault_arn.rsplit(":", 1)[-1] if point.last_vault_arn else "?"
    detail = (
        f"{label}: backed up by AWS Backup, assigned by {by}; last recovery point {when} "
        f"in vault {vault}"
    )
    return rows.row(name, holding.arn, Status.PASS, detail, evidence)


def _recovery_point(
    protected: Fetched[tuple[ProtectedResource, ...]], arns: tuple[str, ...]
) -> ProtectedResource | None:
    """The most recent recovery point of any of `arns` (None: none, or unreadable)."""
    if not protected.ok:
        return None
    dated = [(p.last_backup, p) for p in protected.require() if p.arn in arns and p.last_backup]
    return max(dated, key=lambda pair: pair[0])[1] if dated else None
