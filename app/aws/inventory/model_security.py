# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""What the account-security checks read: console sign-in, password policy, centralised
root access, GuardDuty, AWS Config and S3 Block Public Access.

Fields follow the absent-field rule of `model.py`: a setting the answer leaves out is
None ("not said"), never a value that would let a row PASS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched

# --- IAM: console sign-in, password policy, centralised root access ----------------------


@dataclass(frozen=True)
class LoginProfile:
    """`iam:GetLoginProfile` `LoginProfile`: the user has a console password."""

    create_date: datetime | None = None
    password_reset_required: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class MfaDevice:
    """One item of `iam:ListMFADevices` `MFADevices[]` (virtual, hardware or FIDO)."""

    serial_number: str
    enable_date: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ConsoleUser:
    """One item of `iam:ListUsers` `Users[]` with its console password and MFA devices.

    `login_profile` is ok with value None when IAM says the user has no password
    (`NoSuchEntity`). `mfa_devices` is only asked for users with a password; for the
    others it carries a "not asked" error that no check reads.
    """

    name: str
    arn: str
    login_profile: Fetched[LoginProfile | None]
    mfa_devices: Fetched[tuple[MfaDevice, ...]]
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class PasswordPolicy:
    """`iam:GetAccountPasswordPolicy` `PasswordPolicy` (the fetch is ok with value None when
    the account has none: `NoSuchEntity`).

    IAM leaves `PasswordReusePrevention` and `MaxPasswordAge` out of the answer when they
    are not set (the API reference's example policy has neither), so None reads as "not
    set", which never passes.
    """

    minimum_length: int | None
    reuse_prevention: int | None = None
    require_symbols: bool | None = None
    require_numbers: bool | None = None
    require_uppercase: bool | None = None
    require_lowercase: bool | None = None
    max_age_days: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class OrganizationsFeatures:
    """`iam:ListOrganizationsFeatures`: the centralised root access features enabled for the
    organization (`RootCredentialsManagement`, `RootSessions`).

    The fetch is ok with value None when centralised root access is not available to the
    account: no organization, one without all features, or without IAM trusted access.
    `enabled` is None when the answer leaves `EnabledFeatures` out.
    """

    organization_id: str | None
    enabled: tuple[str, ...] | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def manages_root_credentials(self) -> bool:
        return "RootCredentialsManagement" in (self.enabled or ())


# --- GuardDuty ------------------------------------------------------------------------


@dataclass(frozen=True)
class DetectorDetails:
    """`guardduty:GetDetector` for one detector; `status` "ENABLED" | "DISABLED"."""

    status: str | None
    features: tuple[tuple[str, str], ...] = ()  # (`Features[].Name`, `.Status`)
    updated_at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Detector:
    """One id of `guardduty:ListDetectors` `DetectorIds[]` (at most one per region)."""

    detector_id: str
    details: Fetched[DetectorDetails]


# --- AWS Config -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecorderStatus:
    """One item of `config:DescribeConfigurationRecorderStatus`."""

    recording: bool | None
    last_status: str | None = None  # "Pending" | "Success" | "Failure"
    last_error_code: str | None = None
    last_error_message: str | None = None
    last_status_change: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ConfigRecorder:
    """One item of `config:DescribeConfigurationRecorders`, with its status (matched by
    name; ok with value None when the status listing has no entry for it).

    A recorder with a `service_principal` is service-linked: another AWS service records
    what it needs for itself, not the account's configuration.
    """

    name: str
    status: Fetched[RecorderStatus | None]
    all_supported: bool | None = None  # `recordingGroup.allSupported`
    include_global_types: bool | None = None
    resource_types: tuple[str, ...] = ()
    strategy: str | None = None  # `recordingGroup.recordingStrategy.useOnly`
    service_principal: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class DeliveryChannel:
    """One item of `config:DescribeDeliveryChannels`."""

    name: str
    s3_bucket: str | None = None
    sns_topic: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


# --- S3 Block Public Access ---------------------------------------------------------------

BLOCK_SETTINGS = (
    ("BlockPublicAcls", "block_public_acls"),
    ("IgnorePublicAcls", "ignore_public_acls"),
    ("BlockPublicPolicy", "block_public_policy"),
    ("RestrictPublicBuckets", "restrict_public_buckets"),
)


@dataclass(frozen=True)
class PublicAccessBlock:
    """A `PublicAccessBlockConfiguration` (account: `s3control:GetPublicAccessBlock`;
    bucket: `s3:GetPublicAccessBlock`); each setting None when the answer leaves it out."""

    block_public_acls: bool | None
    ignore_public_acls: bool | None
    block_public_policy: bool | None
    restrict_public_buckets: bool | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def settings(self) -> dict[str, bool | None]:
        """Each setting by its AWS name."""
        return {name: getattr(self, attribute) for name, attribute in BLOCK_SETTINGS}

    @property
    def all_on(self) -> bool:
        return all(value is True for value in self.settings().values())


@dataclass(frozen=True)
class PolicyStatus:
    """`s3:GetBucketPolicyStatus` `PolicyStatus` (the fetch is ok with value None when the
    bucket has no policy: `NoSuchBucketPolicy`)."""

    is_public: bool | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class BucketPublicAccess:
    """One bucket of `s3:ListBuckets`, its region, its own block and its policy status.

    `block` is ok with value None when the bucket has no block of its own
    (`NoSuchPublicAccessBlockConfiguration`)."""

    name: str
    region: Fetched[str]
    block: Fetched[PublicAccessBlock | None]
    policy_status: Fetched[PolicyStatus | None]

    def arn(self, partition: str = "aws") -> str:
        return f"arn:{partition}:s3:::{self.name}"
