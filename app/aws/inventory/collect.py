"""Fetch a whole account inventory: every region's parts and the global parts, concurrently.

Each (region, part) and each global part is one task of a bounded thread pool; tasks
fan their per-item calls out to a second pool (see `FetchContext`). Parts a scan does
not need (`parts`) are not fetched and carry an error saying so, so a check that
would read them anyway gives ERROR, never PASS.

`watch` + `on_ready` let a caller act before the whole inventory is in: as soon as every
part named in `watch[key]` has been fetched (in every scanned region), `on_ready(key,
inventory)` runs with the parts fetched so far (the others carry a "not fetched yet"
error). The scan engine uses it to check each control the moment its data is complete.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from typing import Any

from app.aws.calls import ScanCancelled, utc_now
from app.aws.clients import ScanClients
from app.aws.fetched import Call, Fetched
from app.aws.identity import Identity
from app.aws.inventory import (
    backup,
    cloudtrail,
    config_recording,
    data_stores,
    ec2,
    guardduty,
    iam,
    iam_account,
    kms,
    s3,
    s3_public,
    ssm,
)
from app.aws.inventory.context import GLOBAL, FetchContext
from app.aws.inventory.model import IamInventory, Inventory, RegionInventory, S3Inventory
from app.aws.regions import RegionPlan

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
# `on_ready(key, inventory)`: `key` is a `watch` key whose parts are all fetched.
Ready = Callable[[str, Inventory], None]


@dataclass(frozen=True)
class Part:
    """One inventory part: the fetcher and the (first) call it makes, for messages."""

    fetch: Callable[..., Any]
    service: str
    operation: str


REGION_PARTS: Mapping[str, Part] = {
    "vpcs": Part(ec2.vpcs, "ec2", "DescribeVpcs"),
    "subnets": Part(ec2.subnets, "ec2", "DescribeSubnets"),
    "security_groups": Part(ec2.security_groups, "ec2", "DescribeSecurityGroups"),
    "network_acls": Part(ec2.network_acls, "ec2", "DescribeNetworkAcls"),
    "flow_logs": Part(ec2.flow_logs, "ec2", "DescribeFlowLogs"),
    "ebs_encryption_by_default": Part(
        ec2.ebs_encryption_by_default, "ec2", "GetEbsEncryptionByDefault"
    ),
    "volumes": Part(ec2.volumes, "ec2", "DescribeVolumes"),
    "snapshots": Part(ec2.snapshots, "ec2", "DescribeSnapshots"),
    "snapshot_locks": Part(ec2.snapshot_locks, "ec2", "DescribeLockedSnapshots"),
    "instances": Part(ec2.instances, "ec2", "DescribeInstances"),
    "managed_instances": Part(ssm.managed_instances, "ssm", "DescribeInstanceInformation"),
    "trails": Part(cloudtrail.trails, "cloudtrail", "DescribeTrails"),
    "kms_keys": Part(kms.kms_keys, "kms", "ListKeys"),
    "kms_aliases": Part(kms.kms_aliases, "kms", "ListAliases"),
    "backup_plans": Part(backup.backup_plans, "backup", "ListBackupPlans"),
    "backup_vaults": Part(backup.backup_vaults, "backup", "ListBackupVaults"),
    "protected_resources": Part(backup.protected_resources, "backup", "ListProtectedResources"),
    "db_instances": Part(data_stores.db_instances, "rds", "DescribeDBInstances"),
    "db_clusters": Part(data_stores.db_clusters, "rds", "DescribeDBClusters"),
    "dynamodb_tables": Part(data_stores.dynamodb_tables, "dynamodb", "ListTables"),
    "file_systems": Part(data_stores.file_systems, "efs", "DescribeFileSystems"),
    "guardduty_detectors": Part(guardduty.detectors, "guardduty", "ListDetectors"),
    "config_recorders": Part(
        config_recording.recorders, "config", "DescribeConfigurationRecorders"
    ),
    "config_delivery_channels": Part(
        config_recording.delivery_channels, "config", "DescribeDeliveryChannels"
    ),
}

GLOBAL_PARTS: Mapping[str, Part] = {
    "iam.authorization": Part(iam.authorization, "iam", "GetAccountAuthorizationDetails"),
    "iam.account_summary": Part(iam.account_summary, "iam", "GetAccountSummary"),
    "iam.credential_report": Part(iam.credential_report, "iam", "GetCredentialReport"),
    "iam.console_users": Part(iam_account.console_users, "iam", "ListUsers"),
    "iam.password_policy": Part(iam_account.password_policy, "iam", "GetAccountPasswordPolicy"),
    "iam.organizations_features": Part(
        iam_account.organizations_features, "iam", "ListOrganizationsFeatures"
    ),
    "s3.buckets": Part(s3.buckets, "s3", "ListBuckets"),
    "s3.account_public_access": Part(s3_public.account_block, "s3control", "GetPublicAccessBlock"),
    "s3.bucket_public_access": Part(s3_public.bucket_public_access, "s3", "ListBuckets"),
}

_ORGANIZATION = Part(lambda ctx: None, "organizations", "DescribeOrganization")

ALL_PARTS: frozenset[str] = frozenset(REGION_PARTS) | frozenset(GLOBAL_PARTS)

TOP_WORKERS = 24
LEAF_WORKERS = 24


NOT_COLLECTED = "Not collected: this scan did not cover the controls using it."
NOT_YET = "Not fetched yet: this part was still being collected when the check ran."


def _not_collected(part: Part, region: str, reason: str = NOT_COLLECTED) -> Fetched[Any]:
    call = Call(part.service, part.operation, region, {}, utc_now())
    return Fetched(call=call, error=reason)


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done = 0
        self.total = total
        self._progress = progress
        self._lock = threading.Lock()

    def step(self, message: str) -> None:
        with self._lock:
            self.done += 1
            done = self.done
        if self._progress is not None:
            self._progress(done, self.total, message)


def fetch_part(part: Part, ctx: FetchContext, region: str | None) -> Any:
    """One part in one region (None: a global part); a fetcher that raises gives its part
    an ERROR (a bug in one fetcher must not cost the scan), except a cancellation."""
    where = region or GLOBAL
    try:
        return part.fetch(ctx, region) if region is not None else part.fetch(ctx)
    except ScanCancelled:
        raise
    except Exception as exc:
        log.exception("fetching %s:%s in %s failed", part.service, part.operation, where)
        call = Call(part.service, part.operation, where, {}, utc_now())
        return Fetched(call=call, error=f"Internal error while fetching: {exc!r}")


def collect_inventory(
    clients: ScanClients,
    identity: Identity,
    plan: RegionPlan,
    *,
    parts: Collection[str] = ALL_PARTS,
    cancel: threading.Event | None = None,
    progress: Progress | None = None,
    top_workers: int = TOP_WORKERS,
    leaf_workers: int = LEAF_WORKERS,
    watch: Mapping[str, Collection[str]] | None = None,
    on_ready: Ready | None = None,
) -> Inventory:
    """The account's inventory; raises `ScanCancelled` when `cancel` is set meanwhile.

    `on_ready` runs on the calling thread (while the pools go on fetching), once per
    `watch` key, never after `cancel` is set; it must not raise. A key naming a part this
    scan does not fetch is ready at once for that part (it stays "not collected").
    """
    cancel = cancel or threading.Event()
    wanted = set(parts)
    region_jobs = [
        (region, name) for region in plan.regions for name in REGION_PARTS if name in wanted
    ]
    global_jobs = [name for name in GLOBAL_PARTS if name in wanted]
    counter = _Counter(len(region_jobs) + len(global_jobs), progress)
    with (
        ThreadPoolExecutor(top_workers, thread_name_prefix="scan") as top,
        ThreadPoolExecutor(leaf_workers, thread_name_prefix="scan-item") as leaf,
    ):
        ctx = FetchContext(
            clients=clients,
            account_id=identity.account_id,
            partition=identity.partition,
            scanned_regions=frozenset(plan.regions),
            cancel=cancel,
            leaf_pool=leaf,
        )

        def run(part: Part, region: str | None) -> Any:
            value = fetch_part(part, ctx, region)
            counter.step(f"{part.service}:{part.operation} in {region or GLOBAL}")
            return value

        futures: dict[Future[Any], tuple[str | None, str]] = {}
        for region, name in region_jobs:
            futures[top.submit(run, REGION_PARTS[name], region)] = (region, name)
        for name in global_jobs:
            futures[top.submit(run, GLOBAL_PARTS[name], None)] = (None, name)
        pending: dict[str, int] = {}
        for _, name in futures.values():
            pending[name] = pending.get(name, 0) + 1
        waiting = {key: frozenset(names) for key, names in (watch or {}).items()}
        results: dict[tuple[str | None, str], Any] = {}

        def announce() -> None:
            """Hand over every watched key whose parts are now all in."""
            if on_ready is None or cancel.is_set():
                return
            ready = [k for k, names in waiting.items() if not any(pending.get(n) for n in names)]
            if not ready:
                return
            snapshot = _assemble(identity, plan, results, wanted, missing=NOT_YET)
            for key in ready:
                del waiting[key]
                on_ready(key, snapshot)

        announce()  # keys needing nothing this scan fetches
        # In completion order, so each finished part is seen (and checked) at once.
        for future in as_completed(futures):
            failure = future.exception()
            if failure is not None:
                cancel.set()  # stop the other tasks at their next call
                for other in futures:
                    other.cancel()
                wait(futures)
                raise failure
            key = futures[future]
            results[key] = future.result()
            pending[key[1]] -= 1
            announce()
    return _assemble(identity, plan, results, wanted)


def _assemble(
    identity: Identity,
    plan: RegionPlan,
    results: Mapping[tuple[str | None, str], Any],
    wanted: set[str],
    missing: str = NOT_COLLECTED,
) -> Inventory:
    """The inventory from what was fetched; wanted parts not (yet) in say `missing`."""

    def regional(region: str, name: str) -> Any:
        if (region, name) in results:
            return results[(region, name)]
        return _not_collected(
            REGION_PARTS[name], region, missing if name in wanted else NOT_COLLECTED
        )

    def global_part(name: str) -> Any:
        if (None, name) in results:
            return results[(None, name)]
        return _not_collected(
            GLOBAL_PARTS[name], GLOBAL, missing if name in wanted else NOT_COLLECTED
        )

    regions = {
        region: RegionInventory(
            region=region, **{name: regional(region, name) for name in REGION_PARTS}
        )
        for region in plan.regions
    }
    return Inventory(
        account_id=identity.account_id,
        caller_arn=identity.arn,
        partition=identity.partition,
        regions=regions,
        skipped_regions=plan.skipped,
        iam=IamInventory(**_fields("iam.", global_part)),
        s3=S3Inventory(**_fields("s3.", global_part)),
        # No check reads the organization: not asked (one permission fewer).
        organization=_not_collected(_ORGANIZATION, GLOBAL),
    )


def _fields(prefix: str, value_of: Callable[[str], Any]) -> dict[str, Any]:
    """The global parts named `prefix` + field, as the fields of their inventory section."""
    return {
        name.removeprefix(prefix): value_of(name)
        for name in GLOBAL_PARTS
        if name.startswith(prefix)
    }
