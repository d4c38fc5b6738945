# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""Account-wide inventory fetched once per scan: IAM, S3 buckets, the organization."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model_security import (
    BucketPublicAccess,
    ConsoleUser,
    OrganizationsFeatures,
    PasswordPolicy,
    PublicAccessBlock,
)

# --- IAM ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InlinePolicy:
    """One item of a principal's `UserPolicyList` / `GroupPolicyList` / `RolePolicyList`.

    `document` is the policy JSON as a dict when boto3 decoded it, or the string AWS
    sent (URL-encoded JSON in the raw API); checks accept either.
    """

    name: str
    document: Mapping[str, Any] | str


@dataclass(frozen=True)
class AttachedPolicy:
    """One item of a principal's `AttachedManagedPolicies[]`."""

    name: str
    arn: str


@dataclass(frozen=True)
class AccessKeyLastUsed:
    """`iam:GetAccessKeyLastUsed` `AccessKeyLastUsed`; `last_used` None = never used."""

    last_used: datetime | None = None
    service_name: str = ""  # "N/A" when never used
    region: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AccessKey:
    """One item of `iam:ListAccessKeys` `AccessKeyMetadata[]` plus its last use."""

    access_key_id: str
    status: str  # "Active" | "Inactive"
    create_date: datetime | None
    last_used: Fetched[AccessKeyLastUsed]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class IamUser:
    """`GetAccountAuthorizationDetails` `UserDetailList[]` plus the user's access keys
    (`ListAccessKeys` per user, fresher than the up-to-4-hours-old credential report)."""

    name: str
    user_id: str
    arn: str
    path: str
    access_keys: Fetched[tuple[AccessKey, ...]]
    create_date: datetime | None = None
    group_names: tuple[str, ...] = ()  # `GroupList`
    inline_policies: tuple[InlinePolicy, ...] = ()  # `UserPolicyList`
    attached_policies: tuple[AttachedPolicy, ...] = ()  # `AttachedManagedPolicies`
    permissions_boundary_arn: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class IamGroup:
    """`GetAccountAuthorizationDetails` `GroupDetailList[]`."""

    name: str
    group_id: str
    arn: str
    path: str
    inline_policies: tuple[InlinePolicy, ...] = ()  # `GroupPolicyList`
    attached_policies: tuple[AttachedPolicy, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class IamRole:
    """`GetAccountAuthorizationDetails` `RoleDetailList[]`.

    Service-linked roles live under path `/aws-service-role/` and AWS owns their policies.
    """

    name: str
    role_id: str
    arn: str
    path: str
    inline_policies: tuple[InlinePolicy, ...] = ()  # `RolePolicyList`
    attached_policies: tuple[AttachedPolicy, ...] = ()
    assume_role_policy: Mapping[str, Any] | str | None = None  # `AssumeRolePolicyDocument`
    last_used: datetime | None = None  # `RoleLastUsed.LastUsedDate`
    permissions_boundary_arn: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True)
