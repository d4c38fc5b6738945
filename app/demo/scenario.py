"""Build the demo account (resources/demo/account.toml) on a local moto server.

The demo's builders are the only code in the app that creates AWS resources, and this
one refuses any endpoint that is not on the loopback interface (the others only get its
clients): it can only ever build the fake account the demo and the tests run against.
The networks, the data stores and the security settings are built by `networking`,
`data_stores` and `security`; this module builds the rest, in the order they depend on.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from app.aws.clients import is_loopback_host
from app.demo import data_stores, networking, security
from app.demo.local_aws import LocalEndpointSession
from app.paths import resources_dir

ACCOUNT_ID = "123456789012"  # moto's account
DEMO_IMAGE_ID = "ami-0d5eff06f840b45e9"  # an Amazon Linux 2 id; only its shape matters


class NotLoopback(ValueError):
    """The demo builder was pointed at something other than a local fake AWS."""


def load_scenario(path: Path | None = None) -> dict[str, Any]:
    source = path or resources_dir() / "demo" / "account.toml"
    with source.open("rb") as handle:
        return tomllib.load(handle)


def _require_loopback(endpoint: str) -> None:
    if not is_loopback_host(urlparse(endpoint).hostname or ""):
        raise NotLoopback(f"the demo account is only ever built on 127.0.0.1, not {endpoint!r}")


@dataclass
class BuiltAccount:
    """Ids of what was created, keyed by (region, scenario name): the seed uses them to
    point the demo's exception at the real resource id moto made up."""

    vpcs: dict[tuple[str, str], str] = field(default_factory=dict)
    subnets: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    groups: dict[tuple[str, str], str] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)


