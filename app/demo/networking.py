"""The demo account's networks (account.toml): default VPCs deleted or isolated, VPCs
with their subnets, flow logs and network ACLs, security groups and their inbound rules.

Built on the local moto server like the rest of the demo account (see `scenario`), after
the KMS keys and buckets; the ids moto makes up go into `built`, where the instances,
the databases and the seed's exception find them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Builder(Protocol):
    def client(self, service: str, region: str = "us-east-1") -> Any: ...


class Built(Protocol):
    """Where the ids go, by (region, scenario name)."""

    vpcs: dict[tuple[str, str], str]
    subnets: dict[tuple[str, str], list[str]]
    groups: dict[tuple[str, str], str]


def build(builder: Builder, scenario: Mapping[str, Any], built: Built) -> None:
    for region, action in scenario.get("default_vpcs", {}).items():
        _default_vpc(builder, region, action)
    for spec in scenario.get("vpcs", []):
        _vpc(builder, spec, built)
    for spec in scenario.get("security_groups", []):
        _security_group(builder, spec, built)


def _default_vpc(builder: Builder, region: str, action: str) -> None:
    ec2 = builder.client("ec2", region)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    for vpc in vpcs:
        vpc_id = vpc["VpcId"]
        if action == "delete":
            _delete_vpc(ec2, vpc_id)
        elif action == "isolate":
            _isolate_vpc(ec2, vpc_id)


def _delete_vpc(ec2: Any, vpc_id: str) -> None:
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for subnet in ec2.describe_subnets(Filters=flt)["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    igws = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]
    for igw in igws:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)


def _isolate_vpc(ec2: Any, vpc_id: str) -> None:
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for acl in ec2.describe_network_acls(Filters=flt)["NetworkAcls"]:
        for entry in acl["Entries"]:
            if entry["RuleNumber"] < 32767:
                ec2.delete_network_acl_entry(
                    NetworkAclId=acl["NetworkAclId"],
                    RuleNumber=entry["RuleNumber"],
                    Egress=entry["Egress"],
                )
    _empty_default_group(ec2, vpc_id)


def _empty_default_group(ec2: Any, vpc_id: str) -> None:
    flt = [
        {"Name": "vpc-id", "Values": [vpc_id]},
        {"Name": "group-name", "Values": ["default"]},
    ]
    for group in ec2.describe_security_groups(Filters=flt)["SecurityGroups"]:
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
            )
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
            )


def _vpc(builder: Builder, spec: Mapping[str, Any], built: Built) -> None:
    region, name = spec["region"], spec["name"]
    ec2 = builder.client("ec2", region)
    vpc_id = ec2.create_vpc(
        CidrBlock=spec["cidr"],
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Vpc"]["VpcId"]
    built.vpcs[(region, name)] = vpc_id
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=f"{region}a")["Subnet"][
            "SubnetId"
        ]
        for cidr in spec.get("subnets", [])
    ]
    built.subnets[(region, name)] = subnet_ids
    if spec.get("flow_log", "none") != "none":
        ec2.create_flow_logs(
            ResourceIds=[vpc_id],
            ResourceType="VPC",
            TrafficType=spec["flow_log"],
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::northwind-logs",
        )
    if spec.get("nacl") == "restricted":
        _restricted_nacl(ec2, vpc_id, subnet_ids)
    # The new VPC's default SG allows all egress and ingress from itself: compliant
    # VPCs empty it, as the article recommends.
    if spec.get("nacl") == "restricted":
        _empty_default_group(ec2, vpc_id)


def _restricted_nacl(ec2: Any, vpc_id: str, subnet_ids: list[str]) -> None:
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entries = [
        (100, False, "6", 443, 443, "0.0.0.0/0"),
        (110, False, "6", 49152, 65535, "0.0.0.0/0"),  # ephemeral: NACLs are stateless
        (100, True, "6", 443, 443, "0.0.0.0/0"),
        (110, True, "6", 49152, 65535, "0.0.0.0/0"),
    ]
    for number, egress, protocol, low, high, cidr in entries:
        ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=number,
            Protocol=protocol,
            RuleAction="allow",
            Egress=egress,
            CidrBlock=cidr,
            PortRange={"From": low, "To": high},
        )
    default = ec2.describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "default", "Values": ["true"]},
        ]
    )["NetworkAcls"][0]
    for assoc in default["Associations"]:
        if assoc["SubnetId"] in subnet_ids:
            ec2.replace_network_acl_association(
                AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl_id
            )


def _security_group(builder: Builder, spec: Mapping[str, Any], built: Built) -> None:
    region = spec["region"]
    ec2 = builder.client("ec2", region)
    group_id = ec2.create_security_group(
        GroupName=spec["name"],
        Description=spec["description"],
        VpcId=built.vpcs[(region, spec["vpc"])],
    )["GroupId"]
    built.groups[(region, spec["name"])] = group_id
    permissions = [_permission(region, rule, built.groups) for rule in spec.get("inbound", [])]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=permissions)


def _permission(
    region: str, rule: Mapping[str, Any], groups: Mapping[tuple[str, str], str]
) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": rule["protocol"]}
    if rule["protocol"] != "-1":
        permission["FromPort"] = rule["from"]
        permission["ToPort"] = rule["to"]
    if "source_group" in rule:
        group_id = groups[(region, rule["source_group"])]
        permission["UserIdGroupPairs"] = [{"GroupId": group_id}]
    elif ":" in rule["cidr"]:
        permission["Ipv6Ranges"] = [{"CidrIpv6": rule["cidr"]}]
    else:
        permission["IpRanges"] = [{"CidrIp": rule["cidr"]}]
    return permission
