"""encryption-at-rest for data stores: RDS, Aurora, Neptune and DocumentDB databases,
DynamoDB tables and EFS file systems, each judged where its encryption is decided.

A database's storage encryption is judged on its cluster when it has one. A DynamoDB
table is always encrypted at rest: without `SSEDescription` with a key AWS owns (it
passes, saying the company neither controls nor audits that key), with it under a KMS
key (named). A table whose KMS key became inaccessible fails. An answer that leaves out
`StorageEncrypted` or `Encrypted` gives an ERROR row, never a guess.
"""

from __future__ import annotations

from functools import partial

from app.aws.inventory.model import DynamoTable, FileSystem, RegionInventory
from app.controls.checks import databases
from app.controls.checks.databases import Database, key_words
from app.controls.checks.rows import Rows, pick
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

AWS_OWNED_NOTE = (
    "a key AWS owns and manages: encrypted, but the company cannot control, rotate or audit "
    "that key; use a KMS key where access to the data must be auditable"
)


def database_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    return databases.database_rows(rows, region, partial(_database_row, rows, region))


def _database_row(
    rows: Rows, region: RegionInventory, db: Database, evidence: Evidence
) -> CheckResult:
    name = region.region
    encrypted = db.item.storage_encrypted
    if encrypted is None:
        detail = f"{db.label}: the answer does not say whether storage is encrypted"
        return rows.row(name, db.arn, Status.ERROR, detail, (evidence,))
    if encrypted:
        detail = f"{db.label}: storage encrypted with {key_words(region, db.item.kms_key_id)}"
        return rows.row(name, db.arn, Status.PASS, detail, (evidence,))
    detail = (
        f"{db.label}: storage is not encrypted (encryption cannot be switched on in place: "
        "restore an encrypted copy of a snapshot)"
    )
    return rows.row(name, db.arn, Status.FAIL, detail, (evidence,))


def table_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    judge = partial(_table_row, rows, region)
    return rows.per_item(region.region, "DynamoDB tables", region.dynamodb_tables, judge)


def _table_row(rows: Rows, region: RegionInventory, table: DynamoTable) -> CheckResult:
    name = region.region
    if not table.description.ok:
        return rows.error(name, table.arn, f"DynamoDB table {table.name}", table.description)
    described = table.description.require()
    sse = described.raw.get("SSEDescription")
    evidence = (rows.evidence(table.description, {"TableName": table.name, "SSEDescription": sse}),)
    label = f"DynamoDB table {table.name}"
    if described.sse_status is None or described.sse_status in ("DISABLED", "DISABLING"):
        detail = f"{label}: encrypted at rest with {AWS_OWNED_NOTE}"
        return rows.row(name, table.arn, Status.PASS, detail, evidence)
    lost = (sse or {}).get("InaccessibleEncryptionDateTime")
    if lost:
        detail = (
            f"{label}: its KMS key {described.kms_key_arn or '?'} has been inaccessible since "
            f"{lost}: the table cannot be read until the key is usable again"
        )
        return rows.row(name, table.arn, Status.FAIL, detail, evidence)
    key = key_words(region, described.kms_key_arn)
    detail = f"{label}: encrypted at rest with {key} (SSE {described.sse_status})"
    return rows.row(name, table.arn, Status.PASS, detail, evidence)


def file_system_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    judge = partial(_file_system_row, rows, region)
    return rows.per_item(region.region, "EFS file systems", region.file_systems, judge)


def _file_system_row(rows: Rows, region: RegionInventory, fs: FileSystem) -> CheckResult:
    name = region.region
    excerpt = pick(fs.raw, "FileSystemId", "Name", "Encrypted", "KmsKeyId")
    evidence = (rows.evidence(region.file_systems, excerpt),)
    label = f"EFS file system {fs.file_system_id}" + (f" ({fs.name})" if fs.name else "")
    if fs.encrypted is None:
        detail = f"{label}: the answer does not say whether it is encrypted"
        return rows.row(name, fs.arn, Status.ERROR, detail, evidence)
    if fs.encrypted:
        detail = f"{label}: encrypted at rest with {key_words(region, fs.kms_key_id)}"
        return rows.row(name, fs.arn, Status.PASS, detail, evidence)
    detail = (
        f"{label} is not encrypted at rest (set only at creation: create an encrypted file "
        "system and copy the data, e.g. with AWS DataSync)"
    )
    return rows.row(name, fs.arn, Status.FAIL, detail, evidence)
