"""The demo account's databases, DynamoDB tables and EFS file systems (account.toml).

Built on the local moto server like the rest of the demo account (see `scenario`); moto
serves RDS, DynamoDB and EFS, so every data-store check has resources to judge.
Databases live in a DB subnet group of their VPC, behind one of its security groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

# moto checks nothing about it, but RDS requires a master password of 8+ characters.
DEMO_DB_PASSWORD = "demo-password-not-secret"


class Builder(Protocol):
    def client(self, service: str, region: str = "us-east-1") -> Any: ...


class Built(Protocol):
    """What the rest of the demo account made, by (region, scenario name)."""

    subnets: dict[tuple[str, str], list[str]]
    groups: dict[tuple[str, str], str]
    keys: dict[tuple[str, str], str]


def build(builder: Builder, scenario: Mapping[str, Any], built: Built) -> None:
    for spec in scenario.get("databases", []):
        _database(builder, spec, built)
    for spec in scenario.get("db_clusters", []):
        _cluster(builder, spec, built)
    for spec in scenario.get("dynamodb_tables", []):
        _table(builder, spec, built.keys)
    for spec in scenario.get("file_systems", []):
        _file_system(builder, spec, built.keys)


def _placement(builder: Builder, spec: Mapping[str, Any], built: Built) -> dict[str, Any]:
    """A DB subnet group in the spec's VPC, and its security group."""
    region, vpc = spec["region"], spec["vpc"]
    name = f"{vpc}-databases"
    rds = builder.client("rds", region)
    existing = {g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]}
    if name not in existing:
        rds.create_db_subnet_group(
            DBSubnetGroupName=name,
            DBSubnetGroupDescription=f"databases of {vpc}",
            SubnetIds=built.subnets[(region, vpc)],
        )
    return {
        "DBSubnetGroupName": name,
        "VpcSecurityGroupIds": [built.groups[(region, spec["security_group"])]],
    }


def _encryption(spec: Mapping[str, Any], keys: Mapping[tuple[str, str], str]) -> dict[str, Any]:
    args: dict[str, Any] = {"StorageEncrypted": bool(spec.get("encrypted"))}
    if spec.get("kms_key"):
        args["KmsKeyId"] = keys[(spec["region"], spec["kms_key"])]
    return args


def _protection(spec: Mapping[str, Any], retention_default: int) -> dict[str, Any]:
    return {
        "DeletionProtection": bool(spec.get("deletion_protection")),
        "BackupRetentionPeriod": int(spec.get("backup_retention_days", retention_default)),
    }


def _database(builder: Builder, spec: Mapping[str, Any], built: Built) -> None:
    builder.client("rds", spec["region"]).create_db_instance(
        DBInstanceIdentifier=spec["name"],
        Engine=spec["engine"],
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="demo",
        MasterUserPassword=DEMO_DB_PASSWORD,
        **_protection(spec, 0),
        **_placement(builder, spec, built),
        **_encryption(spec, built.keys),
    )


def _cluster(builder: Builder, spec: Mapping[str, Any], built: Built) -> None:
    rds = builder.client("rds", spec["region"])
    placement = _placement(builder, spec, built)
    rds.create_db_cluster(
        DBClusterIdentifier=spec["name"],
        Engine=spec["engine"],
        MasterUsername="demo",
        MasterUserPassword=DEMO_DB_PASSWORD,
        **_protection(spec, 1),
        **placement,
        **_encryption(spec, built.keys),
    )
    for name in spec.get("instances", []):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier=spec["name"],
            Engine=spec["engine"],
            DBInstanceClass="db.r6g.large",
            DBSubnetGroupName=placement["DBSubnetGroupName"],
        )


def _table(builder: Builder, spec: Mapping[str, Any], keys: Mapping[tuple[str, str], str]) -> None:
    dynamodb = builder.client("dynamodb", spec["region"])
    args: dict[str, Any] = {}
    if spec.get("kms_key"):
        key = keys[(spec["region"], spec["kms_key"])]
        args["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
    dynamodb.create_table(
        TableName=spec["name"],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=bool(spec.get("deletion_protection")),
        **args,
    )
    if spec.get("point_in_time_recovery"):
        dynamodb.update_continuous_backups(
            TableName=spec["name"],
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _file_system(
    builder: Builder, spec: Mapping[str, Any], keys: Mapping[tuple[str, str], str]
) -> None:
    args: dict[str, Any] = {"Encrypted": bool(spec.get("encrypted"))}
    if spec.get("kms_key"):
        args["KmsKeyId"] = keys[(spec["region"], spec["kms_key"])]
    builder.client("efs", spec["region"]).create_file_system(
        CreationToken=f"demo-{spec['name']}",
        Tags=[{"Key": "Name", "Value": spec["name"]}],
        **args,
    )
