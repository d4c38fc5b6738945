# CONTRACT: ENGINE fills this (app/aws fetchers); CHECKS reads it (app/controls/checks).
"""EC2 compute and block storage inventory: volumes, snapshots, snapshot locks,
instances, and the instances Systems Manager manages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Volume:
    """One item of `ec2:DescribeVolumes` `Volumes[]`."""

    volume_id: str
    encrypted: bool
    kms_key_id: str | None = None  # `KmsKeyId` (an ARN) when encrypted
    state: str = "in-use"  # `State`
    size_gib: int = 0
    availability_zone: str = ""
    attached_instance_ids: tuple[str, ...] = ()  # `Attachments[].InstanceId`
    create_time: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Snapshot:
    """One item of `ec2:DescribeSnapshots` `Snapshots[]`.

    ENGINE fetches with `Filters=[{"Name": "owner-id", "Values": [account_id]}]`, so
    only snapshots the account OWNS are here (moto ignores `OwnerIds=["self"]`).
    """

    snapshot_id: str
    encrypted: bool
    owner_id: str
    volume_id: str = ""
    kms_key_id: str | None = None
    state: str = "completed"  # `State`
    start_time: datetime | None = None
    description: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class SnapshotLock:
    """One item of `ec2:DescribeLockedSnapshots` `Snapshots[]`.

    `lock_state`: "compliance" | "governance" | "compliance-cooloff" | "expired".
    """

    snapshot_id: str
    lock_state: str
    owner_id: str = ""
    lock_duration_days: int | None = None  # `LockDuration`
    lock_expires_on: datetime | None = None  # `LockExpiresOn`
    lock_created_on: datetime | None = None  # `LockCreatedOn`
    cool_off_period_expires_on: datetime | None = None  # `CoolOffPeriodExpiresOn`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Instance:
    """One item of `ec2:DescribeInstances` `Reservations[].Instances[]`."""

    instance_id: str
    state: str  # `State.Name`: "running" | "stopped" | "terminated" | ...
    vpc_id: str | None = None
    subnet_id: str | None = None
    platform: str = ""  # `PlatformDetails`, e.g. "Linux/UNIX", "Windows"
    image_id: str = ""
    iam_instance_profile_arn: str | None = None  # `IamInstanceProfile.Arn`
    security_group_ids: tuple[str, ...] = ()  # `SecurityGroups[].GroupId`
    launch_time: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ManagedInstance:
    """One item of `ssm:DescribeInstanceInformation` `InstanceInformationList[]`."""

    instance_id: str
    ping_status: str  # `PingStatus`: "Online" | "ConnectionLost" | "Inactive"
    platform_type: str = ""  # `PlatformType`: "Linux" | "Windows" | "MacOS"
    agent_version: str = ""
    last_ping: datetime | None = None  # `LastPingDateTime`
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
