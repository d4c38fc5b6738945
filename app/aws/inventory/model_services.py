# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""Regional service inventory: CloudTrail trails, KMS keys and aliases, AWS Backup.

Per-item sub-fetches (a trail's status, a key's metadata or rotation, a plan's
rules) are `Fetched` fields on the item, so one failing item gives an ERROR row
for that item only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched

# --- CloudTrail ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrailStatus:
    """`cloudtrail:GetTrailStatus` response."""

    is_logging: bool  # `IsLogging`
    latest_delivery_error: str = ""  # `LatestDeliveryError`
    start_logging_time: datetime | None = None
    stop_logging_time: datetime | None = None
    latest_delivery_time: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class EventSelector:
    """One item of `GetEventSelectors` `EventSelectors[]` (basic selectors)."""

    read_write_type: str  # "All" | "ReadOnly" | "WriteOnly"
    include_management_events: bool  # `IncludeManagementEvents`
    exclude_management_event_sources: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AdvancedFieldSelector:
    """One item of an advanced selector's `FieldSelectors[]`."""

    field: str  # "eventCategory", "readOnly", "eventSource", ...
    equals: tuple[str, ...] = ()
    not_equals: tuple[str, ...] = ()
    starts_with: tuple[str, ...] = ()
    not_starts_with: tuple[str, ...] = ()
    ends_with: tuple[str, ...] = ()
    not_ends_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdvancedEventSelector:
    """One item of `GetEventSelectors` `AdvancedEventSelectors[]`."""

    name: str
    field_selectors: tuple[AdvancedFieldSelector, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TrailEventSelectors:
    """`cloudtrail:GetEventSelectors` response. A trail uses basic OR advanced selectors.

    Both empty on a successful call means selectors were never set: real AWS then
    reports the default all-management-events selector; moto returns `[]`.
    """

    event_selectors: tuple[EventSelector, ...] = ()
    advanced_event_selectors: tuple[AdvancedEventSelector, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Trail:
    """One item of `cloudtrail:DescribeTrails(includeShadowTrails=True)` `trailList[]`.

    A multi-region or organization trail appears in every region's list (a "shadow"
    copy) with the same ARN; `home_region` says where it lives. ENGINE fetches
    `status` and `event_selectors` in the trail's home region (moto refuses selectors
    elsewhere) and leaves them None on shadow copies whose home region is also
    scanned; a shadow copy whose home region is not scanned gets them fetched by ARN.
    Checks deduplicate by ARN, preferring the copy that carries `status`.
    """

    name: str
    arn: str  # `TrailARN`
    home_region: str
    is_multi_region: bool  # `IsMultiRegionTrail`
    is_organization_trail: bool = False  # `IsOrganizationTrail`: may be another account's
    s3_bucket_name: str = ""
    cloud_watch_logs_log_group_arn: str = ""
    log_file_validation_enabled: bool = False
    kms_key_id: str = ""
    has_custom_event_selectors: bool = False  # `HasCustomEventSelectors`
    has_insight_selectors: bool = False
    status: Fetched[TrailStatus] | None = None
    event_selectors: Fetched[TrailEventSelectors] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


# --- KMS ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyMetadata:
    """`kms:DescribeKey` `KeyMetadata`."""

    key_manager: str  # "CUSTOMER" | "AWS"
    key_state: str  # "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport" | ...
    enabled: bool
    key_spec: str = "SYMMETRIC_DEFAULT"  # `KeySpec`
    key_usage: str = "ENCRYPT_DECRYPT"  # `KeyUsage`
    origin: str = "AWS_KMS"  # `Origin`: "AWS_KMS" | "EXTERNAL" | "AWS_CLOUDHSM" | ...
    description: str = ""
    creation_date: datetime | None = None
    deletion_date: datetime | None = None  # `DeletionDate` when PendingDeletion
    pending_deletion_window_days: int | None = None  # `PendingDeletionWindowInDays`
    multi_region: bool | None = None  # `MultiRegion` (moto omits it → None)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class KeyRotation:
    """`kms:GetKeyRotationStatus` response."""

    enabled: bool  # `KeyRotationEnabled`
    rotation_period_days: int | None = None  # `RotationPeriodInDays`
    next_rotation_date: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class KmsAlias:
    """One item of `kms:ListAliases` `Aliases[]` (e.g. "alias/aws/ebs" → an AWS key)."""

    alias_name: str
    alias_arn: str = ""
    target_key_id: str | None = None  # None for AWS-reserved aliases not yet used
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class KmsKey:
    """One item of `kms:ListKeys` `Keys[]` plus its per-key sub-fetches.

    `rotation` is fetched for customer-managed symmetric keys that are not pending
    deletion (the API refuses other keys); None means "not fetched: not applicable".
    """

    key_id: str
    arn: str  # `KeyArn`
    metadata: Fetched[KeyMetadata]
    rotation: Fetched[KeyRotation] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


# --- AWS Backup ---------------------------------------------------------------------


@dataclass(frozen=True)
class BackupRule:
    """One item of `backup:GetBackupPlan` `BackupPlan.Rules[]`."""

    rule_name: str
    target_vault_name: str  # `TargetBackupVaultName`
    schedule_expression: str = ""
    delete_after_days: int | None = None  # `Lifecycle.DeleteAfterDays`
    copy_destination_vault_arns: tuple[str, ...] = ()  # `CopyActions[].DestinationBackupVaultArn`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TagCondition:
    """One tag test of a selection: `ListOfTags[]` (always StringEquals) or one entry of
    `Conditions.StringEquals/StringNotEquals/StringLike/StringNotLike[]`."""

    operator: str  # "StringEquals" | "StringNotEquals" | "StringLike" | "StringNotLike"
    key: str  # the tag key, without the `aws:ResourceTag/` prefix AWS accepts
    value: str


@dataclass(frozen=True)
class SelectionRules:
    """`backup:GetBackupSelection` `BackupSelection`: what the selection assigns.

    AWS's rules: `resources` are OR'ed (ARNs, `*` wildcards), `list_of_tags` are OR'ed,
    `conditions` are AND'ed and narrow the selection, `not_resources` are taken out.
    Neither resources nor tags: every supported, opted-in resource.
    """

    resources: tuple[str, ...] = ()  # `Resources`
    not_resources: tuple[str, ...] = ()  # `NotResources`
    list_of_tags: tuple[TagCondition, ...] = ()  # `ListOfTags`
    conditions: tuple[TagCondition, ...] = ()  # `Conditions`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def uses_tags(self) -> bool:
        return bool(self.list_of_tags or self.conditions)


@dataclass(frozen=True)
class BackupSelection:
    """One item of `backup:ListBackupSelections` `BackupSelectionsList[]`, with its rules
    (`GetBackupSelection`) and, when those assign by tag, the region's resource tags
    (`tag:GetResources`, one fetch per region shared by its selections: ARN -> tags)."""

    selection_id: str
    selection_name: str
    rules: Fetched[SelectionRules]
    iam_role_arn: str = ""
    resource_tags: Fetched[Mapping[str, Mapping[str, str]]] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class BackupPlan:
    """One item of `backup:ListBackupPlans` `BackupPlansList[]` plus its sub-fetches.

    `rules` from `GetBackupPlan`, `selections` from `ListBackupSelections` (moto: not
    implemented → error), both per plan; each selection's rules from `GetBackupSelection`.
    """

    plan_id: str
    arn: str
    name: str
    rules: Fetched[tuple[BackupRule, ...]]
    selections: Fetched[tuple[BackupSelection, ...]]
    version_id: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class BackupVault:
    """One item of `backup:ListBackupVaults` `BackupVaultList[]`."""

    name: str
    arn: str
    encryption_key_arn: str = ""
    locked: bool = False  # `Locked`: Backup Vault Lock applied
    min_retention_days: int | None = None
    max_retention_days: int | None = None
    number_of_recovery_points: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
