"""Hand-built inventories for the check unit tests: every field has a harmless default.

`region()` is a region where every listing succeeded and is empty; tests override
the fields they are about. `ok()` / `failed()` wrap values the way the fetchers do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from app.aws.fetched import Call, Fetched
from app.aws.inventory.model import (
    AccessKey,
    AccessKeyLastUsed,
    AttachedPolicy,
    AuthorizationDetails,
    BackupPlan,
    BackupRule,
    BackupSelection,
    BackupVault,
    Bucket,
    BucketEncryption,
    BucketPublicAccess,
    ConsoleUser,
    CredentialReportRow,
    EncryptionRule,
    FlowLog,
    GroupReference,
    IamGroup,
    IamInventory,
    IamRole,
    IamUser,
    InlinePolicy,
    Instance,
    Inventory,
    IpPermission,
    KeyMetadata,
    KeyRotation,
    KmsAlias,
    KmsKey,
    ManagedInstance,
    ManagedPolicy,
    NetworkAcl,
    NetworkAclEntry,
    ObjectLock,
    Organization,
    OrganizationsFeatures,
    PasswordPolicy,
    PublicAccessBlock,
    RegionInventory,
    Replication,
    ReplicationRule,
    S3Inventory,
    SecurityGroup,
    SelectionRules,
    Snapshot,
    SnapshotLock,
    Subnet,
    Trail,
    TrailEventSelectors,
    TrailStatus,
    Versioning,
    Volume,
    Vpc,
)
from app.controls.checks import CheckSettings
from app.controls.results import CheckResult, Status

T = TypeVar("T")

ACCOUNT = "123456789012"
AT = datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)
NOW = AT + timedelta(minutes=5)
SETTINGS = CheckSettings(now=NOW)
DENIED = "AccessDenied: not authorized"


def call(operation: str = "Describe", service: str = "ec2", region: str = "us-east-1") -> Call:
    return Call(service=service, operation=operation, region=region, parameters={}, at=AT)


def ok(
    value: T, operation: str = "Describe", service: str = "ec2", region: str = "us-east-1"
) -> Fetched[T]:
    return Fetched(call=call(operation, service, region), value=value)


def failed(
    error: str = DENIED,
    operation: str = "Describe",
    service: str = "ec2",
    region: str = "us-east-1",
) -> Fetched[Any]:
    return Fetched(call=call(operation, service, region), error=error)


# --- regions --------------------------------------------------------------------------


def region(name: str = "us-east-1", **fields: Any) -> RegionInventory:
    """A region where everything was read and nothing exists, unless overridden."""
    defaults: dict[str, Any] = {
        "vpcs": ok(()),
        "subnets": ok(()),
        "security_groups": ok(()),
        "network_acls": ok(()),
        "flow_logs": ok(()),
        "ebs_encryption_by_default": ok(True),
        "volumes": ok(()),
        "snapshots": ok(()),
        "snapshot_locks": ok(()),
        "instances": ok(()),
        "managed_instances": ok((), service="ssm"),
        "trails": ok((), service="cloudtrail"),
        "kms_keys": ok((), service="kms"),
        "kms_aliases": ok((), service="kms"),
        "backup_plans": ok((), service="backup"),
        "backup_vaults": ok((), service="backup"),
        "protected_resources": ok((), "ListProtectedResources", "backup"),
        "db_instances": ok((), "DescribeDBInstances", "rds"),
        "db_clusters": ok((), "DescribeDBClusters", "rds"),
        "dynamodb_tables": ok((), "ListTables", "dynamodb"),
        "file_systems": ok((), "DescribeFileSystems", "efs"),
        "guardduty_detectors": ok((), "ListDetectors", "guardduty"),
        "config_recorders": ok((), "DescribeConfigurationRecorders", "config"),
        "config_delivery_channels": ok((), "DescribeDeliveryChannels", "config"),
    }
    defaults.update(fields)
    return RegionInventory(region=name, **defaults)


def inventory(
    *regions: RegionInventory,
    iam: IamInventory | None = None,
    buckets: Fetched[tuple[Bucket, ...]] | Iterable[Bucket] = (),
    account_block: Fetched[PublicAccessBlock | None] | None = None,
    public_access: Fetched[tuple[BucketPublicAccess, ...]] | Iterable[BucketPublicAccess] = (),
) -> Inventory:
    bucket_fetch = buckets if isinstance(buckets, Fetched) else ok(tuple(buckets), service="s3")
    public_fetch = (
        public_access
        if isinstance(public_access, Fetched)
        else ok(tuple(public_access), "ListBuckets", "s3", "global")
    )
    return Inventory(
        account_id=ACCOUNT,
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/auditor",
        partition="aws",
        regions={r.region: r for r in regions},
        skipped_regions=(),
        iam=iam or iam_inventory(),
        s3=S3Inventory(
            buckets=bucket_fetch,
            account_public_access=account_block
            or ok(None, "GetPublicAccessBlock", "s3control", "global"),
            bucket_public_access=public_fetch,
        ),
        organization=ok(None, service="organizations"),
    )


def by_check(results: list[CheckResult], check: str) -> list[CheckResult]:
    return [r for r in results if r.check == check]


def one(results: list[CheckResult], check: str, resource: str | None = None) -> CheckResult:
    """The single row of `check` (for `resource`), failing loudly otherwise."""
    rows = [r for r in by_check(results, check) if resource is None or r.resource == resource]
    assert len(rows) == 1, f"expected one {check} row for {resource}, got {rows}"
    return rows[0]


def statuses(results: list[CheckResult], check: str) -> dict[str, Status]:
    return {r.resource: r.status for r in by_check(results, check)}


def ec2_arn(kind: str, resource_id: str, region_name: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region_name}:{ACCOUNT}:{kind}/{resource_id}"


# --- network --------------------------------------------------------------------------


def vpc(vpc_id: str = "vpc-1", default: bool = False) -> Vpc:
    return Vpc(
        vpc_id=vpc_id,
        is_default=default,
        owner_id=ACCOUNT,
        cidr_blocks=("172.31.0.0/16",),
        raw={"VpcId": vpc_id, "IsDefault": default},
    )


def subnet(subnet_id: str = "subnet-1", vpc_id: str = "vpc-1") -> Subnet:
    return Subnet(subnet_id=subnet_id, vpc_id=vpc_id, raw={"SubnetId": subnet_id})


def perm(
    protocol: str = "tcp",
    from_port: int | None = 22,
    to_port: int | None = None,
    v4: Iterable[str] = (),
    v6: Iterable[str] = (),
    groups: Iterable[str] = (),
    prefix_lists: Iterable[str] = (),
) -> IpPermission:
    to = from_port if to_port is None else to_port
    return IpPermission(
        ip_protocol=protocol,
        from_port=from_port,
        to_port=to,
        ipv4_ranges=tuple(v4),
        ipv6_ranges=tuple(v6),
        prefix_list_ids=tuple(prefix_lists),
        group_references=tuple(GroupReference(group_id=g) for g in groups),
        raw={
            "IpProtocol": protocol,
            "FromPort": from_port,
            "ToPort": to,
            "IpRanges": [{"CidrIp": c} for c in v4],
        },
    )


ALL_OUT = perm("-1", None, None, v4=["0.0.0.0/0"])


def sg(
    group_id: str = "sg-1",
    name: str = "web",
    vpc_id: str = "vpc-1",
    inbound: Iterable[IpPermission] = (),
    outbound: Iterable[IpPermission] = (),
) -> SecurityGroup:
    return SecurityGroup(
        group_id=group_id,
        group_name=name,
        vpc_id=vpc_id,
        owner_id=ACCOUNT,
        inbound=tuple(inbound),
        outbound=tuple(outbound),
        raw={"GroupId": group_id, "GroupName": name},
    )


def entry(
    number: int,
    action: str = "allow",
    cidr: str = "0.0.0.0/0",
    protocol: str = "-1",
    egress: bool = False,
    ports: tuple[int, int] | None = None,
) -> NetworkAclEntry:
    v6 = ":" in cidr
    return NetworkAclEntry(
        rule_number=number,
        protocol=protocol,
        rule_action=action,
        egress=egress,
        cidr_block=None if v6 else cidr,
        ipv6_cidr_block=cidr if v6 else None,
        port_from=ports[0] if ports else None,
        port_to=ports[1] if ports else None,
        raw={"RuleNumber": number, "RuleAction": action},
    )


def default_deny(both_families: bool = False) -> tuple[NetworkAclEntry, ...]:
    """The unchangeable `*` deny entries, inbound and outbound."""
    entries = [entry(32767, "deny"), entry(32767, "deny", egress=True)]
    if both_families:
        entries += [entry(32768, "deny", "::/0"), entry(32768, "deny", "::/0", egress=True)]
    return tuple(entries)


def open_entries() -> tuple[NetworkAclEntry, ...]:
    """What a default NACL holds: allow everything both ways, then the `*` deny."""
    return (entry(100), entry(100, egress=True), *default_deny())


def nacl(
    acl_id: str = "acl-1",
    vpc_id: str = "vpc-1",
    entries: Iterable[NetworkAclEntry] = (),
    subnets: Iterable[str] = (),
    default: bool = False,
) -> NetworkAcl:
    return NetworkAcl(
        network_acl_id=acl_id,
        vpc_id=vpc_id,
        is_default=default,
        owner_id=ACCOUNT,
        entries=tuple(entries),
        subnet_ids=tuple(subnets),
        raw={"NetworkAclId": acl_id},
    )


def flow_log(
    log_id: str = "fl-1",
    resource: str = "vpc-1",
    traffic: str = "ALL",
    status: str = "ACTIVE",
    destination_type: str = "s3",
    delivery: str = "SUCCESS",
) -> FlowLog:
    return FlowLog(
        flow_log_id=log_id,
        resource_id=resource,
        traffic_type=traffic,
        flow_log_status=status,
        destination_type=destination_type,
        destination="arn:aws:s3:::flow-logs",
        deliver_logs_status=delivery,
        raw={"FlowLogId": log_id, "TrafficType": traffic},
    )


# --- compute --------------------------------------------------------------------------


def volume(volume_id: str = "vol-1", encrypted: bool = True) -> Volume:
    return Volume(
        volume_id=volume_id,
        encrypted=encrypted,
        kms_key_id="arn:aws:kms:us-east-1:123456789012:key/k1" if encrypted else None,
        raw={"VolumeId": volume_id, "Encrypted": encrypted},
    )


def snapshot(snapshot_id: str = "snap-1", encrypted: bool = True, owner: str = ACCOUNT) -> Snapshot:
    return Snapshot(
        snapshot_id=snapshot_id,
        encrypted=encrypted,
        owner_id=owner,
        volume_id="vol-1",
        raw={"SnapshotId": snapshot_id, "Encrypted": encrypted},
    )


def lock(
    snapshot_id: str = "snap-1", state: str = "compliance", expires: datetime | None = None
) -> SnapshotLock:
    return SnapshotLock(
        snapshot_id=snapshot_id,
        lock_state=state,
        lock_expires_on=expires or NOW + timedelta(days=30),
        raw={"SnapshotId": snapshot_id, "LockState": state},
    )


def instance(instance_id: str = "i-1", state: str = "running") -> Instance:
    return Instance(instance_id=instance_id, state=state, raw={"InstanceId": instance_id})


def managed(instance_id: str = "i-1", ping: str = "Online") -> ManagedInstance:
    return ManagedInstance(
        instance_id=instance_id,
        ping_status=ping,
        agent_version="3.3.0",
        raw={"InstanceId": instance_id, "PingStatus": ping},
    )


# --- services -------------------------------------------------------------------------


def trail(
    name: str = "main",
    home: str = "us-east-1",
    multi_region: bool = True,
    logging: bool | None = True,
    selectors: TrailEventSelectors | None = None,
    organization: bool = False,
    owner: str = ACCOUNT,
    status: Fetched[TrailStatus] | None = None,
    event_selectors: Fetched[TrailEventSelectors] | None = None,
) -> Trail:
    arn = f"arn:aws:cloudtrail:{home}:{owner}:trail/{name}"
    if status is None and logging is not None:
        status = ok(
            TrailStatus(is_logging=logging, raw={"IsLogging": logging}),
            "GetTrailStatus",
            "cloudtrail",
            home,
        )
    if event_selectors is None and logging is not None:
        event_selectors = ok(
            selectors or TrailEventSelectors(), "GetEventSelectors", "cloudtrail", home
        )
    return Trail(
        name=name,
        arn=arn,
        home_region=home,
        is_multi_region=multi_region,
        is_organization_trail=organization,
        status=status,
        event_selectors=event_selectors,
        raw={"Name": name, "TrailARN": arn},
    )


def key(
    key_id: str = "k1",
    manager: str = "CUSTOMER",
    state: str = "Enabled",
    spec: str = "SYMMETRIC_DEFAULT",
    rotation: bool | None = True,
    origin: str = "AWS_KMS",
    deletion_date: datetime | None = None,
    metadata: Fetched[KeyMetadata] | None = None,
    rotation_fetch: Fetched[KeyRotation] | None = None,
) -> KmsKey:
    meta = metadata or ok(
        KeyMetadata(
            key_manager=manager,
            key_state=state,
            enabled=state == "Enabled",
            key_spec=spec,
            origin=origin,
            deletion_date=deletion_date,
            raw={"KeyId": key_id, "KeyState": state},
        ),
        "DescribeKey",
        "kms",
    )
    if rotation_fetch is None and rotation is not None:
        rotation_fetch = ok(
            KeyRotation(
                enabled=rotation, rotation_period_days=365, raw={"KeyRotationEnabled": rotation}
            ),
            "GetKeyRotationStatus",
            "kms",
        )
    return KmsKey(
        key_id=key_id,
        arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}",
        metadata=meta,
        rotation=rotation_fetch,
    )


def alias(name: str, target: str) -> KmsAlias:
    return KmsAlias(alias_name=name, target_key_id=target)


def plan(
    name: str = "daily",
    vault: str = "Default",
    rules: Fetched[tuple[BackupRule, ...]] | None = None,
    selections: Fetched[tuple[BackupSelection, ...]] | None = None,
) -> BackupPlan:
    return BackupPlan(
        plan_id=f"id-{name}",
        arn=f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:id-{name}",
        name=name,
        rules=rules
        or ok(
            (
                BackupRule(
                    rule_name="r1", target_vault_name=vault, schedule_expression="cron(0 5 * * ? *)"
                ),
            ),
            "GetBackupPlan",
            "backup",
        ),
        selections=selections
        or ok(
            (
                BackupSelection(
                    selection_id="s1",
                    selection_name="all",
                    rules=ok(SelectionRules(resources=("*",)), "GetBackupSelection", "backup"),
                ),
            ),
            "ListBackupSelections",
            "backup",
        ),
    )


def vault(name: str = "Default") -> BackupVault:
    return BackupVault(name=name, arn=f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:{name}")


# --- S3 -------------------------------------------------------------------------------


def bucket(
    name: str = "data",
    region_name: str = "us-east-1",
    encryption: Fetched[BucketEncryption | None] | str | None = "aws:kms",
    object_lock: Fetched[ObjectLock | None] | ObjectLock | None = None,
    replication: Fetched[Replication | None] | Replication | None = None,
    region_fetch: Fetched[str] | None = None,
) -> Bucket:
    if isinstance(encryption, str):
        rule = EncryptionRule(sse_algorithm=encryption, kms_master_key_id="k1")
        encryption = ok(BucketEncryption(rules=(rule,)), "GetBucketEncryption", "s3")
    elif encryption is None:
        encryption = ok(None, "GetBucketEncryption", "s3")
    if not isinstance(object_lock, Fetched):
        object_lock = ok(object_lock, "GetObjectLockConfiguration", "s3")
    if not isinstance(replication, Fetched):
        replication = ok(replication, "GetBucketReplication", "s3")
    return Bucket(
        name=name,
        region=region_fetch or ok(region_name, "GetBucketLocation", "s3"),
        encryption=encryption,
        object_lock=object_lock,
        replication=replication,
        versioning=ok(Versioning(status="Enabled"), "GetBucketVersioning", "s3"),
    )


def replication_to(*destinations: str, status: str = "Enabled") -> Replication:
    rules = tuple(
        ReplicationRule(rule_id=f"r{i}", status=status, destination_bucket_arn=f"arn:aws:s3:::{d}")
        for i, d in enumerate(destinations)
    )
    return Replication(role="arn:aws:iam::123456789012:role/replication", rules=rules)


# --- IAM ------------------------------------------------------------------------------


def access_key(
    key_id: str = "AKIA1",
    status: str = "Active",
    age_days: int = 100,
    last_used: datetime | None = None,
    last_used_fetch: Fetched[AccessKeyLastUsed] | None = None,
) -> AccessKey:
    used = last_used_fetch or ok(
        AccessKeyLastUsed(
            last_used=last_used,
            service_name="s3" if last_used else "N/A",
            region="us-east-1" if last_used else "",
        ),
        "GetAccessKeyLastUsed",
        "iam",
        "global",
    )
    return AccessKey(
        access_key_id=key_id,
        status=status,
        create_date=NOW - timedelta(days=age_days),
        last_used=used,
        raw={"AccessKeyId": key_id, "Status": status},
    )


def user(
    name: str = "alice",
    keys: Iterable[AccessKey] | Fetched[tuple[AccessKey, ...]] = (),
    attached: Iterable[AttachedPolicy] = (),
    inline: Iterable[InlinePolicy] = (),
    groups: Iterable[str] = (),
) -> IamUser:
    key_fetch = (
        keys if isinstance(keys, Fetched) else ok(tuple(keys), "ListAccessKeys", "iam", "global")
    )
    return IamUser(
        name=name,
        user_id=f"AID{name}",
        arn=f"arn:aws:iam::{ACCOUNT}:user/{name}",
        path="/",
        access_keys=key_fetch,
        attached_policies=tuple(attached),
        inline_policies=tuple(inline),
        group_names=tuple(groups),
    )


def group(
    name: str = "admins",
    attached: Iterable[AttachedPolicy] = (),
    inline: Iterable[InlinePolicy] = (),
) -> IamGroup:
    return IamGroup(
        name=name,
        group_id=f"AGP{name}",
        arn=f"arn:aws:iam::{ACCOUNT}:group/{name}",
        path="/",
        attached_policies=tuple(attached),
        inline_policies=tuple(inline),
    )


def role(
    name: str = "deployer",
    path: str = "/",
    attached: Iterable[AttachedPolicy] = (),
    inline: Iterable[InlinePolicy] = (),
) -> IamRole:
    return IamRole(
        name=name,
        role_id=f"ARO{name}",
        arn=f"arn:aws:iam::{ACCOUNT}:role{path}{name}",
        path=path,
        attached_policies=tuple(attached),
        inline_policies=tuple(inline),
    )


ADMIN = AttachedPolicy(
    name="AdministratorAccess", arn="arn:aws:iam::aws:policy/AdministratorAccess"
)
EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READ_S3 = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
}


def managed_policy(name: str, document: Any, aws: bool = False) -> ManagedPolicy:
    owner = "aws" if aws else ACCOUNT
    return ManagedPolicy(
        name=name,
        arn=f"arn:aws:iam::{owner}:policy/{name}",
        default_version_id="v1",
        default_document=document,
    )


def attach(policy: ManagedPolicy) -> AttachedPolicy:
    return AttachedPolicy(name=policy.name, arn=policy.arn)


def iam_inventory(
    users: Iterable[IamUser] = (),
    groups: Iterable[IamGroup] = (),
    roles: Iterable[IamRole] = (),
    policies: Iterable[ManagedPolicy] = (),
    authorization: Fetched[AuthorizationDetails] | None = None,
    summary: Fetched[Any] | None = None,
    report: Fetched[tuple[CredentialReportRow, ...]] | None = None,
    console_users: Fetched[tuple[ConsoleUser, ...]] | Iterable[ConsoleUser] = (),
    password_policy: Fetched[PasswordPolicy | None] | None = None,
    features: Fetched[OrganizationsFeatures | None] | None = None,
) -> IamInventory:
    details = AuthorizationDetails(
        users=tuple(users), groups=tuple(groups), roles=tuple(roles), policies=tuple(policies)
    )
    return IamInventory(
        authorization=authorization
        or ok(details, "GetAccountAuthorizationDetails", "iam", "global"),
        account_summary=summary
        or ok({"AccountAccessKeysPresent": 0}, "GetAccountSummary", "iam", "global"),
        credential_report=report or ok((), "GetCredentialReport", "iam", "global"),
        console_users=console_users
        if isinstance(console_users, Fetched)
        else ok(tuple(console_users), "ListUsers", "iam", "global"),
        password_policy=password_policy or ok(None, "GetAccountPasswordPolicy", "iam", "global"),
        organizations_features=features or ok(None, "ListOrganizationsFeatures", "iam", "global"),
    )


def organization() -> Organization:
    return Organization(
        org_id="o-1",
        arn="arn:aws:organizations::111111111111:organization/o-1",
        management_account_id="111111111111",
    )
