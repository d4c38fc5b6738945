from app.controls.checks import backups
from app.controls.results import Status
from tests.controls.checks.builders import (
    SETTINGS,
    bucket,
    failed,
    inventory,
    ok,
    one,
    plan,
    region,
    replication_to,
    statuses,
    vault,
    volume,
)


def plan_row(reg, buckets=()):
    return one(backups.check(inventory(reg, buckets=buckets), SETTINGS), "backup-plan")


DATA = {"volumes": ok((volume(),))}


def test_plan_rule_vault_and_selection_passes() -> None:
    row = plan_row(region(**DATA, backup_plans=ok((plan(),)), backup_vaults=ok((vault(),))))
    assert row.status is Status.PASS
    assert row.resource == "us-east-1"
    assert "plan daily rule r1" in row.detail and "1 resource assignments" in row.detail


def test_selection_api_error_is_error_saying_what_was_found() -> None:
    p = plan(selections=failed("Not implemented (HTTP 500)", "ListBackupSelections", "backup"))
    row = plan_row(region(**DATA, backup_plans=ok((p,)), backup_vaults=ok((vault(),))))
    assert row.status is Status.ERROR
    assert "plan daily" in row.detail and "could not be verified" in row.detail


def test_no_selections_fails() -> None:
    p = plan(selections=ok((), "ListBackupSelections", "backup"))
    row = plan_row(region(**DATA, backup_plans=ok((p,)), backup_vaults=ok((vault(),))))
    assert row.status is Status.FAIL and "no resources are assigned" in row.detail


def test_no_plan_fails() -> None:
    row = plan_row(region(**DATA, backup_vaults=ok((vault(),))))
    assert row.status is Status.FAIL


def test_rule_targeting_missing_vault_fails() -> None:
    row = plan_row(region(**DATA, backup_plans=ok((plan(vault="gone"),)), backup_vaults=ok(())))
    assert row.status is Status.FAIL


def test_plan_rules_unreadable_is_error() -> None:
    p = plan(rules=failed("Throttling", "GetBackupPlan", "backup"))
    row = plan_row(region(**DATA, backup_plans=ok((p,)), backup_vaults=ok((vault(),))))
    assert row.status is Status.ERROR and "Throttling" in row.detail


def test_plan_listing_error_is_error() -> None:
    row = plan_row(region(**DATA, backup_plans=failed(service="backup")))
    assert row.status is Status.ERROR


def test_region_without_data_not_applicable() -> None:
    assert plan_row(region()).status is Status.NOT_APPLICABLE


def test_bucket_homed_in_region_counts_as_data() -> None:
    row = plan_row(region("eu-west-1"), buckets=[bucket("b", "eu-west-1")])
    assert row.status is Status.FAIL and "1 S3 buckets" in row.detail


def test_unknown_data_is_error() -> None:
    assert plan_row(region(volumes=failed())).status is Status.ERROR


def run_replication(buckets):
    return backups.check(inventory(region(), buckets=buckets), SETTINGS)


def test_replication_outcomes() -> None:
    results = run_replication(
        [
            bucket("cross", "us-east-1", replication=replication_to("dr")),
            bucket("dr", "eu-west-1"),
            bucket("same", "us-east-1", replication=replication_to("twin")),
            bucket("twin", "us-east-1"),
            bucket("off", replication=replication_to("dr", status="Disabled")),
            bucket("away", replication=replication_to("other-account-bucket")),
            bucket("broken", replication=failed("AccessDenied", service="s3")),
        ]
    )
    assert statuses(results, "s3-replication") == {
        "arn:aws:s3:::cross": Status.PASS,
        "arn:aws:s3:::dr": Status.FAIL,
        "arn:aws:s3:::same": Status.FAIL,
        "arn:aws:s3:::twin": Status.FAIL,
        "arn:aws:s3:::off": Status.FAIL,
        "arn:aws:s3:::away": Status.ERROR,
        "arn:aws:s3:::broken": Status.ERROR,
    }
    cross = one(results, "s3-replication", "arn:aws:s3:::cross")
    assert "eu-west-1" in cross.detail
    assert "no replication" in one(results, "s3-replication", "arn:aws:s3:::dr").detail
    assert "only within" in one(results, "s3-replication", "arn:aws:s3:::same").detail


def test_bucket_listing_error() -> None:
    results = run_replication(failed(service="s3"))
    assert one(results, "s3-replication").status is Status.ERROR
