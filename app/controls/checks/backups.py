"""backups: AWS Backup covers every resource holding data; S3 replicates across regions.

`backup-coverage` (per resource: EBS volume, S3 bucket, database, DynamoDB table, EFS
file system) is explained in `backup_coverage`. `backup-plan` (per region holding any
of them) sums it up: a plan with a rule whose target vault exists, and every resource
of the region covered. A region whose resources are only partly covered FAILS naming
the others (a selection of DynamoDB tables does not back up the region's volumes); if
what the selections assign or what AWS Backup protected cannot be read, the row is
ERROR, saying what was found. Regions without data are NOT_APPLICABLE.
`s3-replication` (per bucket): an enabled replication rule covering the whole bucket to
a bucket in another region passes; a rule limited to a prefix or tags fails naming what
it leaves out; a destination outside this inventory cannot be placed, so that row is
ERROR with the destination named. Restore testing is a manual evidence item of the
catalogue, not checked here.
"""

from __future__ import annotations

from app.aws.fetched import Fetched
from app.aws.inventory.model import BackupPlan, Bucket, Inventory, RegionInventory
from app.controls.checks.backup_coverage import (
    Holdings,
    coverage_row,
    holdings,
    unplaced_bucket_rows,
)
from app.controls.checks.encryption import bucket_region
from app.controls.checks.ip_rules import summarize
from app.controls.checks.rows import Rows, first_error, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "backups"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    plans = Rows(CONTROL, "backup-plan", inventory, settings.now)
    coverage = Rows(CONTROL, "backup-coverage", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        held = holdings(coverage, region)
        covered = _coverage_rows(coverage, region, held)
        results.append(_plan_row(plans, region, held, covered))
        results.extend(covered)
    results.extend(unplaced_bucket_rows(coverage))
    results.extend(_replication_rows(Rows(CONTROL, "s3-replication", inventory, settings.now)))
    return results


def _usable_plans(region: RegionInventory) -> list[tuple[BackupPlan, str]]:
    """Plans with a rule whose target vault exists, with a description of that rule."""
    vaults = {v.name for v in region.backup_vaults.require()}
    usable = []
    for plan in region.backup_plans.require():
        if not plan.rules.ok:
            continue
        for rule in plan.rules.require():
            if rule.target_vault_name in vaults:
                schedule = rule.schedule_expression or "no schedule"
                usable.append(
                    (
                        plan,
                        f"plan {plan.name} rule {rule.rule_name} ({schedule}) "
                        f"to vault {rule.target_vault_name}",
                    )
                )
                break
    return usable


def _coverage_rows(rows: Rows, region: RegionInventory, held: Holdings) -> list[CheckResult]:
    name = region.region
    results = [rows.error(name, name, what, fetched) for what, fetched in held.unreadable]
    if not held.found:
        if not held.unreadable:
            results.append(rows.none_in_region(name, "resources holding data", region.volumes))
        return results
    failed = first_error(region.backup_plans, region.backup_vaults)
    if failed is not None:
        results.extend(
            rows.error(name, h.arn, f"AWS Backup for {h.label}", failed) for h in held.found
        )
        return results
    usable = [plan for plan, _ in _usable_plans(region)]
    results.extend(coverage_row(rows, region, usable, h) for h in held.found)
    return results


def _plan_row(
    rows: Rows, region: RegionInventory, held: Holdings, covered: list[CheckResult]
) -> CheckResult:
    name = region.region
    data = _kinds(held)
    if not held.found:
        if held.unreadable:
            detail = "could not tell whether the region holds data: " + "; ".join(
                f"{what} unreadable: {fetched.error}" for what, fetched in held.unreadable
            )
            first = held.unreadable[0][1]
            return rows.row(
                name, name, Status.ERROR, detail, [rows.evidence(first, {"error": first.error})]
            )
        detail = (
            f"no EBS volumes, S3 buckets, databases, DynamoDB tables or EFS file systems in "
            f"{name}: nothing to back up"
        )
        return rows.row(
            name, name, Status.NOT_APPLICABLE, detail, [rows.evidence(region.volumes, [])]
        )
    holding = f"{data} here"
    failed = first_error(region.backup_plans, region.backup_vaults)
    if failed is not None:
        return rows.error(name, name, f"AWS Backup ({holding})", failed)
    evidence: list[Evidence] = [
        rows.evidence(
            region.backup_plans,
            [pick(p.raw, "BackupPlanId", "BackupPlanName") for p in region.backup_plans.require()],
        ),
        rows.evidence(region.backup_vaults, [v.name for v in region.backup_vaults.require()]),
    ]
    usable = _usable_plans(region)
    if not usable:
        return _no_usable_plan(rows, region, holding, evidence)
    for plan, _ in usable:
        evidence.append(rows.evidence(plan.rules, [dict(r.raw) for r in plan.rules.require()]))
    words = "; ".join(w for _, w in usable)
    mine = [r for r in covered if r.resource != name]
    passed = [r for r in mine if r.status == Status.PASS]
    short = [r for r in mine if r.status == Status.FAIL]
    unknown = [r for r in mine if r.status == Status.ERROR]
    if short:
        labels = {h.arn: h.label for h in held.found}
        names = summarize([labels.get(r.resource, r.resource) for r in short])
        detail = f"{holding}; {words}; but {len(short)} of {len(mine)} are not backed up: {names}"
        return rows.row(name, name, Status.FAIL, detail, evidence)
    if unknown or held.unreadable:
        reason = unknown[0].detail if unknown else f"{held.unreadable[0][0]} unreadable"
        detail = (
            f"{holding}; {words}; but whether every resource is backed up could not be "
            f"verified: {reason}"
        )
        return rows.row(name, name, Status.ERROR, detail, evidence)
    detail = (
        f"{holding}; {words}; all {len(passed)} resources here are backed up (see backup-coverage)"
    )
    return rows.row(name, name, Status.PASS, detail, evidence)


def _kinds(held: Holdings) -> str:
    counts: dict[str, int] = {}
    for h in held.found:
        counts[h.kind] = counts.get(h.kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _no_usable_plan(
    rows: Rows, region: RegionInventory, holding: str, evidence: list[Evidence]
) -> CheckResult:
    name = region.region
    unread = [p for p in region.backup_plans.require() if not p.rules.ok]
    if unread:
        evidence.append(rows.evidence(unread[0].rules, {"error": unread[0].rules.error}))
        detail = (
            f"{holding}; no usable backup plan found, and the rules of "
            f"{', '.join(p.name for p in unread)} could not be read: {unread[0].rules.error}"
        )
        return rows.row(name, name, Status.ERROR, detail, evidence)
    plans = len(region.backup_plans.require())
    detail = (
        f"{holding} but no backup plan with a rule targeting an existing vault "
        f"({plans} plans, {len(region.backup_vaults.require())} vaults)"
    )
    return rows.row(name, name, Status.FAIL, detail, evidence)


def _replication_rows(rows: Rows) -> list[CheckResult]:
    listing = rows.inventory.s3.buckets
    regions = {b.arn(rows.inventory.partition): b.region for b in listing.value or ()}
    return rows.per_bucket(listing, lambda bucket: _replication_row(rows, bucket, regions))


def _replication_row(rows: Rows, bucket: Bucket, regions: dict[str, Fetched[str]]) -> CheckResult:
    region = bucket_region(bucket)
    arn = bucket.arn(rows.inventory.partition)
    fetched = bucket.replication
    if not fetched.ok:
        return rows.error(region, arn, f"the replication of {bucket.name}", fetched)
    config = fetched.value
    evidence = [
        rows.evidence(fetched, dict(config.raw) if config else {"ReplicationConfiguration": None})
    ]
    if config is None:
        return rows.row(
            region, arn, Status.FAIL, f"{bucket.name} has no replication configured", evidence
        )
    enabled = [r for r in config.rules if r.status == "Enabled"]
    if not enabled:
        return rows.row(
            region, arn, Status.FAIL, f"{bucket.name}: every replication rule is disabled", evidence
        )
    if not bucket.region.ok:
        return rows.error(region, arn, f"the region of {bucket.name}", bucket.region)
    same: list[str] = []
    unplaced: list[str] = []
    partial: list[str] = []
    unstated: list[str] = []
    for rule in enabled:
        destination = regions.get(rule.destination_bucket_arn)
        if destination is None or not destination.ok:
            unplaced.append(rule.destination_bucket_arn)
            continue
        dest_region = destination.value
        if dest_region == region:
            same.append(rule.destination_bucket_arn)
            continue
        where = f"{rule.destination_bucket_arn} in {dest_region} (rule {rule.rule_id})"
        if not rule.scope_stated:
            unstated.append(where)
            continue
        if rule.only is not None:
            partial.append(f"only objects with {rule.only} to {where}")
            continue
        detail = f"{bucket.name} ({region}) replicates the whole bucket to {where}"
        return rows.row(region, arn, Status.PASS, detail, evidence)
    if unplaced:
        detail = (
            f"{bucket.name} replicates to {', '.join(unplaced)}, outside this inventory: "
            "its region could not be verified"
        )
        return rows.row(region, arn, Status.ERROR, detail, evidence)
    if unstated:
        detail = (
            f"{bucket.name} replicates to {'; '.join(unstated)}, but the answer gives neither "
            "Filter nor Prefix for the rule, so what it replicates is unknown"
        )
        return rows.row(region, arn, Status.ERROR, detail, evidence)
    if partial:
        detail = (
            f"{bucket.name} replicates {'; '.join(partial)}: every other object has no copy "
            "in another region"
        )
        return rows.row(region, arn, Status.FAIL, detail, evidence)
    detail = (
        f"{bucket.name} replicates only within {region} (to {', '.join(same)}): not cross-region"
    )
    return rows.row(region, arn, Status.FAIL, detail, evidence)
