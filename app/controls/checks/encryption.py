"""encryption-at-rest: EBS by default, every volume and owned snapshot, S3 default
encryption per bucket, rotation of every enabled customer-managed symmetric key, and the
data stores (databases, DynamoDB tables, EFS: `encryption_data`).

S3: SSE-KMS and DSSE-KMS pass; SSE-S3 (AES256) passes with the article's caveat that
it lacks key-level auditability and separation of duties. A bucket for which the
endpoint reports no configuration at all passes too, stating why: since January 2023
AWS encrypts every new object with SSE-S3 when nothing else is configured (real
AWS now always answers AES256; only older or emulated endpoints say "none"). So does a
configuration whose rules name no algorithm (a rule may set only `BucketKeyEnabled`).
"""

from __future__ import annotations

from app.aws.inventory.model import Bucket, BucketPublicAccess, Inventory, KmsKey, RegionInventory
from app.controls.checks import encryption_data
from app.controls.checks.kms_keys import (
    aws_aliased_key_ids,
    is_customer_managed,
    key_label,
    unknown_metadata,
)
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "encryption-at-rest"
SSE_S3_NOTE = "SSE-S3 lacks key-level auditability and separation of duties; SSE-KMS has both"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    results: list[CheckResult] = []
    by_default = Rows(CONTROL, "ebs-encryption-by-default", inventory, settings.now)
    volumes = Rows(CONTROL, "ebs-volume-encrypted", inventory, settings.now)
    snapshots = Rows(CONTROL, "ebs-snapshot-encrypted", inventory, settings.now)
    rotation = Rows(CONTROL, "kms-key-rotation", inventory, settings.now)
    databases = Rows(CONTROL, "rds-storage-encrypted", inventory, settings.now)
    tables = Rows(CONTROL, "dynamodb-table-encrypted", inventory, settings.now)
    file_systems = Rows(CONTROL, "efs-encrypted", inventory, settings.now)
    for name in sorted(inventory.regions):
        region = inventory.regions[name]
        results.append(_default_row(by_default, region))
        results.extend(_volume_rows(volumes, region))
        results.extend(_snapshot_rows(snapshots, inventory, region))
        results.extend(_rotation_rows(rotation, region))
        results.extend(encryption_data.database_rows(databases, region))
        results.extend(encryption_data.table_rows(tables, region))
        results.extend(encryption_data.file_system_rows(file_systems, region))
    results.extend(_bucket_rows(Rows(CONTROL, "s3-default-encryption", inventory, settings.now)))
    return results


def _default_row(rows: Rows, region: RegionInventory) -> CheckResult:
    name = region.region
    fetched = region.ebs_encryption_by_default
    if not fetched.ok:
        return rows.error(name, name, "EBS encryption by default", fetched)
    evidence = (rows.evidence(fetched, {"EbsEncryptionByDefault": fetched.value}),)
    if fetched.value:
        return rows.row(
            name, name, Status.PASS, f"EBS encryption by default is on in {name}", evidence
        )
    detail = f"EBS encryption by default is off in {name}: new volumes may be unencrypted"
    return rows.row(name, name, Status.FAIL, detail, evidence)


def _volume_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.volumes.ok:
        return [rows.error(name, name, "EBS volumes", region.volumes)]
    volumes = region.volumes.require()
    if not volumes:
        return [rows.none_in_region(name, "EBS volumes", region.volumes)]
    results = []
    for volume in volumes:
        arn = rows.ec2_arn(name, "volume", volume.volume_id)
        excerpt = pick(volume.raw, "VolumeId", "Encrypted", "KmsKeyId", "State")
        evidence = (rows.evidence(region.volumes, excerpt),)
        if volume.encrypted:
            detail = f"volume {volume.volume_id} encrypted with {volume.kms_key_id or 'a KMS key'}"
            results.append(rows.row(name, arn, Status.PASS, detail, evidence))
        else:
            attached = ", ".join(volume.attached_instance_ids) or "nothing"
            detail = f"volume {volume.volume_id} is not encrypted (attached to {attached})"
            results.append(rows.row(name, arn, Status.FAIL, detail, evidence))
    return results


