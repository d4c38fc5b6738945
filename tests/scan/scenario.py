"""A realistic account built on moto: what the scan tests (and the benchmark) scan.

`build_account` makes the resources through plain boto3 clients (not the scan's guarded
ones) and returns the ids the tests assert on. `copies` repeats the per-region parts
for the benchmark's larger account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

from tests.scan.scenario_security import build_security

HOME = "us-east-1"
OTHER = "eu-west-1"
AMI = "ami-12c6146b"  # one of moto's built-in images

ADMIN_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::x/*"}],
}
NOT_ACTION_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


@dataclass
class Built:
    """Ids of what `build_account` made, keyed by the role each plays in the tests."""

    ids: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)  # role -> bucket name

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def _ingress(ec2: Any, group_id: str, permission: dict[str, Any]) -> None:
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])


def _network(ec2: Any, built: Built, region: str, suffix: str, log_bucket: str) -> None:
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    built.ids[f"app-vpc{suffix}"] = vpc
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{log_bucket}",
    )
    groups = {
        "ssh-world": {
            "IpProtocol": "tcp",
            "FromPort": 22,
            "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        },
        "range-v6": {
            "IpProtocol": "tcp",
            "FromPort": 0,
            "ToPort": 1000,
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
        },
        "internal-db": {
            "IpProtocol": "tcp",
            "FromPort": 5432,
            "ToPort": 5432,
            "IpRanges": [{"CidrIp": "10.20.1.0/24"}],
        },
        "wide-https": {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
        },
    }
    for name, permission in groups.items():
        group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)
        built.ids[f"sg-{name}{suffix}"] = group["GroupId"]
        _ingress(ec2, group["GroupId"], permission)
    peer = ec2.create_security_group(GroupName="from-db", Description="peer", VpcId=vpc)
    built.ids[f"sg-from-db{suffix}"] = peer["GroupId"]
    _ingress(
        ec2,
        peer["GroupId"],
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "UserIdGroupPairs": [{"GroupId": built.ids[f"sg-internal-db{suffix}"]}],
        },
    )
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    built.ids[f"acl-restricted{suffix}"] = acl
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="6",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="10.20.0.0/16",
            PortRange={"From": 443, "To": 443},
        )


def _storage(ec2: Any, built: Built, region: str, suffix: str) -> None:
    zone = f"{region}a"
    plain = ec2.create_volume(AvailabilityZone=zone, Size=8)["VolumeId"]
    sealed = ec2.create_volume(AvailabilityZone=zone, Size=8, Encrypted=True)["VolumeId"]
    built.ids[f"vol-plain{suffix}"] = plain
    built.ids[f"vol-encrypted{suffix}"] = sealed
    built.ids[f"snap-plain{suffix}"] = ec2.create_snapshot(VolumeId=plain)["SnapshotId"]
    built.ids[f"snap-encrypted{suffix}"] = ec2.create_snapshot(VolumeId=sealed)["SnapshotId"]


def _keys(kms: Any, built: Built, suffix: str) -> None:
    def key(description: str) -> tuple[str, str]:
        meta = kms.create_key(Description=description)["KeyMetadata"]
        return meta["KeyId"], meta["Arn"]

    key_id, built.ids[f"key-rotating{suffix}"] = key("rotating")
    kms.enable_key_rotation(KeyId=key_id)
    _, built.ids[f"key-static{suffix}"] = key("static")
    key_id, built.ids[f"key-doomed{suffix}"] = key("doomed")
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    key_id, built.ids[f"key-disabled{suffix}"] = key("off")
    kms.disable_key(KeyId=key_id)


def _buckets(session: boto3.Session, built: Built, prefix: str) -> None:
    s3 = session.client("s3", region_name=HOME)
    other = session.client("s3", region_name=OTHER)
    names = {
        "logs": f"{prefix}-logs",
        "kms": f"{prefix}-kms-encrypted",
        "plain": f"{prefix}-plain",
        "locked": f"{prefix}-locked",
        "replicated": f"{prefix}-replicated",
        "replica": f"{prefix}-replica-eu",
    }
    built.buckets.update(names)
    for role in ("logs", "kms", "plain", "replicated"):
        s3.create_bucket(Bucket=names[role])
    s3.create_bucket(Bucket=names["locked"], ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=names["locked"],
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 30}},
        },
    )
    other.create_bucket(
        Bucket=names["replica"], CreateBucketConfiguration={"LocationConstraint": OTHER}
    )
    s3.put_bucket_encryption(
        Bucket=names["kms"],
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": built.ids["key-rotating"],
                    }
                }
            ]
        },
    )
    for name in (names["replicated"], names["replica"]):
        client = other if name == names["replica"] else s3
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=names["replicated"],
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [
                {
                    "ID": "to-eu",
                    "Status": "Enabled",
                    "Prefix": "",
                    "Destination": {"Bucket": f"arn:aws:s3:::{names['replica']}"},
                }
            ],
        },
    )


def _iam(iam: Any, built: Built) -> None:
    iam.create_user(UserName="alice")
    built.ids["alice-key"] = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.create_user(UserName="bob")
    iam.put_user_policy(
        UserName="bob", PolicyName="almost-all", PolicyDocument=json.dumps(NOT_ACTION_DOCUMENT)
    )
    star = iam.create_policy(PolicyName="star", PolicyDocument=json.dumps(ADMIN_DOCUMENT))
    built.ids["policy-star"] = star["Policy"]["Arn"]
    reader = iam.create_policy(PolicyName="reader", PolicyDocument=json.dumps(READ_DOCUMENT))
    built.ids["policy-reader"] = reader["Policy"]["Arn"]
    iam.create_role(RoleName="admin-role", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.attach_role_policy(
        RoleName="admin-role", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.attach_role_policy(RoleName="app-role", PolicyArn=built.ids["policy-reader"])
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=built.ids["policy-star"])


def _trails(session: boto3.Session, built: Built) -> None:
    home = session.client("cloudtrail", region_name=HOME)
    home.create_trail(Name="org-wide", S3BucketName=built.buckets["logs"], IsMultiRegionTrail=True)
    home.start_logging(Name="org-wide")
    other = session.client("cloudtrail", region_name=OTHER)
    other.create_trail(Name="eu-only", S3BucketName=built.buckets["logs"])  # never started


def _backups(session: boto3.Session) -> None:
    backup = session.client("backup", region_name=HOME)
    backup.create_backup_vault(BackupVaultName="main-vault")
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "main-vault",
                    "ScheduleExpression": "cron(0 5 ? * * *)",
                }
            ],
        }
    )


def _databases(rds: Any, good: bool, suffix: str) -> None:
    password = {"MasterUsername": "acme", "MasterUserPassword": "not-a-real-password"}
    if good:
        rds.create_db_instance(
            DBInstanceIdentifier=f"db-good{suffix}",
            Engine="postgres",
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            StorageEncrypted=True,
            DeletionProtection=True,
            BackupRetentionPeriod=7,
            **password,
        )
        rds.create_db_cluster(
            DBClusterIdentifier=f"aurora-prod{suffix}",
            Engine="aurora-postgresql",
            StorageEncrypted=True,
            DeletionProtection=True,
            BackupRetentionPeriod=7,
            **password,
        )
        # The member's own DeletionProtection is False on moto as on AWS: the cluster's counts.
        rds.create_db_instance(
            DBInstanceIdentifier=f"aurora-prod-1{suffix}",
            DBClusterIdentifier=f"aurora-prod{suffix}",
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
        )
        rds.create_db_cluster(DBClusterIdentifier=f"graph{suffix}", Engine="neptune")
    else:
        rds.create_db_instance(
            DBInstanceIdentifier=f"db-plain{suffix}",
            Engine="mysql",
            DBInstanceClass="db.t4g.micro",
            AllocatedStorage=20,
            BackupRetentionPeriod=0,
            **password,
        )


def _tables_and_files(session: boto3.Session, region: str, good: bool, suffix: str) -> None:
    dynamodb = session.client("dynamodb", region_name=region)
    name = f"orders{suffix}" if good else f"sessions{suffix}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=good,
        **({"SSESpecification": {"Enabled": True, "SSEType": "KMS"}} if good else {}),
    )
    if good:
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    session.client("efs", region_name=region).create_file_system(
        CreationToken=f"fs-{name}", Encrypted=good, Tags=[{"Key": "Name", "Value": name}]
    )


def _data_stores(session: boto3.Session, region: str, suffix: str) -> None:
    """Encrypted, protected data stores in HOME; plain ones in OTHER."""
    good = region == HOME
    _databases(session.client("rds", region_name=region), good, suffix)
    _tables_and_files(session, region, good, suffix)


def build_account(session: boto3.Session, *, copies: int = 1, prefix: str = "acme") -> Built:
    """The scenario in HOME (us-east-1) and OTHER (eu-west-1); `copies` repeats network,
    storage and keys per region (benchmark)."""
    built = Built()
    for region in (HOME, OTHER):
        ec2 = session.client("ec2", region_name=region)
        kms = session.client("kms", region_name=region)
        for n in range(copies):
            suffix = "" if region == HOME and n == 0 else f"@{region}#{n}"
            if region == HOME and n == 0:
                _keys(kms, built, "")
            else:
                _keys(kms, built, suffix)
            _storage(ec2, built, region, suffix)
            if n == 0 and region == HOME:
                _buckets(session, built, prefix)
            _network(ec2, built, region, suffix, built.buckets["logs"])
            _data_stores(session, region, f"-{n}" if n else "")
    ec2 = session.client("ec2", region_name=HOME)
    ec2.enable_ebs_encryption_by_default()
    session.client("ec2", region_name=OTHER).enable_ebs_encryption_by_default()
    ec2.disable_ebs_encryption_by_default()
    reservation = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    built.ids["instance"] = reservation["Instances"][0]["InstanceId"]
    _iam(session.client("iam", region_name=HOME), built)
    _trails(session, built)
    _backups(session)
    build_security(session, HOME, OTHER, built.buckets)
    return built
