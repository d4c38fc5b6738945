"""The benchmark's account: hundreds of resources across regions, built on moto.

`build` makes networks, volumes, keys, instances, backup plans, data stores, buckets,
a trail, IAM users, roles and policies, and the account-security settings the six
controls beyond the article judge (console passwords and MFA, a password policy,
GuardDuty and AWS Config in half the regions, S3 Block Public Access).
"""

from __future__ import annotations

import json
from collections import Counter

import boto3

from app.aws.clients import register_local_fixes

AMI = "ami-12c6146b"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _data_stores(session: boto3.Session, region: str, made: Counter[str]) -> None:
    """A stand-alone database, an Aurora cluster with one instance, two tables, a file system."""
    rds = session.client("rds", region_name=region)
    login = {"MasterUsername": "bench", "MasterUserPassword": "bench-password"}
    rds.create_db_instance(
        DBInstanceIdentifier="bench-db",
        Engine="postgres",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        StorageEncrypted=True,
        **login,
    )
    rds.create_db_cluster(DBClusterIdentifier="bench-aurora", Engine="aurora-postgresql", **login)
    rds.create_db_instance(
        DBInstanceIdentifier="bench-aurora-1",
        DBClusterIdentifier="bench-aurora",
        Engine="aurora-postgresql",
        DBInstanceClass="db.r6g.large",
    )
    made["db instance"] += 2
    made["db cluster"] += 1
    dynamodb = session.client("dynamodb", region_name=region)
    for name in ("bench-orders", "bench-sessions"):
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        made["dynamodb table"] += 1
    session.client("efs", region_name=region).create_file_system(CreationToken="bench")
    made["file system"] += 1


def build(
    session: boto3.Session, regions: tuple[str, ...], scale: float, data_stores: bool = True
) -> Counter[str]:
    """Hundreds of resources; returns how many of each kind were made."""
    made: Counter[str] = Counter()
    n = max(1, round(scale))
    for region in regions:
        ec2 = session.client("ec2", region_name=region)
        kms = session.client("kms", region_name=region)
        for v in range(3 * n):
            vpc = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
            made["vpc"] += 1
            if v % 2 == 0:
                ec2.create_flow_logs(
                    ResourceIds=[vpc],
                    ResourceType="VPC",
                    TrafficType="ALL",
                    LogDestinationType="s3",
                    LogDestination="arn:aws:s3:::bench-logs",
                )
                made["flow log"] += 1
            for g in range(5):
                group = ec2.create_security_group(
                    GroupName=f"g{g}", Description="bench", VpcId=vpc
                )["GroupId"]
                port = 22 if g == 0 else 443 + g
                ec2.authorize_security_group_ingress(
                    GroupId=group,
                    IpPermissions=[
                        {
                            "IpProtocol": "tcp",
                            "FromPort": port,
                            "ToPort": port,
                            "IpRanges": [{"CidrIp": "0.0.0.0/0" if g < 2 else "10.0.0.0/24"}],
                        }
                    ],
                )
                made["security group"] += 1
            ec2.create_network_acl(VpcId=vpc)
            made["network acl"] += 1
        for _ in range(6 * n):
            volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=4, Encrypted=_ % 2 == 0)[
                "VolumeId"
            ]
            ec2.create_snapshot(VolumeId=volume)
            made["volume"] += 1
            made["snapshot"] += 1
        for k in range(4 * n):
            key = kms.create_key(Description=f"k{k}")["KeyMetadata"]["KeyId"]
            if k % 2:
                kms.enable_key_rotation(KeyId=key)
            made["kms key"] += 1
        ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2)
        made["instance"] += 2
        backup = session.client("backup", region_name=region)
        backup.create_backup_vault(BackupVaultName="vault")
        backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": "daily",
                "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "vault"}],
            }
        )
        made["backup plan"] += 1
        if data_stores:
            _data_stores(session, region, made)
    s3 = session.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bench-logs")
    for b in range(20 * n):
        region = regions[b % len(regions)]
        config = (
            {}
            if region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        session.client("s3", region_name=region).create_bucket(Bucket=f"bench-{b}", **config)
        made["bucket"] += 1
    trail = session.client("cloudtrail", region_name="us-east-1")
    trail.create_trail(Name="bench-trail", S3BucketName="bench-logs", IsMultiRegionTrail=True)
    trail.start_logging(Name="bench-trail")
    made["trail"] += 1
    iam = session.client("iam", region_name="us-east-1")
    for u in range(15 * n):
        iam.create_user(UserName=f"user{u}")
        if u % 3 == 0:
            iam.create_access_key(UserName=f"user{u}")
        made["iam user"] += 1
    for r in range(10 * n):
        iam.create_role(RoleName=f"role{r}", AssumeRolePolicyDocument=json.dumps(TRUST))
        if r == 0:
            iam.attach_role_policy(
                RoleName="role0", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
            )
        made["iam role"] += 1
    for p in range(5 * n):
        iam.create_policy(PolicyName=f"policy{p}", PolicyDocument=json.dumps(ADMIN))
        made["iam policy"] += 1
    _security(session, regions, n)
    return made


ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _security(session: boto3.Session, regions: tuple[str, ...], n: int) -> None:
    """Console passwords (a third of the users, half of them with MFA), a password policy,
    GuardDuty and AWS Config in every other region, S3 Block Public Access on some buckets.
    Settings of resources counted already, so not counted again: requests per resource stay
    comparable with runs before the six controls existed."""
    iam = session.client("iam", region_name="us-east-1")
    for u in range(0, 15 * n, 3):
        iam.create_login_profile(UserName=f"user{u}", Password="Bench-password-123")
        if u % 2 == 0:
            serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"user{u}")[
                "VirtualMFADevice"
            ]["SerialNumber"]
            iam.enable_mfa_device(
                UserName=f"user{u}",
                SerialNumber=serial,
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
    iam.update_account_password_policy(MinimumPasswordLength=14, PasswordReusePrevention=24)
    for region in regions[::2]:
        session.client("guardduty", region_name=region).create_detector(Enable=True)
        config = session.client("config", region_name=region)
        config.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": "arn:aws:iam::123456789012:role/config",
                "recordingGroup": {"allSupported": True},
            }
        )
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "bench-logs"}
        )
        config.start_configuration_recorder(ConfigurationRecorderName="default")
    for b in range(0, 20 * n, 4):
        region = regions[b % len(regions)]
        session.client("s3", region_name=region).put_public_access_block(
            Bucket=f"bench-{b}", PublicAccessBlockConfiguration=ALL_ON
        )
    control = session.client("s3control", region_name="us-east-1")
    register_local_fixes(control, "s3control")
    control.put_public_access_block(
        AccountId="123456789012",
        PublicAccessBlockConfiguration={**ALL_ON, "RestrictPublicBuckets": False},
    )
