# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""VPC networking inventory: VPCs, subnets, security groups, network ACLs, flow logs.

Shapes follow the EC2 `Describe*` responses so the fetchers stay thin. Every
resource keeps `raw`, the JSON-safe response item (datetimes as ISO strings), from
which checks cut evidence excerpts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Vpc:
    """One item of `ec2:DescribeVpcs` `Vpcs[]`."""

    vpc_id: str
    is_default: bool  # `IsDefault`
    owner_id: str  # `OwnerId`: a shared VPC may belong to another account
    cidr_blocks: tuple[str, ...] = ()  # `CidrBlockAssociationSet[].CidrBlock`
    ipv6_cidr_blocks: tuple[str, ...] = ()  # `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`
    state: str = "available"  # `State`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Subnet:
    """One item of `ec2:DescribeSubnets` `Subnets[]`."""

    subnet_id: str
    vpc_id: str
    cidr_block: str = ""  # `CidrBlock`
    availability_zone: str = ""
    default_for_az: bool = False  # `DefaultForAz`: a default VPC's subnets
    arn: str = ""  # `SubnetArn`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class GroupReference:
    """One item of a permission's `UserIdGroupPairs[]`: traffic from members of a group,
    possibly of another account (`UserId`) across a VPC peering connection."""

    group_id: str  # `GroupId` (empty for EC2-Classic names only)
    user_id: str = ""  # `UserId`: the account owning the group
    vpc_id: str = ""  # `VpcId`: the referenced group's VPC, when across a peering
    peering_id: str = ""  # `VpcPeeringConnectionId`
    peering_status: str = ""  # `PeeringStatus`: "active" | "deleted" ...
    group_name: str = ""  # `GroupName`

    def describe(self, own_account: str = "") -> str:
        """`security group sg-1 of account 111122223333 via peering pcx-1 (active)`."""
        words = f"security group {self.group_id or self.group_name or '?'}"
        if self.user_id and self.user_id != own_account:
            words += f" of account {self.user_id}"
        if self.peering_id:
            state = f" ({self.peering_status})" if self.peering_status else ""
            words += f" via peering {self.peering_id}{state}"
        return words


@dataclass(frozen=True)
class IpPermission:
    """One item of a security group's `IpPermissions[]` / `IpPermissionsEgress[]`.

    `ip_protocol` is as AWS gives it: "tcp", "udp", "icmp", "icmpv6", "-1" (all) or a
    protocol number as a string ("6"). Ports are None when the protocol has none
    (all traffic); for ICMP they carry type/code, not ports.
    """

    ip_protocol: str
    from_port: int | None = None
    to_port: int | None = None
    ipv4_ranges: tuple[str, ...] = ()  # `IpRanges[].CidrIp`
    ipv6_ranges: tuple[str, ...] = ()  # `Ipv6Ranges[].CidrIpv6`
    prefix_list_ids: tuple[str, ...] = ()  # `PrefixListIds[].PrefixListId`
    group_references: tuple[GroupReference, ...] = ()  # `UserIdGroupPairs[]`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def referenced_group_ids(self) -> tuple[str, ...]:
        return tuple(g.group_id for g in self.group_references if g.group_id)


@dataclass(frozen=True)
class SecurityGroup:
    """One item of `ec2:DescribeSecurityGroups` `SecurityGroups[]`."""

    group_id: str
    group_name: str  # "default" for a VPC's default security group
    vpc_id: str | None
    owner_id: str
    inbound: tuple[IpPermission, ...] = ()  # `IpPermissions`
    outbound: tuple[IpPermission, ...] = ()  # `IpPermissionsEgress`
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_default(self) -> bool:
        """AWS names every VPC's default group "default" and forbids the name otherwise."""
        return self.group_name == "default"


@dataclass(frozen=True)
class NetworkAclEntry:
    """One item of a network ACL's `Entries[]`.

    `protocol` as AWS gives it: "-1" (all), "6" (tcp), "17" (udp), "1" (icmp), "58".
    `port_from`/`port_to` are `PortRange.From/To`, None when the entry has no range
    (all ports). Exactly one of `cidr_block` / `ipv6_cidr_block` is set.
    Rule number 32767 is the unchangeable default `*` entry.
    """

    rule_number: int
    protocol: str
    rule_action: str  # "allow" | "deny"
    egress: bool
    cidr_block: str | None = None
    ipv6_cidr_block: str | None = None
    port_from: int | None = None
    port_to: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class NetworkAcl:
    """One item of `ec2:DescribeNetworkAcls` `NetworkAcls[]`."""

    network_acl_id: str
    vpc_id: str
    is_default: bool  # `IsDefault`: the VPC's default NACL
    owner_id: str
    entries: tuple[NetworkAclEntry, ...] = ()
    subnet_ids: tuple[str, ...] = ()  # `Associations[].SubnetId`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class FlowLog:
    """One item of `ec2:DescribeFlowLogs` `FlowLogs[]`."""

    flow_log_id: str
    resource_id: str  # `ResourceId`: a VPC, subnet or ENI id
    traffic_type: str  # "ALL" | "ACCEPT" | "REJECT"
    flow_log_status: str  # `FlowLogStatus`: "ACTIVE" when it is delivering
    destination_type: str  # `LogDestinationType`: "cloud-watch-logs" | "s3" | "kinesis-..."
    destination: str = ""  # `LogDestination` ARN, or `LogGroupName` for CloudWatch
    # `DeliverLogsStatus`: "SUCCESS" | "FAILED"; None when the answer leaves it out (older
    # answers do, carrying only `DeliverLogsErrorMessage` when delivery fails).
    deliver_logs_status: str | None = None
    deliver_logs_error: str | None = None  # `DeliverLogsErrorMessage`: "Access error", ...
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
