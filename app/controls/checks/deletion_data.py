"""deletion-protection for databases and DynamoDB tables.

A database (a cluster, or an instance outside any cluster: Aurora keeps both settings
on the cluster) passes with deletion protection on and automated backups kept for at
least a day, so neither a stray delete call nor a deletion without a final snapshot
loses it. A table passes with deletion protection on and point-in-time recovery on.
An answer leaving out a field decides nothing: ERROR, naming the field.
"""

from __future__ import annotations

from functools import partial

from app.aws.inventory.model import DynamoTable, RegionInventory
from app.controls.checks import databases
from app.controls.checks.databases import Database
from app.controls.checks.rows import Rows, first_error
from app.controls.results import CheckResult, Status
from app.evidence import Evidence


def database_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    return databases.database_rows(rows, region, partial(_database_row, rows, region))


def _database_row(
    rows: Rows, region: RegionInventory, db: Database, evidence: Evidence
) -> CheckResult:
    name = region.region
    protected, retention = db.item.deletion_protection, db.item.backup_retention_days
    missing = [
        field
        for field, value in (
            ("DeletionProtection", protected),
            ("BackupRetentionPeriod", retention),
        )
        if value is None
    ]
    if missing:
        detail = f"{db.label}: the answer does not give {' or '.join(missing)}"
        return rows.row(name, db.arn, Status.ERROR, detail, (evidence,))
    shortfalls = []
    if not protected:
        shortfalls.append("deletion protection is off")
    if not retention:
        shortfalls.append("automated backups are off (retention 0 days)")
    if shortfalls:
        detail = f"{db.label}: " + "; ".join(shortfalls)
        return rows.row(name, db.arn, Status.FAIL, detail, (evidence,))
    detail = f"{db.label}: deletion protection on; automated backups kept {retention} days"
    return rows.row(name, db.arn, Status.PASS, detail, (evidence,))


def table_rows(rows: Rows, region: RegionInventory) -> list[CheckResult]:
    judge = partial(_table_row, rows, region)
    return rows.per_item(region.region, "DynamoDB tables", region.dynamodb_tables, judge)


def _table_row(rows: Rows, region: RegionInventory, table: DynamoTable) -> CheckResult:
    name = region.region
    label = f"DynamoDB table {table.name}"
    failed = first_error(table.description, table.continuous_backups)
    if failed is not None:
        return rows.error(name, table.arn, f"{label} ({failed.call.operation})", failed)
    described, backups = table.description.require(), table.continuous_backups.require()
    evidence = (
        rows.evidence(
            table.description,
            {"TableName": table.name, "DeletionProtectionEnabled": described.deletion_protection},
        ),
        rows.evidence(table.continuous_backups, dict(backups.raw)),
    )
    if described.deletion_protection is None or backups.pitr_status is None:
        field = (
            "DeletionProtectionEnabled"
            if described.deletion_protection is None
            else "PointInTimeRecoveryStatus"
        )
        detail = f"{label}: the answer does not give {field}"
        return rows.row(name, table.arn, Status.ERROR, detail, evidence)
    shortfalls = []
    if not described.deletion_protection:
        shortfalls.append("deletion protection is off")
    if backups.pitr_status != "ENABLED":
        shortfalls.append(f"point-in-time recovery is {backups.pitr_status.lower()}")
    if shortfalls:
        return rows.row(
            name, table.arn, Status.FAIL, f"{label}: " + "; ".join(shortfalls), evidence
        )
    days = backups.recovery_period_days or 35  # AWS's documented default period
    detail = f"{label}: deletion protection on; point-in-time recovery on ({days} days)"
    return rows.row(name, table.arn, Status.PASS, detail, evidence)
