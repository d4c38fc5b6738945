"""Resources made on the moto server that tests of several folders (CLI, GUI) need."""

from __future__ import annotations

from typing import Any

import boto3

# SSH (tcp 22) open to the whole internet: what the `no-ssh` control fails on.
SSH_FROM_ANYWHERE: list[Any] = [
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
]


def open_ssh_to_the_world(
    endpoint: str | None = None, region: str = "us-east-1", name: str = "ssh-open"
) -> str:
    """A security group in the default VPC of `region` with SSH open to 0.0.0.0/0; its id.
    Without `endpoint`, boto3's normal chain (the `aws` fixture's environment) says where
    AWS is."""
    ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=SSH_FROM_ANYWHERE)
    return str(group)
