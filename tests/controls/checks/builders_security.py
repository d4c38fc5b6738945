"""Builders for the account-security checks' inventory: console users, password policy,
centralised root access, GuardDuty detectors, AWS Config, S3 Block Public Access."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model import (
    BucketPublicAccess,
    ConfigRecorder,
    ConsoleUser,
    CredentialReportRow,
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
from tests.controls.checks.builders import ACCOUNT, AT, failed, ok


def console_user(
    name: str,
    password: bool = True,
    mfa: int = 0,
    profile: Fetched[LoginProfile | None] | None = None,
    devices: Fetched[tuple[MfaDevice, ...]] | None = None,
) -> ConsoleUser:
    login = LoginProfile(create_date=AT, raw={"UserName": name, "CreateDate": "2026-01-01"})
    found = tuple(
        MfaDevice(serial_number=f"arn:aws:iam::{ACCOUNT}:mfa/{name}-{n}", raw={"SerialNumber": n})
        for n in range(mfa)
    )
    return ConsoleUser(
        name=name,
        arn=f"arn:aws:iam::{ACCOUNT}:user/{name}",
        login_profile=profile
        if profile is not None
        else ok(login if password else None, "GetLoginProfile", "iam", "global"),
        mfa_devices=devices
        if devices is not None
        else ok(found, "ListMFADevices", "iam", "global"),
    )


def policy(length: int | None = 14, reuse: int | None = 24) -> PasswordPolicy:
    raw: dict[str, Any] = {}
    if length is not None:
        raw["MinimumPasswordLength"] = length
    if reuse is not None:
        raw["PasswordReusePrevention"] = reuse
    return PasswordPolicy(minimum_length=length, reuse_prevention=reuse, raw=raw)


def features(*enabled: str, org: str = "o-exampleorgid") -> OrganizationsFeatures:
    return OrganizationsFeatures(organization_id=org, enabled=tuple(enabled), raw={})


def root_row(
    password_last_used: datetime | None = None,
    key_1_last_used: datetime | None = None,
    mfa_active: bool | None = True,
    missing: tuple[str, ...] = (),
) -> CredentialReportRow:
    return CredentialReportRow(
        user="<root_account>",
        arn=f"arn:aws:iam::{ACCOUNT}:root",
        mfa_active=mfa_active,
        password_last_used=password_last_used,
        access_key_1_last_used=key_1_last_used,
        missing=missing,
        raw={"user": "<root_account>", "password_last_used": str(password_last_used)},
    )


def summary(**values: int) -> Fetched[Any]:
    return ok(dict(values), "GetAccountSummary", "iam", "global")


def detector(
    detector_id: str = "12abc34d567e8fa901bc2d34e56789f0",
    status: str | None = "ENABLED",
    details: Fetched[DetectorDetails] | None = None,
    region: str = "us-east-1",
) -> Detector:
    found = DetectorDetails(
        status=status, features=(("S3_DATA_EVENTS", "ENABLED"),), raw={"Status": status}
    )
    return Detector(
        detector_id=detector_id,
        details=details if details is not None else ok(found, "GetDetector", "guardduty", region),
    )


def recorder(
    name: str = "default",
    recording: bool | None = True,
    last_status: str = "SUCCESS",
    all_supported: bool = True,
    service_principal: str | None = None,
    status: Fetched[RecorderStatus | None] | None = None,
) -> ConfigRecorder:
    found = RecorderStatus(recording=recording, last_status=last_status, raw={"name": name})
    return ConfigRecorder(
        name=name,
        status=status
        if status is not None
        else ok(found, "DescribeConfigurationRecorderStatus", "config"),
        all_supported=all_supported,
        include_global_types=True,
        service_principal=service_principal,
        raw={"name": name},
    )


def channel(name: str = "default", bucket: str = "config-bucket") -> DeliveryChannel:
    return DeliveryChannel(name=name, s3_bucket=bucket, raw={"name": name})


def block(
    acls: bool | None = True,
    ignore: bool | None = True,
    policy_on: bool | None = True,
    restrict: bool | None = True,
) -> PublicAccessBlock:
    return PublicAccessBlock(
        block_public_acls=acls,
        ignore_public_acls=ignore,
        block_public_policy=policy_on,
        restrict_public_buckets=restrict,
        raw={"BlockPublicAcls": acls},
    )


def account_block(value: PublicAccessBlock | None) -> Fetched[PublicAccessBlock | None]:
    return ok(value, "GetPublicAccessBlock", "s3control", "global")


def bucket_access(
    name: str,
    own: PublicAccessBlock | Fetched[PublicAccessBlock | None] | None = None,
    public: bool | Fetched[PolicyStatus | None] | None = False,
    region: str = "us-east-1",
    has_policy: bool = True,
) -> BucketPublicAccess:
    own_fetch = own if isinstance(own, Fetched) else ok(own, "GetPublicAccessBlock", "s3", region)
    if isinstance(public, Fetched):
        status_fetch = public
    else:
        status = PolicyStatus(is_public=public, raw={"IsPublic": public}) if has_policy else None
        status_fetch = ok(status, "GetBucketPolicyStatus", "s3", region)
    return BucketPublicAccess(
        name=name,
        region=ok(region, "ListBuckets", "s3", "global"),
        block=own_fetch,
        policy_status=status_fetch,
    )


def denied(operation: str, service: str = "iam", region: str = "global") -> Fetched[Any]:
    return failed(f"Access denied: {service}:{operation}", operation, service, region)


def listed(items: Iterable[Any], operation: str, service: str, region: str) -> Fetched[Any]:
    return ok(tuple(items), operation, service, region)
