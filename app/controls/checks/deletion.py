"""deletion-protection: KMS keys not disabled or pending deletion, Object Lock on
sensitive buckets, EBS snapshot locks in compliance mode, and databases and DynamoDB
tables protected from deletion with their own backups on (`deletion_data`).

S3: the article requires Object Lock in compliance mode for sensitive data that
must be immutable, and warns against it for temporary data (test assets, static
sites) because such buckets can then never be emptied. So buckets the engagement
marks sensitive need Object Lock enabled with a COMPLIANCE default retention; other
buckets pass with their lock state recorded and the reason they pass stated.
Snapshots: every owned snapshot needs a compliance-mode lock (governance locks can
be lifted, cool-off locks can still be deleted); where the API cannot be read the
rows are ERROR.
"""

from __future__ import annotations

from app.aws.inventory.model import Bucket, Inventory, KmsKey, RegionInventory, Snapshot
from app.controls.checks import deletion_data
from app.controls.checks.encryption import bucket_region
from app.controls.checks.kms_keys import (
    aws_aliased_key_ids,
    is_customer_managed,
    key_label,
    unknown_metadata,
)
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "deletion-protection"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    keys = Rows(CONTROL, "kms-key-deletion", inventory, settings.now)
    locks = Rows(CONTROL, "ebs-snapshot-lock", inventory, settings.now)
    databases = Rows(CONTROL, "rds-deletion-protection", inventory, settings.now)
    tables = Rows(CONTROL, "dynamodb-deletion-protection", inventory, settings.now)
    results: list[CheckResult] = []
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        results.extend(_key_rows(keys, region))
        results.extend(_snapshot_rows(locks, region))
        results.extend(deletion_data.database_rows(databases, region))
        results.extend(deletion_data.table_rows(tables, region))
    buckets = Rows(CONTROL, "s3-object-lock", inventory, settings.now)
    results.extend(_bucket_rows(buckets, settings))
    return results


def _key_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.kms_keys.ok:
        return [rows.error(name, name, "KMS keys", region.kms_keys)]
    aws_aliased = aws_aliased_key_ids(region)
    results = [
        row
        for key in region.kms_keys.require()
        if (row := _key_row(rows, region, key, aws_aliased)) is not None
    ]
    return results or [rows.none_in_region(name, "customer-managed KMS keys", region.kms_keys)]


def _key_row(
    rows: Rows, region: RegionInventory, key: KmsKey, aws_aliased: frozenset[str]
) -> CheckResult | None:
    name = region.region
    label = key_label(region, key)
    if not key.metadata.ok:
        return rows.error(name, key.arn, f"the metadata of {label}", key.metadata)
    meta = key.metadata.require()
    excerpt = pick(meta.raw, "KeyId", "KeyManager", "KeyState", "Enabled", "DeletionDate")
    evidence = (rows.evidence(key.metadata, excerpt),)
    unknown = unknown_metadata(meta)
    if unknown:
        detail = f"{label}: the DescribeKey answer does not say its {unknown}"
        return rows.row(name, key.arn, Status.ERROR, detail, evidence)
    if not is_customer_managed(meta, key, aws_aliased):
        return None
    state = meta.key_state
    if state in ("PendingDeletion", "PendingReplicaDeletion"):
        when = meta.deletion_date.date().isoformat() if meta.deletion_date else "an unknown date"
        detail = f"{label} is scheduled for deletion on {when}: cancel it if data depends on it"
        return rows.row(name, key.arn, Status.FAIL, detail, evidence)
    if state == "Disabled":
        detail = f"{label} is disabled: data encrypted under it cannot be decrypted"
        return rows.row(name, key.arn, Status.FAIL, detail, evidence)
    if state != "Enabled":
        detail = f"{label} is in state {state}: not usable"
        return rows.row(name, key.arn, Status.FAIL, detail, evidence)
    return rows.row(
        name, key.arn, Status.PASS, f"{label} is enabled, no deletion scheduled", evidence
    )


