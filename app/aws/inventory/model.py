# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""The account inventory: the typed contract between fetching (app/aws) and checking.

Rules of the contract:
- Every leaf is a `Fetched[...]`: `error` set means "could not look" (the checks
  turn it into ERROR rows); `ok` with an empty tuple means "there is none".
- A `Fetched[X | None]` that is ok with `value=None` means AWS said "no such
  configuration" (read `.value`, not `.require()`, which refuses None).
- Per-item sub-fetches sit on the item, so one failing item spoils only its own row.
- Every resource keeps `raw`: the JSON-safe response item (datetimes as ISO-8601
  strings) from which checks cut evidence excerpts. Typed fields hold datetimes
  as timezone-aware UTC `datetime`s.
- The `Call` of a `Fetched` is the first call of that fetch (parameters as sent,
  without pagination tokens), with the region it went to ("global" for IAM/S3 list).

The rule for fields AWS may leave out (real answers do: older KMS keys carry neither
`KeySpec` nor `CustomerMasterKeySpec`, older flow logs no `DeliverLogsStatus`, older RDS
answers no `DeletionProtection`, DynamoDB no `SSEDescription` for AWS-owned keys):
- A field a check relies on that is absent becomes AWS's documented default where AWS
  documents one (and the fetcher's comment cites it), else `None`, "not said". It never
  becomes a value that drops the resource from a population (an empty key spec that
  makes a key "not symmetric") or that lets a row PASS (an absent error read as "no
  error" where AWS also reports success explicitly).
- A check that meets `None` gives that resource an ERROR row saying which field the
  answer lacked; only a field whose absence AWS documents as meaning "nothing wrong"
  (e.g. `LatestDeliveryError`) may read as such.
- An identifier the code cannot do without (`VpcId`, `KeyId`...) raises `KeyError`
  in the fetcher; `convert` turns that into an ERROR for the whole listing.
`tests/aws/test_absent_fields.py` replays the recorded answers with each optional
member (botocore's output shapes) removed in turn and fails on any new PASS or any
resource that vanished without an ERROR row.

Resource dataclasses live in model_network / model_compute / model_services /
model_global / model_data / model_security and are re-exported here: import everything
from this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.aws.fetched import Fetched
from app.aws.inventory.model_compute import (
    Instance,
    ManagedInstance,
    Snapshot,
    SnapshotLock,
    Volume,
)
from app.aws.inventory.model_data import (
    ContinuousBackups,
    DbCluster,
    DbInstance,
    DynamoTable,
    FileSystem,
    ProtectedResource,
    TableDescription,
)
from app.aws.inventory.model_global import (
    AccessKey,
    AccessKeyLastUsed,
    AttachedPolicy,
    AuthorizationDetails,
    Bucket,
    BucketEncryption,
    CredentialReportRow,
    EncryptionRule,
    IamGroup,
    IamInventory,
    IamRole,
    IamUser,
    InlinePolicy,
    ManagedPolicy,
    ObjectLock,
    Organization,
    Replication,
    ReplicationRule,
    S3Inventory,
    Versioning,
)
from app.aws.inventory.model_network import (
    FlowLog,
    GroupReference,
    IpPermission,
    NetworkAcl,
    NetworkAclEntry,
    SecurityGroup,
    Subnet,
    Vpc,
)
from app.aws.inventory.model_security import (
    BucketPublicAccess,
    ConfigRecorder,
    ConsoleUser,
    DeliveryChannel,
    Detector,
    DetectorDetails,
    LoginProfile,
    MfaDevice,
    OrganizationsFeatures,
    PasswordPolicy,
    PolicyStatus,
    PublicAccessBlock,
    RecorderStatus,
)
from app.aws.inventory.model_services import (
    AdvancedEventSelector,
    AdvancedFieldSelector,
    BackupPlan,
    BackupRule,
    BackupSelection,
    BackupVault,
    EventSelector,
    KeyMetadata,
    KeyRotation,
    KmsAlias,
    KmsKey,
    SelectionRules,
    TagCondition,
    Trail,
    TrailEventSelectors,
    TrailStatus,
)

__all__ = [
    "AccessKey",
    "AccessKeyLastUsed",
    "AdvancedEventSelector",
    "AdvancedFieldSelector",
    "AttachedPolicy",
    "AuthorizationDetails",
    "BackupPlan",
    "BackupRule",
    "BackupSelection",
    "BackupVault",
    "Bucket",
    "BucketEncryption",
    "BucketPublicAccess",
    "ConfigRecorder",
    "ConsoleUser",
    "ContinuousBackups",
    "CredentialReportRow",
    "DbCluster",
    "DbInstance",
    "DeliveryChannel",
    "Detector",
    "DetectorDetails",
    "DynamoTable",
    "EncryptionRule",
    "EventSelector",
    "FileSystem",
    "FlowLog",
    "GroupReference",
    "IamGroup",
    "IamInventory",
    "IamRole",
    "IamUser",
    "InlinePolicy",
    "Instance",
    "Inventory",
    "IpPermission",
    "KeyMetadata",
    "KeyRotation",
    "KmsAlias",
    "KmsKey",
    "LoginProfile",
    "ManagedInstance",
    "ManagedPolicy",
    "MfaDevice",
    "NetworkAcl",
    "NetworkAclEntry",
    "ObjectLock",
    "Organization",
    "OrganizationsFeatures",
    "PasswordPolicy",
    "PolicyStatus",
    "ProtectedResource",
    "PublicAccessBlock",
    "RecorderStatus",
    "RegionInventory",
    "Replication",
    "ReplicationRule",
    "S3Inventory",
    "SecurityGroup",
    "SelectionRules",
    "Snapshot",
    "SnapshotLock",
    "Subnet",
    "TableDescription",
    "TagCondition",
    "Trail",
    "TrailEventSelectors",
    "TrailStatus",
    "Versioning",
    "Volume",
    "Vpc",
]


@dataclass(frozen=True)
class RegionInventory:
    """Everything fetched in one enabled region. One `Fetched` per API listing."""

    region: str
    # ec2 networking
    vpcs: Fetched[tuple[Vpc, ...]]  # DescribeVpcs
    subnets: Fetched[tuple[Subnet, ...]]  # DescribeSubnets
    security_groups: Fetched[tuple[SecurityGroup, ...]]  # DescribeSecurityGroups
    network_acls: Fetched[tuple[NetworkAcl, ...]]  # DescribeNetworkAcls
    flow_logs: Fetched[tuple[FlowLog, ...]]  # DescribeFlowLogs
    # ec2 compute and block storage
    ebs_encryption_by_default: Fetched[bool]  # GetEbsEncryptionByDefault
    volumes: Fetched[tuple[Volume, ...]]  # DescribeVolumes
    snapshots: Fetched[tuple[Snapshot, ...]]  # DescribeSnapshots, owner-id filter
    # DescribeLockedSnapshots (owner-id filter); moto: not implemented → error
    snapshot_locks: Fetched[tuple[SnapshotLock, ...]]
    instances: Fetched[tuple[Instance, ...]]  # DescribeInstances, all states
    # ssm:DescribeInstanceInformation; moto: not implemented → error
    managed_instances: Fetched[tuple[ManagedInstance, ...]]
    # cloudtrail:DescribeTrails(includeShadowTrails=True), status/selectors per trail
    trails: Fetched[tuple[Trail, ...]]
    # kms:ListKeys with DescribeKey / GetKeyRotationStatus per key; ListAliases
    kms_keys: Fetched[tuple[KmsKey, ...]]
    kms_aliases: Fetched[tuple[KmsAlias, ...]]
    # backup:ListBackupPlans (+ GetBackupPlan, ListBackupSelections per plan, then
    # GetBackupSelection per selection, and tag:GetResources when one assigns by tag)
    backup_plans: Fetched[tuple[BackupPlan, ...]]
    backup_vaults: Fetched[tuple[BackupVault, ...]]  # ListBackupVaults
    # backup:ListProtectedResources; moto: not implemented → error
    protected_resources: Fetched[tuple[ProtectedResource, ...]]
    # data stores
    db_instances: Fetched[tuple[DbInstance, ...]]  # rds:DescribeDBInstances
    db_clusters: Fetched[tuple[DbCluster, ...]]  # rds:DescribeDBClusters
    # dynamodb:ListTables, then DescribeTable and DescribeContinuousBackups per table
    dynamodb_tables: Fetched[tuple[DynamoTable, ...]]
    file_systems: Fetched[tuple[FileSystem, ...]]  # elasticfilesystem:DescribeFileSystems
    # account security services
    guardduty_detectors: Fetched[tuple[Detector, ...]]  # ListDetectors, GetDetector per id
    # config:DescribeConfigurationRecorders with DescribeConfigurationRecorderStatus
    config_recorders: Fetched[tuple[ConfigRecorder, ...]]
    config_delivery_channels: Fetched[tuple[DeliveryChannel, ...]]  # DescribeDeliveryChannels


@dataclass(frozen=True)
class Inventory:
    """One account's inventory at scan time.

    `regions` holds the scanned (enabled, or `--regions`) regions; `skipped_regions`
    names regions not scanned (opt-in, not enabled), which get no rows.
    """

    account_id: str
    caller_arn: str  # sts:GetCallerIdentity `Arn`
    partition: str  # "aws", "aws-cn", "aws-us-gov" (from the caller ARN)
    regions: Mapping[str, RegionInventory]
    skipped_regions: tuple[str, ...]
    iam: IamInventory
    s3: S3Inventory
    organization: Fetched[Organization | None]  # None value: not in an organization

    def arn(self, service: str, region: str, resource: str) -> str:
        """`arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1` for APIs giving ids."""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"
