"""Databases, DynamoDB tables and EFS in encryption at rest and deletion protection."""

from app.controls.checks import deletion, encryption
from app.controls.results import Status
from tests.controls.checks.builders import SETTINGS, failed, inventory, ok, one, region, statuses
from tests.controls.checks.builders_data import (
    db_cluster,
    db_instance,
    file_system,
    rds_arn,
    table,
)


def databases(*, instances=(), clusters=()):
    return region(
        db_instances=ok(tuple(instances), "DescribeDBInstances", "rds"),
        db_clusters=ok(tuple(clusters), "DescribeDBClusters", "rds"),
    )


def run(check, reg):
    return check.check(inventory(reg), SETTINGS)


def test_databases_are_judged_on_their_cluster_when_they_have_one() -> None:
    reg = databases(
        instances=[
            db_instance("solo"),
            db_instance("plain", encrypted=False, protected=False, retention=0),
            db_instance("writer", engine="aurora-postgresql", cluster="aurora1", protected=False),
            db_instance("lost", engine="aurora-mysql", cluster="gone"),
        ],
        clusters=[
            db_cluster("aurora1", members=("writer",)),
            db_cluster("graph", engine="neptune", encrypted=False, protected=False),
        ],
    )
    encrypted = statuses(run(encryption, reg), "rds-storage-encrypted")
    assert encrypted == {
        rds_arn("db", "solo"): Status.PASS,
        rds_arn("db", "plain"): Status.FAIL,
        rds_arn("cluster", "aurora1"): Status.PASS,
        rds_arn("cluster", "graph"): Status.FAIL,
        rds_arn("db", "lost"): Status.ERROR,  # its cluster is not in the listing: kept, ERROR
    }
    protection = statuses(run(deletion, reg), "rds-deletion-protection")
    # The Aurora writer's own DeletionProtection=False does not matter: the cluster's does.
    assert protection[rds_arn("cluster", "aurora1")] is Status.PASS
    assert protection[rds_arn("db", "plain")] is Status.FAIL
    assert rds_arn("db", "writer") not in protection
    graph = one(run(encryption, reg), "rds-storage-encrypted", rds_arn("cluster", "graph"))
    assert "Neptune cluster graph" in graph.detail
    plain = one(run(deletion, reg), "rds-deletion-protection", rds_arn("db", "plain"))
    assert "deletion protection is off" in plain.detail and "retention 0 days" in plain.detail


def test_an_answer_without_the_fields_is_error_not_a_guess() -> None:
    reg = databases(instances=[db_instance("old", encrypted=None, protected=None)])
    assert statuses(run(encryption, reg), "rds-storage-encrypted") == {
        rds_arn("db", "old"): Status.ERROR
    }
    row = one(run(deletion, reg), "rds-deletion-protection")
    assert row.status is Status.ERROR and "DeletionProtection" in row.detail


def test_no_databases_is_not_applicable_and_an_unreadable_listing_is_error() -> None:
    assert one(run(encryption, databases()), "rds-storage-encrypted").status is (
        Status.NOT_APPLICABLE
    )
    reg = region(db_clusters=failed("AccessDenied", "DescribeDBClusters", "rds"))
    assert one(run(deletion, reg), "rds-deletion-protection").status is Status.ERROR


def test_dynamodb_tables() -> None:
    kms = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:k/1"}
    lost = {**kms, "InaccessibleEncryptionDateTime": "2026-11-01T00:00:00Z"}
    tables = (
        table("owned"),
        table("kms", sse=kms, protected=False),
        table("lost", sse=lost, pitr="DISABLED"),
        table("old", protected=None),
        table("gone", description=failed("ResourceNotFoundException", "DescribeTable")),
    )
    reg = region(dynamodb_tables=ok(tables, "ListTables", "dynamodb"))
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/"
    encrypted = statuses(run(encryption, reg), "dynamodb-table-encrypted")
    assert encrypted == {
        arn + "owned": Status.PASS,
        arn + "kms": Status.PASS,
        arn + "lost": Status.FAIL,
        arn + "old": Status.PASS,
        arn + "gone": Status.ERROR,
    }
    owned = one(run(encryption, reg), "dynamodb-table-encrypted", arn + "owned")
    assert "a key AWS owns" in owned.detail
    protection = statuses(run(deletion, reg), "dynamodb-deletion-protection")
    assert protection == {
        arn + "owned": Status.PASS,
        arn + "kms": Status.FAIL,
        arn + "lost": Status.FAIL,
        arn + "old": Status.ERROR,
        arn + "gone": Status.ERROR,
    }


def test_efs() -> None:
    systems = (file_system("fs-1"), file_system("fs-2", False), file_system("fs-3", None))
    reg = region(file_systems=ok(systems, "DescribeFileSystems", "efs"))
    prefix = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/"
    assert statuses(run(encryption, reg), "efs-encrypted") == {
        prefix + "fs-1": Status.PASS,
        prefix + "fs-2": Status.FAIL,
        prefix + "fs-3": Status.ERROR,
    }
