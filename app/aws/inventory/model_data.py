# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""Data-store inventory of one region: RDS DB instances and clusters (Aurora, and the
Neptune and DocumentDB clusters the same API returns), DynamoDB tables, EFS file systems,
and what AWS Backup says it protects.

A field the checks rely on that AWS's answer may leave out is `None` here ("the answer
did not say"), never a guessed False or an empty string: the checks turn None into an
ERROR row or apply AWS's documented default, and say which (see the rule in
`app/aws/inventory/model.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched

# What each engine is, for row details: `DescribeDBInstances`/`DescribeDBClusters` list
# RDS, Aurora, Neptune and DocumentDB alike.
ENGINE_NAMES: Mapping[str, str] = {
    "aurora": "Aurora MySQL",
    "aurora-mysql": "Aurora MySQL",
    "aurora-postgresql": "Aurora PostgreSQL",
    "neptune": "Neptune",
    "docdb": "DocumentDB",
    "mysql": "RDS MySQL",
    "mariadb": "RDS MariaDB",
    "postgres": "RDS PostgreSQL",
    "oracle-ee": "RDS Oracle",
    "oracle-se2": "RDS Oracle",
    "oracle-ee-cdb": "RDS Oracle",
    "oracle-se2-cdb": "RDS Oracle",
    "sqlserver-ee": "RDS SQL Server",
    "sqlserver-se": "RDS SQL Server",
    "sqlserver-ex": "RDS SQL Server",
    "sqlserver-web": "RDS SQL Server",
    "db2-se": "RDS Db2",
    "db2-ae": "RDS Db2",
}


def engine_name(engine: str) -> str:
    """`Aurora PostgreSQL`, `Neptune`, `RDS MySQL`...; unknown engines by their own name."""
    return ENGINE_NAMES.get(engine, f"RDS {engine}" if engine else "RDS (engine not given)")


@dataclass(frozen=True)
class DbInstance:
    """One item of `rds:DescribeDBInstances` `DBInstances[]`.

    An instance with `cluster_id` is a member of a cluster (Aurora, Neptune, DocumentDB,
    Multi-AZ DB cluster): its storage encryption, deletion protection and backup
    retention are the cluster's, so checks judge the cluster instead.
    """

    identifier: str  # `DBInstanceIdentifier`
    arn: str  # `DBInstanceArn`
    engine: str = ""
    status: str = ""  # `DBInstanceStatus`
    cluster_id: str | None = None  # `DBClusterIdentifier`
    storage_encrypted: bool | None = None  # `StorageEncrypted`
    kms_key_id: str | None = None  # `KmsKeyId` (an ARN) when encrypted
    deletion_protection: bool | None = None  # `DeletionProtection` (absent in older answers)
    backup_retention_days: int | None = None  # `BackupRetentionPeriod`; 0: automated backups off
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DbCluster:
    """One item of `rds:DescribeDBClusters` `DBClusters[]`."""

    identifier: str  # `DBClusterIdentifier`
    arn: str  # `DBClusterArn`
    engine: str = ""
    status: str = ""
    storage_encrypted: bool | None = None
    kms_key_id: str | None = None
    deletion_protection: bool | None = None
    backup_retention_days: int | None = None
    member_ids: tuple[str, ...] = ()  # `DBClusterMembers[].DBInstanceIdentifier`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TableDescription:
    """`dynamodb:DescribeTable` `Table` (the parts the checks read).

    No `SSEDescription` means the table is encrypted with a key AWS owns (DynamoDB
    encrypts every table at rest; the description appears only for KMS keys).
    """

    status: str = ""  # `TableStatus`
    sse_status: str | None = None  # `SSEDescription.Status`: ENABLED, UPDATING, ...
    sse_type: str | None = None  # `SSEDescription.SSEType`: KMS
    kms_key_arn: str | None = None  # `SSEDescription.KMSMasterKeyArn`
    deletion_protection: bool | None = None  # `DeletionProtectionEnabled` (absent: older)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ContinuousBackups:
    """`dynamodb:DescribeContinuousBackups` `ContinuousBackupsDescription`."""

    status: str  # `ContinuousBackupsStatus`
    pitr_status: str | None = None  # `PointInTimeRecoveryDescription.PointInTimeRecoveryStatus`
    recovery_period_days: int | None = None  # `...RecoveryPeriodInDays`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DynamoTable:
    """One name of `dynamodb:ListTables` `TableNames[]` plus its two per-table fetches.

    A table deleted between the listing and `DescribeTable` keeps its row (ERROR with
    AWS's `ResourceNotFoundException`): the population never shrinks silently.
    """

    name: str
    arn: str  # built from the name (ListTables gives names only); `TableArn` in `description`
    description: Fetched[TableDescription]
    continuous_backups: Fetched[ContinuousBackups]


@dataclass(frozen=True)
class FileSystem:
    """One item of `elasticfilesystem:DescribeFileSystems` `FileSystems[]`."""

    file_system_id: str
    arn: str  # `FileSystemArn`, else built from the id
    name: str = ""
    life_cycle_state: str = ""
    encrypted: bool | None = None  # `Encrypted` (absent in some older answers)
    kms_key_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ProtectedResource:
    """One item of `backup:ListProtectedResources` `Results[]`: AWS Backup holds a
    recovery point of this resource (in this region)."""

    arn: str  # `ResourceArn`
    resource_type: str = ""  # `ResourceType`: EBS, EC2, RDS, Aurora, DynamoDB, EFS, S3...
    last_backup: datetime | None = None  # `LastBackupTime`
    last_vault_arn: str = ""  # `LastBackupVaultArn`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
