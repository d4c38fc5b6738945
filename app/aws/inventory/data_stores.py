"""Data stores of one region: RDS DB instances and clusters, DynamoDB tables, EFS.

`DescribeDBInstances` and `DescribeDBClusters` also list Neptune and DocumentDB (they
share the RDS API); both are one paginated listing each. DynamoDB has no batch
describe: `ListTables`, then `DescribeTable` and `DescribeContinuousBackups` for all
tables at once. EFS is one paginated listing.

Fields AWS may leave out follow the rule in `model.py`: `StorageEncrypted`,
`DeletionProtection`, `BackupRetentionPeriod`, `Encrypted` and `DeletionProtectionEnabled`
stay None when absent (older answers lack `DeletionProtection` and
`DeletionProtectionEnabled`); an absent `SSEDescription` is AWS's documented way of
saying "encrypted with an AWS-owned key".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing
from app.aws.inventory.model import (
    ContinuousBackups,
    DbCluster,
    DbInstance,
    DynamoTable,
    FileSystem,
    TableDescription,
)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _common_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The fields instances and clusters share (each None when the answer leaves it out)."""
    return {
        "engine": str(item.get("Engine", "")),
        "storage_encrypted": _bool(item.get("StorageEncrypted")),
        "kms_key_id": _str(item.get("KmsKeyId")),
        "deletion_protection": _bool(item.get("DeletionProtection")),
        "backup_retention_days": _int(item.get("BackupRetentionPeriod")),
        "raw": json_safe(item),
    }


def _db_instance(item: Mapping[str, Any]) -> DbInstance:
    return DbInstance(
        identifier=str(item["DBInstanceIdentifier"]),
        arn=str(item["DBInstanceArn"]),
        status=str(item.get("DBInstanceStatus", "")),
        cluster_id=_str(item.get("DBClusterIdentifier")),
        **_common_fields(item),
    )


def db_instances(ctx: FetchContext, region: str) -> Fetched[tuple[DbInstance, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[DbInstance, ...]:
        return tuple(_db_instance(item) for item in listing(response, "DBInstances"))

    return convert(ctx.call("rds", region, "DescribeDBInstances", paginate=True), build)


def _db_cluster(item: Mapping[str, Any]) -> DbCluster:
    return DbCluster(
        identifier=str(item["DBClusterIdentifier"]),
        arn=str(item["DBClusterArn"]),
        status=str(item.get("Status", "")),
        member_ids=tuple(
            str(m["DBInstanceIdentifier"]) for m in item.get("DBClusterMembers") or []
        ),
        **_common_fields(item),
    )


def db_clusters(ctx: FetchContext, region: str) -> Fetched[tuple[DbCluster, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[DbCluster, ...]:
        return tuple(_db_cluster(item) for item in listing(response, "DBClusters"))

    return convert(ctx.call("rds", region, "DescribeDBClusters", paginate=True), build)


def _table(response: Mapping[str, Any]) -> TableDescription:
    table = response["Table"]
    sse = table.get("SSEDescription")
    return TableDescription(
        status=str(table.get("TableStatus", "")),
        sse_status=None if sse is None else str(sse.get("Status", "")),
        sse_type=None if sse is None else _str(sse.get("SSEType")),
        kms_key_arn=None if sse is None else _str(sse.get("KMSMasterKeyArn")),
        deletion_protection=_bool(table.get("DeletionProtectionEnabled")),
        raw=json_safe(table),
    )


def _continuous(response: Mapping[str, Any]) -> ContinuousBackups:
    item = response["ContinuousBackupsDescription"]
    pitr = item.get("PointInTimeRecoveryDescription") or {}
    return ContinuousBackups(
        status=str(item["ContinuousBackupsStatus"]),
        pitr_status=_str(pitr.get("PointInTimeRecoveryStatus")),
        recovery_period_days=_int(pitr.get("RecoveryPeriodInDays")),
        raw=json_safe(item),
    )


def dynamodb_tables(ctx: FetchContext, region: str) -> Fetched[tuple[DynamoTable, ...]]:
    listed = convert(
        ctx.call("dynamodb", region, "ListTables", paginate=True),
        lambda response: [str(name) for name in listing(response, "TableNames")],
    )
    if not listed.ok or listed.value is None:
        return convert(listed, lambda response: ())
    names: list[str] = listed.value

    def detail(job: tuple[str, str]) -> Fetched[Any]:
        name, operation = job
        fetched = ctx.call("dynamodb", region, operation, {"TableName": name})
        return convert(fetched, _table if operation == "DescribeTable" else _continuous)

    jobs = [(name, op) for name in names for op in ("DescribeTable", "DescribeContinuousBackups")]
    done = dict(zip(jobs, ctx.fan_out(detail, jobs), strict=True))

    def build(_: Any) -> tuple[DynamoTable, ...]:
        arn = f"arn:{ctx.partition}:dynamodb:{region}:{ctx.account_id}:table/"
        return tuple(
            DynamoTable(
                name=name,
                arn=arn + name,
                description=done[(name, "DescribeTable")],
                continuous_backups=done[(name, "DescribeContinuousBackups")],
            )
            for name in names
        )

    return convert(listed, build)


def file_systems(ctx: FetchContext, region: str) -> Fetched[tuple[FileSystem, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[FileSystem, ...]:
        prefix = f"arn:{ctx.partition}:elasticfilesystem:{region}:{ctx.account_id}:file-system/"
        return tuple(
            FileSystem(
                file_system_id=str(item["FileSystemId"]),
                arn=str(item.get("FileSystemArn") or prefix + str(item["FileSystemId"])),
                name=str(item.get("Name", "")),
                life_cycle_state=str(item.get("LifeCycleState", "")),
                encrypted=_bool(item.get("Encrypted")),
                kms_key_id=_str(item.get("KmsKeyId")),
                raw=json_safe(item),
            )
            for item in listing(response, "FileSystems")
        )

    fetched = ctx.call("efs", region, "DescribeFileSystems", paginate=True)
    return convert(fetched, build)