def _snapshot_rows(rows: Rows, inventory: Inventory, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.snapshots.ok:
        return [rows.error(name, name, "EBS snapshots", region.snapshots)]
    # Snapshots shared with the account are someone else's to encrypt.
    owned = [s for s in region.snapshots.require() if s.owner_id == inventory.account_id]
    if not owned:
        return [rows.none_in_region(name, "EBS snapshots owned by the account", region.snapshots)]
    results = []
    for snapshot in owned:
        # Snapshot ARNs carry no account id.
        arn = f"arn:{inventory.partition}:ec2:{name}::snapshot/{snapshot.snapshot_id}"
        excerpt = pick(snapshot.raw, "SnapshotId", "VolumeId", "Encrypted", "KmsKeyId", "OwnerId")
        evidence = (rows.evidence(region.snapshots, excerpt),)
        if snapshot.encrypted:
            key = snapshot.kms_key_id or "a KMS key"
            detail = f"snapshot {snapshot.snapshot_id} encrypted with {key}"
            results.append(rows.row(name, arn, Status.PASS, detail, evidence))
        else:
            detail = (
                f"snapshot {snapshot.snapshot_id} (of {snapshot.volume_id or 'unknown volume'}) "
                "is not encrypted: copy it with encryption and delete the original"
            )
            results.append(rows.row(name, arn, Status.FAIL, detail, evidence))
    return results


def _rotation_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    name = region.region
    if not region.kms_keys.ok:
        return [rows.error(name, name, "KMS keys", region.kms_keys)]
    aws_aliased = aws_aliased_key_ids(region)
    results = []
    for key in region.kms_keys.require():
        row = _rotation_row(rows, region, key, aws_aliased)
        if row is not None:
            results.append(row)
    if not results:
        what = "enabled customer-managed symmetric KMS keys"
        return [rows.none_in_region(name, what, region.kms_keys)]
    return results


def _rotation_row(
    rows: Rows, region: RegionInventory, key: KmsKey, aws_aliased: frozenset[str]
) -> CheckResult | None:
    """The key's row, or None when the key is outside the population (AWS-managed,
    asymmetric/HMAC, or not enabled: disabled keys are the deletion check's)."""
    name = region.region
    label = key_label(region, key)
    if not key.metadata.ok:
        return rows.error(name, key.arn, f"the metadata of {label}", key.metadata)
    meta = key.metadata.require()
    meta_evidence = rows.evidence(
        key.metadata, pick(meta.raw, "KeyId", "KeyManager", "KeySpec", "KeyState", "Origin")
    )
    unknown = unknown_metadata(meta)
    if unknown:
        detail = f"{label}: the DescribeKey answer does not say its {unknown}"
        return rows.row(name, key.arn, Status.ERROR, detail, (meta_evidence,))
    if not is_customer_managed(meta, key, aws_aliased):
        return None
    if meta.key_spec != "SYMMETRIC_DEFAULT" or meta.key_state != "Enabled":
        return None
    if meta.origin != "AWS_KMS":
        detail = (
            f"{label} has {meta.origin} key material: automatic rotation is not available; "
            "record manual rotation as evidence"
        )
        return rows.row(name, key.arn, Status.NOT_APPLICABLE, detail, (meta_evidence,))
    if key.rotation is None:
        detail = f"{label}: rotation status was not fetched"
        return rows.row(name, key.arn, Status.ERROR, detail, (meta_evidence,))
    if not key.rotation.ok:
        return rows.error(name, key.arn, f"the rotation status of {label}", key.rotation)
    rotation = key.rotation.require()
    evidence = (meta_evidence, rows.evidence(key.rotation, dict(rotation.raw)))
    if rotation.enabled:
        period = rotation.rotation_period_days
        every = f"every {period} days" if period else "yearly"
        return rows.row(name, key.arn, Status.PASS, f"{label} rotates {every}", evidence)
    return rows.row(name, key.arn, Status.FAIL, f"{label} has automatic rotation off", evidence)


def bucket_region(bucket: Bucket | BucketPublicAccess) -> str:
    """The bucket's home region for its rows, "global" when it could not be read."""
    return bucket.region.value if bucket.region.ok and bucket.region.value else "global"


def _bucket_rows(rows: Rows) -> list[CheckResult]:
    return rows.per_bucket(rows.inventory.s3.buckets, lambda bucket: _bucket_row(rows, bucket))


def _bucket_row(rows: Rows, bucket: Bucket) -> CheckResult:
    region = bucket_region(bucket)
    arn = bucket.arn(rows.inventory.partition)
    fetched = bucket.encryption
    if not fetched.ok:
        return rows.error(region, arn, f"the default encryption of {bucket.name}", fetched)
    if fetched.value is None:
        detail = _base_level(bucket, "the endpoint returned no default-encryption configuration")
        evidence = (rows.evidence(fetched, {"ServerSideEncryptionConfiguration": None}),)
        return rows.row(region, arn, Status.PASS, detail, evidence)
    encryption = fetched.value
    evidence = (rows.evidence(fetched, dict(encryption.raw)),)
    algorithms = [r.sse_algorithm for r in encryption.rules if r.sse_algorithm is not None]
    kms = [r for r in encryption.rules if r.sse_algorithm in ("aws:kms", "aws:kms:dsse")]
    if kms:
        rule = kms[0]
        kind = "DSSE-KMS" if rule.sse_algorithm == "aws:kms:dsse" else "SSE-KMS"
        key = rule.kms_master_key_id or "the AWS-managed aws/s3 key"
        detail = f"{bucket.name}: default encryption {kind} with {key}"
        if rule.bucket_key_enabled:
            detail += " (S3 Bucket Key on)"
        return rows.row(region, arn, Status.PASS, detail, evidence)
    if "AES256" in algorithms:
        detail = f"{bucket.name}: default encryption SSE-S3 (AES256). {SSE_S3_NOTE}"
        return rows.row(region, arn, Status.PASS, detail, evidence)
    if not algorithms:
        # Rules that name no algorithm (e.g. only `BucketKeyEnabled`) set no default of
        # their own: AWS's base-level SSE-S3 encryption applies, as with no configuration.
        what = "only rules naming no algorithm" if encryption.rules else "no rules"
        detail = _base_level(bucket, f"the default-encryption configuration has {what}")
        return rows.row(region, arn, Status.PASS, detail, evidence)
    detail = f"{bucket.name}: no recognised default encryption ({', '.join(algorithms)})"
    return rows.row(region, arn, Status.FAIL, detail, evidence)


def _base_level(bucket: Bucket, why: str) -> str:
    return (
        f"{bucket.name}: {why}; AWS has applied SSE-S3 (AES256) to every new object by "
        "default since January 2023, so objects are encrypted with S3-managed keys. "
        f"{SSE_S3_NOTE}"
    )
