"""The account-security part of the scan scenario: console users with and without MFA, a
weak password policy, GuardDuty and AWS Config in one region only, a partial account-level
S3 Block Public Access, a bucket with its own block and one with a public policy.

Built through plain boto3 clients on moto (S3 Control needs the loopback host fix the
scan's own clients get).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from app.aws.clients import register_local_fixes

ACCOUNT = "123456789012"
ALL_ON = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
PASSWORD = "Correct-Horse-Battery-9"


def s3_control(session: boto3.Session, region: str) -> Any:
    client = session.client("s3control", region_name=region)
    register_local_fixes(client, "s3control")
    return client


def console_users(iam: Any, with_mfa: str, without_mfa: str) -> None:
    """Console passwords for two existing users, an MFA device for the first."""
    for name in (with_mfa, without_mfa):
        iam.create_login_profile(UserName=name, Password=PASSWORD)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=with_mfa)["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=with_mfa,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )


def public_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def build_security(session: boto3.Session, home: str, other: str, buckets: dict[str, str]) -> None:
    """GuardDuty on in `home` only, AWS Config recording in `other` only; `buckets` are the
    scenario's (role -> name): "locked" gets its own block, "logs" a public policy."""
    iam = session.client("iam", region_name=home)
    console_users(iam, "alice", "bob")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    session.client("guardduty", region_name=home).create_detector(Enable=True)
    config = session.client("config", region_name=other)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": buckets["logs"]}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    s3 = session.client("s3", region_name=home)
    s3.put_public_access_block(Bucket=buckets["locked"], PublicAccessBlockConfiguration=ALL_ON)
    # The public policy first: AWS refuses a new one once BlockPublicPolicy is on.
    s3.put_bucket_policy(Bucket=buckets["logs"], Policy=public_policy(buckets["logs"]))
    s3_control(session, home).put_public_access_block(
        AccountId=ACCOUNT,
        PublicAccessBlockConfiguration={**ALL_ON, "RestrictPublicBuckets": False},
    )
