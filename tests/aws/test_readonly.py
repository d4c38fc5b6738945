"""The read-only guard: unlisted operations are refused before anything is sent."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore import xform_name

from app.aws import readonly
from app.aws.clients import ScanClients
from app.aws.readonly import ALLOWED, MutationRefused, iam_action, policy_document
from app.cli import main


class SentRequests:
    """Counts what reaches `before-send`: the last event before the wire."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def hook(self, client: Any) -> None:
        client.meta.events.register("before-send", self._on_send)

    def _on_send(self, event_name: str, **_: Any) -> None:
        self.operations.append(event_name.split(".", 1)[1])


def test_delete_vpc_is_refused_before_it_is_sent(aws: str) -> None:
    plain = boto3.client("ec2", region_name="eu-west-1")
    vpc_id = plain.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sent = SentRequests()
    ec2 = ScanClients(boto3.Session, hooks=[sent.hook]).client("ec2", "eu-west-1")

    with pytest.raises(MutationRefused) as refused:
        ec2.delete_vpc(VpcId=vpc_id)

    assert refused.value.operation == "DeleteVpc"
    assert "DeleteVpc" not in " ".join(sent.operations)
    assert sent.operations == []
    still_there = plain.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert [v["VpcId"] for v in still_there] == [vpc_id]
    # The same client still reads.
    assert any(v["VpcId"] == vpc_id for v in ec2.describe_vpcs()["Vpcs"])
    assert sent.operations == ["ec2.DescribeVpcs"]


def test_put_object_is_refused_and_nothing_is_written(aws: str) -> None:
    plain = boto3.client("s3", region_name="us-east-1")
    plain.create_bucket(Bucket="evidence-bucket")
    sent = SentRequests()
    s3 = ScanClients(boto3.Session, hooks=[sent.hook]).client("s3", "us-east-1")

    with pytest.raises(MutationRefused):
        s3.put_object(Bucket="evidence-bucket", Key="x.txt", Body=b"data")
    with pytest.raises(MutationRefused):
        s3.delete_bucket(Bucket="evidence-bucket")

    assert sent.operations == []
    assert plain.list_objects_v2(Bucket="evidence-bucket").get("KeyCount") == 0
    assert [b["Name"] for b in plain.list_buckets()["Buckets"]] == ["evidence-bucket"]


def test_guard_refuses_even_invalid_parameters_first(aws: str) -> None:
    """The guard runs before parameter validation: a refused call never gets that far."""
    ec2 = ScanClients(boto3.Session).client("ec2", "us-east-1")
    with pytest.raises(MutationRefused):
        ec2.terminate_instances()  # InstanceIds missing: validation would complain


def test_every_scan_client_is_guarded(aws: str) -> None:
    clients = ScanClients(boto3.Session)
    for service in ALLOWED:
        client = clients.client(service, "us-east-1")
        unlisted = next(
            op for op in client.meta.service_model.operation_names if op not in ALLOWED[service]
        )
        with pytest.raises(MutationRefused):
            getattr(client, xform_name(unlisted))()


def test_allowlist_holds_only_reads_that_exist() -> None:
    session = boto3.Session(region_name="us-east-1")
    for service, operations in ALLOWED.items():
        model = session.client(service).meta.service_model  # type: ignore[call-overload]
        for operation in operations:
            assert operation in model.operation_names, f"{service}:{operation} does not exist"
            named_as_read = operation.startswith(readonly.READ_PREFIXES)
            assert named_as_read or readonly.justification(service, operation), (
                f"{service}:{operation} is not a Describe/List/Get call and has no reason"
            )
            assert not operation.startswith(("Put", "Delete", "Create", "Update", "Start")), (
                operation
            )


def test_policy_document_matches_the_allowlist() -> None:
    document = policy_document()
    (statement,) = document["Statement"]
    assert statement["Effect"] == "Allow"
    expected = {
        iam_action(service, op)
        for service, ops in ALLOWED.items()
        for op in ops
        if (service, op) != ("sts", "GetCallerIdentity")
    }
    assert set(statement["Action"]) == expected
    assert len(statement["Action"]) == len(expected)
    assert "s3:ListAllMyBuckets" in statement["Action"]
    assert "s3:GetEncryptionConfiguration" in statement["Action"]
    # The data stores' reads under their IAM names (EFS's prefix is not its boto3 name).
    for action in (
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "elasticfilesystem:DescribeFileSystems",
        "backup:GetBackupSelection",
        "backup:ListProtectedResources",
        "tag:GetResources",
    ):
        assert action in statement["Action"], action
    assert not any(a.startswith(("efs:", "resourcegroupstaggingapi:")) for a in statement["Action"])
    # The account-security reads: S3's historic names, S3 Control under "s3:".
    for action in (
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicyStatus",
        "guardduty:ListDetectors",
        "guardduty:GetDetector",
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
        "config:DescribeDeliveryChannels",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetAccountPasswordPolicy",
        "iam:ListOrganizationsFeatures",
    ):
        assert action in statement["Action"], action
    assert not any(a.startswith("s3control:") for a in statement["Action"])
    assert "s3:GetPublicAccessBlock" not in statement["Action"]  # no such IAM action
    assert not any(a.split(":")[1].startswith(("Put", "Delete")) for a in statement["Action"])


def test_policy_command_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == policy_document()
    assert main(["policy", "--actions"]) == 0
    lines = capsys.readouterr().out.split()
    assert lines == policy_document()["Statement"][0]["Action"]
