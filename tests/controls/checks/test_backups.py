from datetime import timedelta

from app.aws.inventory.model import SelectionRules
from app.controls.checks import backups
from app.controls.results import Status
from tests.controls.checks.builders import (
    NOW,
    SETTINGS,
    bucket,
    ec2_arn,
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
from tests.controls.checks.builders_data import (
    plan_with,
    protected,
    selection,
    table,
    tag,
)

VOLUME = ec2_arn("volume", "vol-1")
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
DATA = {"volumes": ok((volume(),))}
EVERYTHING = SelectionRules(resources=("*",))


def plan_row(reg, buckets=()):
    return one(backups.check(inventory(reg, buckets=buckets), SETTINGS), "backup-plan")


def coverage(reg, buckets=()):
    return statuses(backups.check(inventory(reg, buckets=buckets), SETTINGS), "backup-coverage")


def backed_up(**fields):
    """A region whose one volume is selected by plan daily and has a fresh recovery point."""
    base = {
        **DATA,
        "backup_plans": ok((plan(),)),
        "backup_vaults": ok((vault(),)),
        "protected_resources": protected(VOLUME),
    }
    return region(**{**base, **fields})


def test_selected_and_backed_up_passes() -> None:
    reg = backed_up()
    row = plan_row(reg)
    assert row.status is Status.PASS
    assert row.resource == "us-east-1"
    assert "plan daily rule r1" in row.detail and "all 1 resources here are backed up" in row.detail
    results = backups.check(inventory(reg), SETTINGS)
    covered = one(results, "backup-coverage", VOLUME)
    assert covered.status is Status.PASS
    assert "selection all (resources *)" in covered.detail and "vault Default" in covered.detail
    operations = {e.operation for e in covered.evidence}
    assert {"backup:GetBackupSelection", "backup:ListProtectedResources"} <= operations


def test_a_selection_of_tables_only_leaves_the_volumes_uncovered() -> None:
    """The defect: a selection covering only DynamoDB passed a region whose volumes were not
    backed up. Now each resource is judged against what the selection assigns."""
    tables_only = selection(rules=SelectionRules(resources=("arn:aws:dynamodb:*:*:table/*",)))
    reg = backed_up(
        dynamodb_tables=ok((table(),), "ListTables", "dynamodb"),
        backup_plans=ok((plan_with(tables_only),)),
        protected_resources=protected(TABLE),
    )
    assert coverage(reg) == {VOLUME: Status.FAIL, TABLE: Status.PASS}
    row = plan_row(reg)
    assert row.status is Status.FAIL
    assert "1 of 2 are not backed up: EBS volume vol-1" in row.detail


def test_assigned_but_never_backed_up_fails() -> None:
    reg = backed_up(protected_resources=protected())
    assert coverage(reg) == {VOLUME: Status.FAIL}
    assert plan_row(reg).status is Status.FAIL


def test_stale_recovery_point_fails() -> None:
    reg = backed_up(protected_resources=protected(VOLUME, when=NOW - timedelta(days=90)))
    results = backups.check(inventory(reg), SETTINGS)
    assert "90 days ago" in one(results, "backup-coverage", VOLUME).detail
    assert one(results, "backup-coverage", VOLUME).status is Status.FAIL


def test_a_recovery_point_without_an_assignment_is_only_a_one_off() -> None:
    nothing = selection(rules=SelectionRules(resources=("arn:aws:rds:*:*:db:*",)))
    reg = backed_up(backup_plans=ok((plan_with(nothing),)))
    results = backups.check(inventory(reg), SETTINGS)
    row = one(results, "backup-coverage", VOLUME)
    assert row.status is Status.FAIL and "recovery point from 2026-11-28 only" in row.detail


def test_volume_covered_through_its_instance() -> None:
    from dataclasses import replace

    from tests.controls.checks.builders import instance

    attached = replace(volume(), attached_instance_ids=("i-1",))
    instances_only = selection(rules=SelectionRules(resources=("arn:aws:ec2:*:*:instance/*",)))
    reg = backed_up(
        volumes=ok((attached,)),
        instances=ok((instance(),)),
        backup_plans=ok((plan_with(instances_only),)),
        protected_resources=protected(ec2_arn("instance", "i-1")),
    )
    assert coverage(reg) == {VOLUME: Status.PASS}


def test_tag_selection_is_judged_on_the_regions_tags() -> None:
    by_tag = SelectionRules(list_of_tags=(tag("backup", "daily"),))
    tagged = selection(rules=by_tag, tags={VOLUME: {"backup": "daily"}})
    untagged = selection(rules=by_tag, tags={})
    assert coverage(backed_up(backup_plans=ok((plan_with(tagged),)))) == {VOLUME: Status.PASS}
    assert coverage(backed_up(backup_plans=ok((plan_with(untagged),)))) == {VOLUME: Status.FAIL}
    unreadable = selection(rules=by_tag)
    unreadable = type(unreadable)(
        selection_id="x",
        selection_name="x",
        rules=unreadable.rules,
        resource_tags=failed("AccessDenied", "GetResources", "resourcegroupstaggingapi"),
    )
    assert coverage(backed_up(backup_plans=ok((plan_with(unreadable),)))) == {VOLUME: Status.ERROR}


def test_selection_rules_unreadable_is_error() -> None:
    broken = selection(rules_fetch=failed("Throttling", "GetBackupSelection", "backup"))
    reg = backed_up(backup_plans=ok((plan_with(broken),)))
    assert coverage(reg) == {VOLUME: Status.ERROR}
    row = plan_row(reg)
    assert row.status is Status.ERROR and "Throttling" in row.detail


def test_protected_resources_unreadable_is_error() -> None:
    reg = backed_up(protected_resources=failed("Not implemented", "ListProtectedResources"))
    assert coverage(reg) == {VOLUME: Status.ERROR}
    assert plan_row(reg).status is Status.ERROR


def test_selection_api_error_is_error_saying_what_was_found() -> None:
    p = plan(selections=failed("Not implemented (HTTP 500)", "ListBackupSelections", "backup"))
    row = plan_row(backed_up(backup_plans=ok((p,))))
    assert row.status is Status.ERROR
    assert "plan daily" in row.detail and "could not be verified" in row.detail


def test_no_selections_fails() -> None:
    p = plan(selections=ok((), "ListBackupSelections", "backup"))
    row = plan_row(backed_up(backup_plans=ok((p,))))
    assert row.status is Status.FAIL and "1 of 1 are not backed up" in row.detail


def test_no_plan_fails() -> None:
    reg = region(**DATA, backup_vaults=ok((vault(),)))
    assert plan_row(reg).status is Status.FAIL
    assert coverage(reg) == {VOLUME: Status.FAIL}


def test_rule_targeting_missing_vault_fails() -> None:
    row = plan_row(region(**DATA, backup_plans=ok((plan(vault="gone"),)), backup_vaults=ok(())))
    assert row.status is Status.FAIL


def test_plan_rules_unreadable_is_error() -> None:
    p = plan(rules=failed("Throttling", "GetBackupPlan", "backup"))
    row = plan_row(region(**DATA, backup_plans=ok((p,)), backup_vaults=ok((vault(),))))
    assert row.status is Status.ERROR and "Throttling" in row.detail


def test_plan_listing_error_is_error() -> None:
    reg = region(**DATA, backup_plans=failed(service="backup"))
    assert plan_row(reg).status is Status.ERROR
    assert coverage(reg) == {VOLUME: Status.ERROR}


def test_region_without_data_not_applicable() -> None:
    assert plan_row(region()).status is Status.NOT_APPLICABLE
    assert coverage(region()) == {"us-east-1": Status.NOT_APPLICABLE}


def test_bucket_homed_in_region_counts_as_data() -> None:
    row = plan_row(region("eu-west-1"), buckets=[bucket("b", "eu-west-1")])
    assert row.status is Status.FAIL and "1 S3 buckets" in row.detail


def test_unknown_data_is_error() -> None:
    assert plan_row(region(volumes=failed())).status is Status.ERROR
    reg = region(**DATA, dynamodb_tables=failed("AccessDenied", "ListTables", "dynamodb"))
    assert coverage(reg)["us-east-1"] is Status.ERROR


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


def test_a_rule_limited_to_a_prefix_or_tags_does_not_pass() -> None:
    """The defect: a rule replicating only a prefix passed as replicating the bucket."""
    from dataclasses import replace

    whole = replication_to("dr")
    partial = replace(whole, rules=(replace(whole.rules[0], only="prefix logs/ and tag k=v"),))
    results = run_replication(
        [bucket("some", "us-east-1", replication=partial), bucket("dr", "eu-west-1")]
    )
    row = one(results, "s3-replication", "arn:aws:s3:::some")
    assert row.status is Status.FAIL
    assert "only objects with prefix logs/ and tag k=v" in row.detail


def test_bucket_listing_error() -> None:
    results = run_replication(failed(service="s3"))
    assert one(results, "s3-replication").status is Status.ERROR