class DemoAccountBuilder:
    def __init__(self, endpoint: str, scenario: Mapping[str, Any]) -> None:
        _require_loopback(endpoint)
        self._endpoint = endpoint
        self._scenario = scenario
        # Sealed off from the user's AWS profiles and environment (see local_aws).
        self._session = LocalEndpointSession(endpoint)
        self._built = BuiltAccount()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self._session.client(service, region_name=region, endpoint_url=self._endpoint)

    def build(self) -> BuiltAccount:
        s = self._scenario
        self._kms_keys(s.get("kms_keys", []))
        self._buckets(s.get("buckets", []))
        networking.build(self, s, self._built)
        for region, enabled in s.get("ebs_encryption_by_default", {}).items():
            if enabled:
                self.client("ec2", region).enable_ebs_encryption_by_default()
        for volume in s.get("volumes", []):
            self._volume(volume)
        for instance in s.get("instances", []):
            self._instance(instance)
        data_stores.build(self, s, self._built)
        for trail in s.get("trails", []):
            self._trail(trail)
        self._iam(s)
        security.build(self, s)
        for plan in s.get("backup_plans", []):
            self._backup_plan(plan)
        return self._built

    # --- compute and storage ----------------------------------------------------------

    def _volume(self, spec: Mapping[str, Any]) -> None:
        region = spec["region"]
        ec2 = self.client("ec2", region)
        args: dict[str, Any] = {
            "AvailabilityZone": f"{region}a",
            "Size": spec["size"],
            "Encrypted": spec["encrypted"],
            "TagSpecifications": [
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": spec["name"]}]}
            ],
        }
        if spec.get("kms_key"):
            args["KmsKeyId"] = self._built.keys[(region, spec["kms_key"])]
        volume_id = ec2.create_volume(**args)["VolumeId"]
        if "snapshot" in spec:
            ec2.create_snapshot(VolumeId=volume_id, Description=f"{spec['name']} nightly")

    def _instance(self, spec: Mapping[str, Any]) -> None:
        region = spec["region"]
        ec2 = self.client("ec2", region)
        subnet = self._built.subnets[(region, spec["vpc"])][0]
        ec2.run_instances(
            # A fixed id: looking one up (DescribeImages) costs moto ~9 s per region, and
            # moto does not validate image ids unless asked to.
            ImageId=spec.get("image", DEMO_IMAGE_ID),
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            SubnetId=subnet,
            SecurityGroupIds=[self._built.groups[(region, spec["security_group"])]],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": spec["name"]}]}
            ],
        )

    def _kms_keys(self, specs: list[Mapping[str, Any]]) -> None:
        for spec in specs:
            kms = self.client("kms", spec["region"])
            key_id = kms.create_key(Description=f"{spec['alias']} (demo)")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=f"alias/{spec['alias']}", TargetKeyId=key_id)
            self._built.keys[(spec["region"], spec["alias"])] = key_id
            if spec.get("rotation"):
                kms.enable_key_rotation(KeyId=key_id)
            if spec.get("disabled"):
                kms.disable_key(KeyId=key_id)
            if spec.get("pending_deletion_days"):
                kms.schedule_key_deletion(
                    KeyId=key_id, PendingWindowInDays=spec["pending_deletion_days"]
                )

    def _buckets(self, specs: list[Mapping[str, Any]]) -> None:
        for spec in specs:
            self._bucket(spec)
        for spec in specs:
            if spec.get("replicate_to"):
                self._replication(spec)

    def _bucket(self, spec: Mapping[str, Any]) -> None:
        region, name = spec["region"], spec["name"]
        s3 = self.client("s3", region)
        args: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if spec.get("object_lock"):
            args["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**args)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        lock = spec.get("object_lock")
        if lock:
            s3.put_object_lock_configuration(
                Bucket=name,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": lock["mode"], "Days": lock["days"]}},
                },
            )
        encryption = spec.get("encryption", "none")
        if encryption != "none":
            rule: dict[str, Any] = {"SSEAlgorithm": encryption}
            if encryption == "aws:kms":
                rule["KMSMasterKeyID"] = self._built.keys[(region, spec["kms_key"])]
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": rule}]
                },
            )

    def _replication(self, spec: Mapping[str, Any]) -> None:
        s3 = self.client("s3", spec["region"])
        s3.put_bucket_replication(
            Bucket=spec["name"],
            ReplicationConfiguration={
                "Role": f"arn:aws:iam::{ACCOUNT_ID}:role/s3-replication",
                "Rules": [
                    {
                        "ID": "to-eu",
                        "Status": "Enabled",
                        "Priority": 1,
                        "Filter": {"Prefix": ""},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "Destination": {"Bucket": f"arn:aws:s3:::{spec['replicate_to']}"},
                    }
                ],
            },
        )

    def _trail(self, spec: Mapping[str, Any]) -> None:
        trails = self.client("cloudtrail", spec["region"])
        trails.create_trail(
            Name=spec["name"], S3BucketName=spec["bucket"], IsMultiRegionTrail=spec["multi_region"]
        )
        if spec.get("logging"):
            trails.start_logging(Name=spec["name"])

    # --- identity -----------------------------------------------------------------------

    def _iam(self, s: Mapping[str, Any]) -> None:
        iam = self.client("iam")
        arns: dict[str, str] = {}
        for name, document in s.get("policies", {}).items():
            if name == "NotActionAll":
                continue  # used inline below
            arns[name] = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))[
                "Policy"
            ]["Arn"]
        for group in s.get("groups", []):
            iam.create_group(GroupName=group["name"])
            for policy in group.get("policies", []):
                iam.attach_group_policy(GroupName=group["name"], PolicyArn=arns[policy])
        for user in s.get("users", []):
            iam.create_user(UserName=user["name"])
            for _ in range(user.get("access_keys", 0)):
                iam.create_access_key(UserName=user["name"])
            for policy in user.get("policies", []):
                iam.attach_user_policy(UserName=user["name"], PolicyArn=arns[policy])
            for managed in user.get("managed", []):
                iam.attach_user_policy(UserName=user["name"], PolicyArn=managed)
            for group_name in user.get("groups", []):
                iam.add_user_to_group(GroupName=group_name, UserName=user["name"])
        for role in s.get("roles", []):
            iam.create_role(
                RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(_trust(role["trust"]))
            )
            for policy in role.get("policies", []):
                iam.attach_role_policy(RoleName=role["name"], PolicyArn=arns[policy])
            for managed in role.get("managed", []):
                iam.attach_role_policy(RoleName=role["name"], PolicyArn=managed)
            if role.get("inline"):
                iam.put_role_policy(
                    RoleName=role["name"],
                    PolicyName=role["inline"],
                    PolicyDocument=json.dumps(s["policies"][role["inline"]]),
                )

    def _backup_plan(self, spec: Mapping[str, Any]) -> None:
        backup = self.client("backup", spec["region"])
        backup.create_backup_vault(BackupVaultName=spec["vault"])
        backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": spec["name"],
                "Rules": [
                    {
                        "RuleName": f"{spec['name']}-rule",
                        "TargetBackupVaultName": spec["vault"],
                        "ScheduleExpression": spec["schedule"],
                        "Lifecycle": {"DeleteAfterDays": spec["retention_days"]},
                    }
                ],
            }
        )


GITHUB_OIDC = "token.actions.githubusercontent.com"


def _trust(kind: str) -> dict[str, Any]:
    principals = {
        "oidc": {"Federated": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{GITHUB_OIDC}"},
        "cloudformation": {"Service": "cloudformation.amazonaws.com"},
        "account": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
    }
    action = "sts:AssumeRoleWithWebIdentity" if kind == "oidc" else "sts:AssumeRole"
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principals[kind], "Action": action}],
    }


def build_demo_account(endpoint: str, scenario: Mapping[str, Any] | None = None) -> BuiltAccount:
    """Create the demo company's resources on the moto server at `endpoint`; their ids."""
    return DemoAccountBuilder(endpoint, scenario or load_scenario()).build()
