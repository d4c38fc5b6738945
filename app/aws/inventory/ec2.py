"""EC2 inventory of one region: networking, volumes, snapshots, locks, instances.

One listing call per kind (paginated), no per-id loops; snapshots and snapshot locks
are filtered to the account's own (`owner-id`), which is right on AWS and on moto.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, strings, utc
from app.aws.inventory.model import (
    FlowLog,
    GroupReference,
    Instance,
    IpPermission,
    NetworkAcl,
    NetworkAclEntry,
    SecurityGroup,
    Snapshot,
    SnapshotLock,
    Subnet,
    Volume,
    Vpc,
)


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _group_reference(pair: Mapping[str, Any]) -> GroupReference:
    return GroupReference(
        group_id=str(pair.get("GroupId", "")),
        user_id=str(pair.get("UserId", "")),
        vpc_id=str(pair.get("VpcId", "")),
        peering_id=str(pair.get("VpcPeeringConnectionId", "")),
        peering_status=str(pair.get("PeeringStatus", "")),
        group_name=str(pair.get("GroupName", "")),
    )


def vpcs(ctx: FetchContext, region: str) -> Fetched[tuple[Vpc, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[Vpc, ...]:
        return tuple(
            Vpc(
                vpc_id=item["VpcId"],
                is_default=bool(item["IsDefault"]),
                owner_id=str(item.get("OwnerId", "")),
                cidr_blocks=strings(item.get("CidrBlockAssociationSet", []), "CidrBlock"),
                ipv6_cidr_blocks=strings(
                    item.get("Ipv6CidrBlockAssociationSet", []), "Ipv6CidrBlock"
                ),
                state=str(item.get("State", "")),
                raw=json_safe(item),
            )
            for item in listing(response, "Vpcs")
        )

    return convert(ctx.call("ec2", region, "DescribeVpcs", paginate=True), build)


def subnets(ctx: FetchContext, region: str) -> Fetched[tuple[Subnet, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[Subnet, ...]:
        return tuple(
            Subnet(
                subnet_id=item["SubnetId"],
                vpc_id=item["VpcId"],
                cidr_block=str(item.get("CidrBlock", "")),
                availability_zone=str(item.get("AvailabilityZone", "")),
                default_for_az=bool(item.get("DefaultForAz", False)),
                arn=str(item.get("SubnetArn", "")),
                raw=json_safe(item),
            )
            for item in listing(response, "Subnets")
        )

    return convert(ctx.call("ec2", region, "DescribeSubnets", paginate=True), build)


def _permission(item: Mapping[str, Any]) -> IpPermission:
    return IpPermission(
        ip_protocol=str(item.get("IpProtocol", "-1")),
        from_port=_int_or_none(item.get("FromPort")),
        to_port=_int_or_none(item.get("ToPort")),
        ipv4_ranges=strings(item.get("IpRanges", []), "CidrIp"),
        ipv6_ranges=strings(item.get("Ipv6Ranges", []), "CidrIpv6"),
        prefix_list_ids=strings(item.get("PrefixListIds", []), "PrefixListId"),
        group_references=tuple(map(_group_reference, item.get("UserIdGroupPairs", []))),
        raw=json_safe(item),
    )


def security_groups(ctx: FetchContext, region: str) -> Fetched[tuple[SecurityGroup, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[SecurityGroup, ...]:
        return tuple(
            SecurityGroup(
                group_id=item["GroupId"],
                group_name=str(item["GroupName"]),
                vpc_id=item.get("VpcId"),
                owner_id=str(item.get("OwnerId", "")),
                inbound=tuple(map(_permission, listing(item, "IpPermissions"))),
                outbound=tuple(map(_permission, listing(item, "IpPermissionsEgress"))),
                description=str(item.get("Description", "")),
                raw=json_safe(item),
            )
            for item in listing(response, "SecurityGroups")
        )

    return convert(ctx.call("ec2", region, "DescribeSecurityGroups", paginate=True), build)


def _acl_entry(item: Mapping[str, Any]) -> NetworkAclEntry:
    if "CidrBlock" not in item and "Ipv6CidrBlock" not in item:
        raise KeyError("a network ACL entry without CidrBlock or Ipv6CidrBlock")
    ports = item.get("PortRange") or {}
    return NetworkAclEntry(
        rule_number=int(item["RuleNumber"]),
        protocol=str(item.get("Protocol", "-1")),
        rule_action=str(item["RuleAction"]),
        egress=bool(item["Egress"]),
        cidr_block=item.get("CidrBlock"),
        ipv6_cidr_block=item.get("Ipv6CidrBlock"),
        port_from=_int_or_none(ports.get("From")),
        port_to=_int_or_none(ports.get("To")),
        raw=json_safe(item),
    )


def network_acls(ctx: FetchContext, region: str) -> Fetched[tuple[NetworkAcl, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[NetworkAcl, ...]:
        return tuple(
            NetworkAcl(
                network_acl_id=item["NetworkAclId"],
                vpc_id=str(item.get("VpcId", "")),
                is_default=bool(item["IsDefault"]),
                owner_id=str(item.get("OwnerId", "")),
                entries=tuple(map(_acl_entry, listing(item, "Entries"))),
                subnet_ids=strings(listing(item, "Associations"), "SubnetId"),
                raw=json_safe(item),
            )
            for item in listing(response, "NetworkAcls")
        )

    return convert(ctx.call("ec2", region, "DescribeNetworkAcls", paginate=True), build)


def flow_logs(ctx: FetchContext, region: str) -> Fetched[tuple[FlowLog, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[FlowLog, ...]:
        return tuple(
            FlowLog(
                flow_log_id=item["FlowLogId"],
                resource_id=str(item.get("ResourceId", "")),
                traffic_type=str(item.get("TrafficType", "")),
                flow_log_status=str(item.get("FlowLogStatus", "")),
                destination_type=str(item.get("LogDestinationType", "")),
                destination=str(item.get("LogDestination") or item.get("LogGroupName") or ""),
                deliver_logs_status=_str_or_none(item.get("DeliverLogsStatus")),
                deliver_logs_error=_str_or_none(item.get("DeliverLogsErrorMessage")),
                raw=json_safe(item),
            )
            for item in listing(response, "FlowLogs")
        )

    return convert(ctx.call("ec2", region, "DescribeFlowLogs", paginate=True), build)


def ebs_encryption_by_default(ctx: FetchContext, region: str) -> Fetched[bool]:
    return convert(
        ctx.call("ec2", region, "GetEbsEncryptionByDefault"),
        lambda response: bool(response["EbsEncryptionByDefault"]),
    )


def volumes(ctx: FetchContext, region: str) -> Fetched[tuple[Volume, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[Volume, ...]:
        return tuple(
            Volume(
                volume_id=item["VolumeId"],
                encrypted=bool(item.get("Encrypted", False)),
                kms_key_id=item.get("KmsKeyId"),
                state=str(item.get("State", "")),
                size_gib=int(item.get("Size", 0) or 0),
                availability_zone=str(item.get("AvailabilityZone", "")),
                attached_instance_ids=strings(item.get("Attachments", []), "InstanceId"),
                create_time=utc(item.get("CreateTime")),
                raw=json_safe(item),
            )
            for item in listing(response, "Volumes")
        )

    return convert(ctx.call("ec2", region, "DescribeVolumes", paginate=True), build)


def _own(ctx: FetchContext) -> dict[str, Any]:
    # OwnerIds=["self"] is the documented way, but moto ignores it and lists every public
    # AMI snapshot; the owner-id filter means the same on AWS and works on both.
    return {"Filters": [{"Name": "owner-id", "Values": [ctx.account_id]}]}


def snapshots(ctx: FetchContext, region: str) -> Fetched[tuple[Snapshot, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[Snapshot, ...]:
        return tuple(
            Snapshot(
                snapshot_id=item["SnapshotId"],
                encrypted=bool(item.get("Encrypted", False)),
                owner_id=str(item["OwnerId"]),
                volume_id=str(item.get("VolumeId", "")),
                kms_key_id=item.get("KmsKeyId"),
                state=str(item.get("State", "")),
                start_time=utc(item.get("StartTime")),
                description=str(item.get("Description", "")),
                raw=json_safe(item),
            )
            for item in listing(response, "Snapshots")
        )

    return convert(ctx.call("ec2", region, "DescribeSnapshots", _own(ctx), paginate=True), build)


def _lock(item: Mapping[str, Any]) -> SnapshotLock:
    return SnapshotLock(
        snapshot_id=item["SnapshotId"],
        lock_state=str(item.get("LockState", "")),
        owner_id=str(item.get("OwnerId", "")),
        lock_duration_days=_int_or_none(item.get("LockDuration")),
        lock_expires_on=utc(item.get("LockExpiresOn")),
        lock_created_on=utc(item.get("LockCreatedOn")),
        cool_off_period_expires_on=utc(item.get("CoolOffPeriodExpiresOn")),
        raw=json_safe(item),
    )


def snapshot_locks(ctx: FetchContext, region: str) -> Fetched[tuple[SnapshotLock, ...]]:
    # botocore has no paginator for DescribeLockedSnapshots: `fetch` follows NextToken.
    fetched = ctx.call("ec2", region, "DescribeLockedSnapshots", _own(ctx), paginate=True)
    return convert(fetched, lambda response: tuple(map(_lock, response.get("Snapshots") or [])))


def _instance(item: Mapping[str, Any]) -> Instance:
    profile = item.get("IamInstanceProfile") or {}
    return Instance(
        instance_id=item["InstanceId"],
        state=str((item.get("State") or {}).get("Name", "")),
        vpc_id=item.get("VpcId"),
        subnet_id=item.get("SubnetId"),
        platform=str(item.get("PlatformDetails", "")),
        image_id=str(item.get("ImageId", "")),
        iam_instance_profile_arn=profile.get("Arn"),
        security_group_ids=strings(item.get("SecurityGroups", []), "GroupId"),
        launch_time=utc(item.get("LaunchTime")),
        raw=json_safe(item),
    )


def instances(ctx: FetchContext, region: str) -> Fetched[tuple[Instance, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[Instance, ...]:
        return tuple(
            _instance(item)
            for reservation in listing(response, "Reservations")
            for item in listing(reservation, "Instances")
        )

    return convert(ctx.call("ec2", region, "DescribeInstances", paginate=True), build)