class ManagedPolicy:
    """`GetAccountAuthorizationDetails` `Policies[]` (customer-managed, and AWS-managed
    ones that are attached). moto omits `PolicyName`: ENGINE takes it from the ARN.

    `default_document` is the `PolicyVersionList[]` entry with `IsDefaultVersion`.
    """

    name: str
    arn: str
    path: str = "/"
    default_version_id: str = ""
    default_document: Mapping[str, Any] | str | None = None
    attachment_count: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_aws_managed(self) -> bool:
        """AWS-managed policies live at `arn:<partition>:iam::aws:policy/...`."""
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True)
class AuthorizationDetails:
    """`iam:GetAccountAuthorizationDetails`, all pages, as one consistent snapshot."""

    users: tuple[IamUser, ...] = ()
    groups: tuple[IamGroup, ...] = ()
    roles: tuple[IamRole, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()


@dataclass(frozen=True)
class CredentialReportRow:
    """One CSV row of `iam:GetCredentialReport` (`user` is "<root_account>" for root;
    moto has no root row). Dates None when the report says "N/A"/"no_information".

    `missing` names the columns read here that the report did not have: a date that is
    None because its column is missing is "not said", not "never used"."""

    user: str
    arn: str
    mfa_active: bool | None = None
    password_last_used: datetime | None = None
    access_key_1_active: bool = False
    access_key_1_last_rotated: datetime | None = None
    access_key_1_last_used: datetime | None = None
    access_key_2_active: bool = False
    access_key_2_last_rotated: datetime | None = None
    access_key_2_last_used: datetime | None = None
    missing: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class IamInventory:
    authorization: Fetched[AuthorizationDetails]
    # `iam:GetAccountSummary` `SummaryMap`, e.g. {"AccountAccessKeysPresent": 0, ...}
    account_summary: Fetched[Mapping[str, int]]
    credential_report: Fetched[tuple[CredentialReportRow, ...]]
    # iam:ListUsers, then GetLoginProfile per user and ListMFADevices per console user
    console_users: Fetched[tuple[ConsoleUser, ...]]
    # iam:GetAccountPasswordPolicy; None value: the account has no password policy
    password_policy: Fetched[PasswordPolicy | None]
    # iam:ListOrganizationsFeatures; None value: centralised root access is not available
    organizations_features: Fetched[OrganizationsFeatures | None]


# --- S3 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptionRule:
    """One item of `GetBucketEncryption` `ServerSideEncryptionConfiguration.Rules[]`.

    `sse_algorithm` is None for a rule without `ApplyServerSideEncryptionByDefault` (AWS
    accepts a rule that only sets `BucketKeyEnabled`): it names no default algorithm.
    """

    sse_algorithm: str | None  # "AES256" | "aws:kms" | "aws:kms:dsse" | None
    kms_master_key_id: str | None = None
    bucket_key_enabled: bool = False


@dataclass(frozen=True)
class BucketEncryption:
    rules: tuple[EncryptionRule, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ObjectLock:
    """`GetObjectLockConfiguration`. mode/days/years from `Rule.DefaultRetention`."""

    enabled: bool  # `ObjectLockEnabled == "Enabled"`
    mode: str | None = None  # "COMPLIANCE" | "GOVERNANCE" | None (no default retention)
    days: int | None = None
    years: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ReplicationRule:
    """One item of `GetBucketReplication` `ReplicationConfiguration.Rules[]`."""

    rule_id: str
    status: str  # "Enabled" | "Disabled"
    destination_bucket_arn: str  # `Destination.Bucket`
    destination_account: str | None = None
    # What the rule leaves out: None when it replicates the whole bucket (no `Filter`, an
    # empty one, or an empty legacy `Prefix`), else e.g. "prefix logs/ and tag Owner=c7n".
    only: str | None = None
    priority: int | None = None
    scope_stated: bool = True  # False: the answer gives neither `Filter` nor `Prefix`


@dataclass(frozen=True)
class Replication:
    role: str
    rules: tuple[ReplicationRule, ...]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Versioning:
    """`GetBucketVersioning`; `status` None = never enabled."""

    status: str | None  # "Enabled" | "Suspended" | None
    mfa_delete: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Bucket:
    """One item of `s3:ListBuckets` `Buckets[]` plus per-bucket sub-fetches.

    Each sub-fetch's value is None when AWS says "no such configuration"
    (ServerSideEncryptionConfigurationNotFoundError, ObjectLockConfigurationNotFoundError,
    ReplicationConfigurationNotFoundError): ENGINE maps those errors to `value=None`
    with `error=None`. Any other error stays an error.
    """

    name: str
    region: Fetched[str]  # `GetBucketLocation` (None/"" LocationConstraint → "us-east-1")
    encryption: Fetched[BucketEncryption | None]
    object_lock: Fetched[ObjectLock | None]
    replication: Fetched[Replication | None]
    versioning: Fetched[Versioning]
    creation_date: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def arn(self, partition: str = "aws") -> str:
        return f"arn:{partition}:s3:::{self.name}"


@dataclass(frozen=True)
class S3Inventory:
    buckets: Fetched[tuple[Bucket, ...]]
    # s3control:GetPublicAccessBlock for the account; None value: none configured
    account_public_access: Fetched[PublicAccessBlock | None]
    # s3:ListBuckets, then GetPublicAccessBlock and GetBucketPolicyStatus per bucket
    bucket_public_access: Fetched[tuple[BucketPublicAccess, ...]]


# --- Organizations ------------------------------------------------------------------


@dataclass(frozen=True)
class Organization:
    """`organizations:DescribeOrganization` `Organization` (None: not in one)."""

    org_id: str
    arn: str
    management_account_id: str  # `MasterAccountId`
    feature_set: str = "ALL"
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