def _snapshot_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.snapshots.ok:
        return [rows.error(name, name, "EBS snapshots", region.snapshots)]
    account = rows.inventory.account_id
    owned = [s for s in region.snapshots.require() if s.owner_id == account]
    if not owned:
        return [rows.none_in_region(name, "EBS snapshots owned by the account", region.snapshots)]
    return [_snapshot_row(rows, region, snapshot) for snapshot in owned]


def _snapshot_row(rows: Rows, region: RegionInventory, snapshot: Snapshot) -> CheckResult:
    name = region.region
    arn = f"arn:{rows.inventory.partition}:ec2:{name}::snapshot/{snapshot.snapshot_id}"
    if not region.snapshot_locks.ok:
        return rows.error(name, arn, f"the lock of {snapshot.snapshot_id}", region.snapshot_locks)
    lock = next(
        (x for x in region.snapshot_locks.require() if x.snapshot_id == snapshot.snapshot_id), None
    )
    if lock is None:
        evidence = (rows.evidence(region.snapshot_locks, []),)
        detail = f"{snapshot.snapshot_id} has no snapshot lock"
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    excerpt = pick(lock.raw, "SnapshotId", "LockState", "LockDuration", "LockExpiresOn")
    evidence = (rows.evidence(region.snapshot_locks, excerpt),)
    expires = lock.lock_expires_on
    until = f" until {expires.date().isoformat()}" if expires else ""
    if expires is not None and expires <= rows.now:
        detail = f"{snapshot.snapshot_id}: its lock expired on {expires.date().isoformat()}"
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    if lock.lock_state == "compliance":
        return rows.row(
            name,
            arn,
            Status.PASS,
            f"{snapshot.snapshot_id} locked in compliance mode{until}",
            evidence,
        )
    if lock.lock_state == "compliance-cooloff":
        ends = lock.cool_off_period_expires_on
        after = f" after {ends.isoformat()}" if ends else ""
        detail = (
            f"{snapshot.snapshot_id} is in its compliance-lock cool-off period: it can still be "
            f"unlocked or deleted; it becomes immutable{after}"
        )
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    if lock.lock_state == "governance":
        detail = (
            f"{snapshot.snapshot_id} locked in governance mode{until}: users allowed "
            "ec2:UnlockSnapshot can lift it; the article asks for compliance mode"
        )
        return rows.row(name, arn, Status.FAIL, detail, evidence)
    detail = f"{snapshot.snapshot_id}: lock state {lock.lock_state}"
    return rows.row(name, arn, Status.FAIL, detail, evidence)


def _bucket_rows(rows: Rows, settings: CheckSettings) -> list[CheckResult]:
    return rows.per_bucket(
        rows.inventory.s3.buckets,
        lambda bucket: _bucket_row(rows, bucket, bucket.name in settings.sensitive_buckets),
    )


def _bucket_row(rows: Rows, bucket: Bucket, sensitive: bool) -> CheckResult:
    region = bucket_region(bucket)
    arn = bucket.arn(rows.inventory.partition)
    fetched = bucket.object_lock
    if not fetched.ok:
        return rows.error(region, arn, f"the Object Lock configuration of {bucket.name}", fetched)
    lock = fetched.value
    evidence = (
        rows.evidence(fetched, dict(lock.raw) if lock else {"ObjectLockConfiguration": None}),
    )
    if lock is None or not lock.enabled:
        state = "Object Lock not enabled"
    elif lock.mode is None:
        state = "Object Lock enabled without a default retention"
    else:
        span = f"{lock.days} days" if lock.days else f"{lock.years} years" if lock.years else "?"
        state = f"Object Lock {lock.mode} mode, default retention {span}"
    if not sensitive:
        detail = (
            f"{bucket.name}: {state}; not marked sensitive in this engagement, so Object Lock "
            "is not required (the article advises against it for temporary data)"
        )
        return rows.row(region, arn, Status.PASS, detail, evidence)
    if lock is not None and lock.enabled and lock.mode == "COMPLIANCE":
        return rows.row(region, arn, Status.PASS, f"{bucket.name} (sensitive): {state}", evidence)
    detail = f"{bucket.name} is marked sensitive and needs Object Lock in COMPLIANCE mode: {state}"
    return rows.row(region, arn, Status.FAIL, detail, evidence)
