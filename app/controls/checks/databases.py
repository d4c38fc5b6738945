"""The databases of a region as the checks judge them, and the words for their keys.

`DescribeDBInstances` lists every instance, cluster members included; an Aurora,
Neptune or DocumentDB cluster keeps its storage encryption, deletion protection and
backup retention on the cluster (`DescribeDBClusters`). So a database is a cluster, or
an instance outside any cluster; a member whose cluster is missing from the cluster
listing stays in the population as a problem (an ERROR row), never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model import DbCluster, DbInstance, RegionInventory
from app.aws.inventory.model_data import engine_name
from app.controls.checks.rows import Rows, first_error, pick
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

EXCERPT = (
    "DBInstanceIdentifier",
    "DBClusterIdentifier",
    "Engine",
    "StorageEncrypted",
    "KmsKeyId",
    "DeletionProtection",
    "BackupRetentionPeriod",
)


@dataclass(frozen=True)
class Database:
    """A cluster or a stand-alone instance, with the listing that gave it (evidence)."""

    arn: str
    label: str  # "Aurora PostgreSQL cluster prod", "RDS MySQL instance legacy"
    listing: Fetched[Any]
    item: DbCluster | DbInstance
    problem: str | None = None  # why it cannot be judged

    def excerpt(self) -> dict[str, Any]:
        return pick(self.item.raw, *EXCERPT)


def _label(item: DbCluster | DbInstance) -> str:
    kind = "cluster" if isinstance(item, DbCluster) else "instance"
    return f"{engine_name(item.engine)} {kind} {item.identifier}"


# Engines that only exist inside a cluster: an instance of one that names no cluster is
# an answer missing `DBClusterIdentifier`, not a stand-alone database.
CLUSTER_ONLY_ENGINES = frozenset(
    {"aurora", "aurora-mysql", "aurora-postgresql", "neptune", "docdb"}
)


def databases(region: RegionInventory) -> list[Database]:
    """The region's databases; call only when both listings are ok."""
    clusters = region.db_clusters.require()
    listed = {c.identifier for c in clusters}
    members = {m for c in clusters for m in c.member_ids}
    found = [Database(c.arn, _label(c), region.db_clusters, c) for c in clusters]
    for instance in region.db_instances.require():
        if instance.cluster_id in listed or (
            instance.cluster_id is None and instance.identifier in members
        ):
            continue  # judged through its cluster
        problem = _unjudged(instance)
        found.append(
            Database(instance.arn, _label(instance), region.db_instances, instance, problem)
        )
    return found


def _unjudged(instance: DbInstance) -> str | None:
    """Why an instance that no listed cluster accounts for cannot be judged on its own."""
    if instance.cluster_id is not None:
        return (
            f"it belongs to cluster {instance.cluster_id}, which the DescribeDBClusters "
            "answer does not list, so its cluster's settings could not be read"
        )
    if instance.engine in CLUSTER_ONLY_ENGINES:
        return (
            f"a {engine_name(instance.engine)} instance always belongs to a cluster, but the "
            "answer names none (no DBClusterIdentifier) and no cluster lists it"
        )
    return None


def database_rows(
    rows: Rows, region: RegionInventory, judge: Callable[[Database, Evidence], CheckResult]
) -> list[CheckResult]:
    """`judge(database, its evidence)` for each database of the region; an ERROR row for a
    database that cannot be judged on its own or when a listing failed, NOT_APPLICABLE
    when there is none."""
    name = region.region
    failed = first_error(region.db_instances, region.db_clusters)
    if failed is not None:
        return [rows.error(name, name, "the RDS databases", failed)]
    if not region.db_instances.require() and not region.db_clusters.require():
        what = "RDS, Aurora, Neptune or DocumentDB databases"
        return [rows.none_in_region(name, what, region.db_instances)]
    results = []
    for db in databases(region):
        evidence = rows.evidence(db.listing, db.excerpt())
        if db.problem is not None:
            detail = f"{db.label}: {db.problem}"
            results.append(rows.row(name, db.arn, Status.ERROR, detail, (evidence,)))
        else:
            results.append(judge(db, evidence))
    return results


def key_words(region: RegionInventory, key_id: str | None) -> str:
    """`the AWS-managed key aws/rds` or `KMS key arn:...` (`alias/...`) for a key id/ARN."""
    if not key_id:
        return "a KMS key"
    key = key_id.rsplit("/", 1)[-1]
    aliases = (
        [a.alias_name for a in region.kms_aliases.require() if a.target_key_id == key]
        if region.kms_aliases.ok
        else []
    )
    managed = [a for a in aliases if a.startswith("alias/aws/")]
    if managed:
        return f"the AWS-managed key {managed[0].removeprefix('alias/')}"
    if aliases:
        return f"KMS key {key_id} ({', '.join(aliases)})"
    return f"KMS key {key_id}"
