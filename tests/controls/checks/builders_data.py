"""Builders for data stores and AWS Backup coverage (beside `builders`, which is full)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model import (
    BackupSelection,
    ContinuousBackups,
    DbCluster,
    DbInstance,
    DynamoTable,
    FileSystem,
    ProtectedResource,
    SelectionRules,
    TableDescription,
    TagCondition,
)
from tests.controls.checks.builders import ACCOUNT, NOW, ok, plan

REGION = "us-east-1"


def rds_arn(kind: str, name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:{kind}:{name}"


def db_instance(
    name: str = "db1",
    engine: str = "postgres",
    encrypted: bool | None = True,
    protected: bool | None = True,
    retention: int | None = 7,
    cluster: str | None = None,
) -> DbInstance:
    raw = {"DBInstanceIdentifier": name, "Engine": engine}
    return DbInstance(
        identifier=name,
        arn=rds_arn("db", name),
        engine=engine,
        cluster_id=cluster,
        storage_encrypted=encrypted,
        kms_key_id=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1" if encrypted else None,
        deletion_protection=protected,
        backup_retention_days=retention,
        raw=raw,
    )


def db_cluster(
    name: str = "aurora1",
    engine: str = "aurora-postgresql",
    encrypted: bool | None = True,
    protected: bool | None = True,
    retention: int | None = 7,
    members: tuple[str, ...] = (),
) -> DbCluster:
    return DbCluster(
        identifier=name,
        arn=rds_arn("cluster", name),
        engine=engine,
        storage_encrypted=encrypted,
        kms_key_id=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1" if encrypted else None,
        deletion_protection=protected,
        backup_retention_days=retention,
        member_ids=members,
        raw={"DBClusterIdentifier": name, "Engine": engine},
    )


def table(
    name: str = "orders",
    sse: dict[str, Any] | None = None,
    protected: bool | None = True,
    pitr: str | None = "ENABLED",
    description: Fetched[TableDescription] | None = None,
) -> DynamoTable:
    raw: dict[str, Any] = {"TableName": name}
    if sse is not None:
        raw["SSEDescription"] = sse
    described = TableDescription(
        status="ACTIVE",
        sse_status=None if sse is None else sse.get("Status"),
        sse_type=None if sse is None else sse.get("SSEType"),
        kms_key_arn=None if sse is None else sse.get("KMSMasterKeyArn"),
        deletion_protection=protected,
        raw=raw,
    )
    backups = ContinuousBackups(
        status="ENABLED", pitr_status=pitr, raw={"ContinuousBackupsStatus": "ENABLED"}
    )
    return DynamoTable(
        name=name,
        arn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
        description=description or ok(described, "DescribeTable", "dynamodb"),
        continuous_backups=ok(backups, "DescribeContinuousBackups", "dynamodb"),
    )


def file_system(fs_id: str = "fs-1", encrypted: bool | None = True) -> FileSystem:
    return FileSystem(
        file_system_id=fs_id,
        arn=f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{fs_id}",
        encrypted=encrypted,
        raw={"FileSystemId": fs_id, "Encrypted": encrypted},
    )


def tag(key: str, value: str, operator: str = "StringEquals") -> TagCondition:
    return TagCondition(operator, key, value)


def selection(
    name: str = "sel",
    rules: SelectionRules | None = None,
    tags: dict[str, dict[str, str]] | None = None,
    rules_fetch: Fetched[SelectionRules] | None = None,
) -> BackupSelection:
    fetched = rules_fetch or ok(rules or SelectionRules(), "GetBackupSelection", "backup")
    resource_tags = None if tags is None else ok(tags, "GetResources", "resourcegroupstaggingapi")
    return BackupSelection(
        selection_id=f"id-{name}",
        selection_name=name,
        rules=fetched,
        resource_tags=resource_tags,
    )


def plan_with(*selections: BackupSelection, name: str = "daily") -> Any:
    return plan(name=name, selections=ok(tuple(selections), "ListBackupSelections", "backup"))


def protected(*arns: str, when: datetime = NOW) -> Fetched[tuple[ProtectedResource, ...]]:
    points = tuple(
        ProtectedResource(
            arn=arn,
            last_backup=when,
            last_vault_arn=f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:Default",
            raw={"ResourceArn": arn},
        )
        for arn in arns
    )
    return ok(points, "ListProtectedResources", "backup")
