"""backups: AWS Backup covers every region holding data; S3 replicates across regions.

`backup-plan` (per region holding EBS volumes or S3 buckets): a backup plan with at
least one rule whose target vault exists, and resources assigned to that plan. If
the assignments cannot be listed the row is ERROR, saying what was found: a plan
and vault alone do not prove anything is backed up. Regions without data are
NOT_APPLICABLE. `s3-replication` (per bucket): an enabled replication rule to a
bucket in another region passes; a destination outside this inventory cannot be
placed, so that row is ERROR with the destination named. Restore testing is a
manual evidence item of the catalogue, not checked here.
"""

from __future__ import annotations

from app.aws.fetched import Fetched
from app.aws.inventory.model import BackupPlan, Bucket, Inventory, RegionInventory
from app.controls.checks.encryption import bucket_region, listed_bucket
from app.controls.checks.rows import Rows, first_error, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Evidence, Status

CONTROL = "backups"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    plans = Rows(CONTROL, "backup-plan", inventory, settings.now)
    results = [_plan_row(plans, inventory.regions[name]) for name in sorted(inventory.regions)]
    results.extend(_replication_rows(Rows(CONTROL, "s3-replication", inventory, settings.now)))
    return results


def _data_in_region(rows: Rows, region: RegionInventory) -> tuple[list[str], list[str]]:
    """(what data the region holds, why that could not be fully established)."""
    data: list[str] = []
    unknown: list[str] = []
    if region.volumes.ok:
        if volumes := region.volumes.require():
            data.append(f"{len(volumes)} EBS volumes")
    else:
        unknown.append(f"EBS volumes unreadable: {region.volumes.error}")
    listing = rows.inventory.s3.buckets
    if listing.ok:
        buckets = listing.require()
        here = [b.name for b in buckets if b.region.ok and b.region.value == region.region]
        if here:
            data.append(f"{len(here)} S3 buckets")
        unplaced = [b.name for b in buckets if not b.region.ok]
        if unplaced:
            unknown.append(f"region of buckets {', '.join(unplaced)} unreadable")
    else:
        unknown.append(f"S3 bucket list unreadable: {listing.error}")
    return data, unknown


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


def _plan_row(rows: Rows, region: RegionInventory) -> CheckResult:
    name = region.region
    data, unknown = _data_in_region(rows, region)
    if not data:
        if unknown:
            detail = "could not tell whether the region holds data: " + "; ".join(unknown)
            failed = first_error(region.volumes, rows.inventory.s3.buckets)
            proof = [rows.evidence(failed, {"error": failed.error})] if failed else []
            return rows.row(name, name, Status.ERROR, detail, proof)
        detail = f"no EBS volumes or S3 buckets in {name}: nothing to back up"
        return rows.row(
            name, name, Status.NOT_APPLICABLE, detail, [rows.evidence(region.volumes, [])]
        )
    holding = " and ".join(data)
    failed = first_error(region.backup_plans, region.backup_vaults)
    if failed is not None:
        return rows.error(name, name, f"AWS Backup ({holding} here)", failed)
    evidence: list[Evidence] = [
        rows.evidence(
            region.backup_plans,
            [pick(p.raw, "BackupPlanId", "BackupPlanName") for p in region.backup_plans.require()],
        ),
        rows.evidence(region.backup_vaults, [v.name for v in region.backup_vaults.require()]),
    ]
    usable = _usable_plans(region)
    if not usable:
        unread = [p for p in region.backup_plans.require() if not p.rules.ok]
        if unread:
            evidence.append(rows.evidence(unread[0].rules, {"error": unread[0].rules.error}))
            detail = (
                f"{holding} here; no usable backup plan found, and the rules of "
                f"{', '.join(p.name for p in unread)} could not be read: {unread[0].rules.error}"
            )
            return rows.row(name, name, Status.ERROR, detail, evidence)
        plans = len(region.backup_plans.require())
        detail = (
            f"{holding} here but no backup plan with a rule targeting an existing vault "
            f"({plans} plans, {len(region.backup_vaults.require())} vaults)"
        )
        return rows.row(name, name, Status.FAIL, detail, evidence)
    for plan, _ in usable:
        evidence.append(rows.evidence(plan.rules, [dict(r.raw) for r in plan.rules.require()]))
    assigned = [(p, w) for p, w in usable if p.selections.ok and p.selections.require()]
    if assigned:
        plan, words = assigned[0]
        selections = plan.selections.require()
        evidence.append(rows.evidence(plan.selections, [s.selection_name for s in selections]))
        detail = f"{holding} here; {words}, with {len(selections)} resource assignments"
        return rows.row(name, name, Status.PASS, detail, evidence)
    unread_selections = [p for p, _ in usable if not p.selections.ok]
    words = "; ".join(w for _, w in usable)
    if unread_selections:
        fetched = unread_selections[0].selections
        evidence.append(rows.evidence(fetched, {"error": fetched.error}))
        detail = (
            f"{holding} here; {words}; but resource assignment could not be verified: "
            f"{fetched.error}"
        )
        return rows.row(name, name, Status.ERROR, detail, evidence)
    evidence.append(rows.evidence(usable[0][0].selections, []))
    detail = f"{holding} here; {words}; but no resources are assigned to it"
    return rows.row(name, name, Status.FAIL, detail, evidence)


def _replication_rows(rows: Rows) -> list[CheckResult]:
    inventory = rows.inventory
    listing = inventory.s3.buckets
    if not listing.ok:
        return [rows.error("global", inventory.account_id, "the S3 bucket list", listing)]
    buckets = listing.require()
    if not buckets:
        return [rows.none_in_region("global", "S3 buckets", listing)]
    regions = {f"arn:{inventory.partition}:s3:::{b.name}": b.region for b in buckets}
    return [_replication_row(rows, bucket, regions) for bucket in buckets]


def _replication_row(rows: Rows, bucket: Bucket, regions: dict[str, Fetched[str]]) -> CheckResult:
    region = bucket_region(bucket)
    arn = bucket.arn(rows.inventory.partition)
    fetched = bucket.replication
    if not fetched.ok:
        return rows.error(region, arn, f"the replication of {bucket.name}", fetched)
    config = fetched.value
    evidence = [
        listed_bucket(rows, bucket),
        rows.evidence(fetched, dict(config.raw) if config else {"ReplicationConfiguration": None}),
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
    for rule in enabled:
        destination = regions.get(rule.destination_bucket_arn)
        if destination is None or not destination.ok:
            unplaced.append(rule.destination_bucket_arn)
            continue
        dest_region = destination.value
        if dest_region != region:
            detail = (
                f"{bucket.name} ({region}) replicates to {rule.destination_bucket_arn} "
                f"in {dest_region} (rule {rule.rule_id})"
            )
            return rows.row(region, arn, Status.PASS, detail, evidence)
        same.append(rule.destination_bucket_arn)
    if unplaced:
        detail = (
            f"{bucket.name} replicates to {', '.join(unplaced)}, outside this inventory: "
            "its region could not be verified"
        )
        return rows.row(region, arn, Status.ERROR, detail, evidence)
    detail = (
        f"{bucket.name} replicates only within {region} (to {', '.join(same)}): not cross-region"
    )
    return rows.row(region, arn, Status.FAIL, detail, evidence)
