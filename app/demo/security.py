"""The demo account's security settings (account.toml): console passwords and MFA, the
password policy, GuardDuty and AWS Config region by region, S3 Block Public Access.

Built on the local moto server like the rest of the demo account (see `scenario`), after
the IAM users and the buckets exist. moto cannot give the root user MFA nor a root row in
its credential report: the root-account control's demo rows say so (engagement.toml).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from app.aws.clients import register_local_fixes

ACCOUNT_ID = "123456789012"  # moto's account
# A fictitious password for the demo's fake IAM users; moto checks only its shape.
DEMO_PASSWORD = "Demo-only-password-42"
_BLOCK_KEYS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


class Builder(Protocol):
    def client(self, service: str, region: str = "us-east-1") -> Any: ...


def build(builder: Builder, scenario: Mapping[str, Any]) -> None:
    _console_users(builder, scenario.get("users", []))
    policy = scenario.get("password_policy")
    if policy:
        builder.client("iam").update_account_password_policy(
            MinimumPasswordLength=policy["minimum_length"],
            PasswordReusePrevention=policy["reuse_prevention"],
            AllowUsersToChangePassword=True,
        )
    for region, enabled in scenario.get("guardduty", {}).items():
        if enabled:
            builder.client("guardduty", region).create_detector(Enable=True)
    recording = scenario.get("config_recording", {})
    for region, spec in recording.items():
        if spec:
            _config_recorder(builder, region, spec["bucket"])
    _public_access(builder, scenario.get("s3_public_access", {}))


def _console_users(builder: Builder, users: list[Mapping[str, Any]]) -> None:
    iam = builder.client("iam")
    for user in users:
        if not user.get("console_password"):
            continue
        iam.create_login_profile(UserName=user["name"], Password=DEMO_PASSWORD)
        if user.get("mfa"):
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user["name"])
            iam.enable_mfa_device(
                UserName=user["name"],
                SerialNumber=device["VirtualMFADevice"]["SerialNumber"],
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )


def _config_recorder(builder: Builder, region: str, bucket: str) -> None:
    config = builder.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/"
            "config.amazonaws.com/AWSServiceRoleForConfig",
            "recordingGroup": {
                "allSupported": True,
                "includeGlobalResourceTypes": region == "us-east-1",
            },
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _block(spec: Mapping[str, Any]) -> dict[str, bool]:
    return {aws: bool(spec.get(key, False)) for key, aws in _BLOCK_KEYS.items()}


def _public_access(builder: Builder, spec: Mapping[str, Any]) -> None:
    for bucket in spec.get("public_policy", []):
        # Before the account's block: AWS refuses a new public policy once it is on.
        s3 = builder.client("s3", bucket["region"])
        statement = {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket['name']}/*",
        }
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        s3.put_bucket_policy(Bucket=bucket["name"], Policy=json.dumps(policy))
    for bucket in spec.get("bucket_blocks", []):
        builder.client("s3", bucket["region"]).put_public_access_block(
            Bucket=bucket["name"], PublicAccessBlockConfiguration=_block(bucket)
        )
    if "account" in spec:
        control = builder.client("s3control")
        register_local_fixes(control, "s3control")
        control.put_public_access_block(
            AccountId=ACCOUNT_ID, PublicAccessBlockConfiguration=_block(spec["account"])
        )
