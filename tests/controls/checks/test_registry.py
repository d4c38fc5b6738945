"""The registry as a whole: ids, evidence on every row, and no PASS without looking."""

import json
from dataclasses import fields

from app.aws.inventory.model import (
    IamInventory,
    Inventory,
    RegionInventory,
    S3Inventory,
    TrailEventSelectors,
)
from app.controls.catalogue import load_catalogue
from app.controls.checks import CHECK_IDS, CHECKS, run_checks
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    ADMIN,
    ALL_OUT,
    NOW,
    SETTINGS,
    access_key,
    bucket,
    default_deny,
    entry,
    failed,
    flow_log,
    iam_inventory,
    instance,
    inventory,
    key,
    lock,
    nacl,
    ok,
    perm,
    plan,
    region,
    role,
    sg,
    snapshot,
    subnet,
    trail,
    user,
    vault,
    volume,
    vpc,
)

CONTROLS = (
    "default-vpcs",
    "vpc-flow-logs",
    "cloudtrail",
    "encryption-at-rest",
    "no-iam-access-keys",
    "no-ssh",
    "sg-inbound",
    "nacls",
    "deletion-protection",
    "least-privilege",
    "backups",
    "root-account",
    "console-mfa",
    "password-policy",
    "threat-detection",
    "s3-public-access",
    "config-recording",
)


def rich_inventory() -> Inventory:
    reg = region(
        "us-east-1",
        vpcs=ok((vpc("vpc-d", default=True), vpc("vpc-1"))),
        subnets=ok((subnet("subnet-d", "vpc-d"), subnet("subnet-1", "vpc-1"))),
        security_groups=ok(
            (
                sg("sg-d", "default", "vpc-d", outbound=[ALL_OUT]),
                sg("sg-1", "web", "vpc-1", inbound=[perm("tcp", 22, v4=["0.0.0.0/0"])]),
            )
        ),
        network_acls=ok(
            (
                nacl("acl-d", "vpc-d", (entry(100), *default_deny()), ["subnet-d"], True),
                nacl("acl-1", "vpc-1", default_deny(), ["subnet-1"]),
            )
        ),
        flow_logs=ok((flow_log(resource="vpc-1"),)),
        volumes=ok((volume("vol-1"), volume("vol-2", encrypted=False))),
        snapshots=ok((snapshot("snap-1"),)),
        snapshot_locks=ok((lock("snap-1"),)),
        instances=ok((instance("i-1"),)),
        managed_instances=failed("Not implemented (HTTP 500)", service="ssm"),
        trails=ok((trail(selectors=TrailEventSelectors()),)),
        kms_keys=ok((key("k1"),)),
        backup_plans=ok((plan(),)),
        backup_vaults=ok((vault(),)),
    )
    iam = iam_inventory(
        users=[user("alice", keys=[access_key()])], roles=[role("r", attached=[ADMIN])]
    )
    return inventory(reg, region("eu-west-1"), iam=iam, buckets=[bucket("data")])


def broken_inventory() -> Inventory:
    """Every fetch failed: nothing could be looked at."""
    names = [f.name for f in fields(RegionInventory) if f.name != "region"]
    reg = RegionInventory(region="us-east-1", **{n: failed() for n in names})
    return Inventory(
        account_id=ACCOUNT,
        caller_arn="arn:aws:iam::123456789012:user/x",
        partition="aws",
        regions={"us-east-1": reg},
        skipped_regions=("me-south-1",),
        iam=IamInventory(**{f.name: failed() for f in fields(IamInventory)}),
        s3=S3Inventory(**{f.name: failed() for f in fields(S3Inventory)}),
        organization=failed(),
    )


def test_registry_has_the_seventeen_controls_in_order() -> None:
    assert tuple(CHECKS) == CONTROLS
    assert tuple(CHECK_IDS) == CONTROLS


def test_check_ids_match_the_catalogue() -> None:
    catalogue = load_catalogue()
    declared = {c.id: {s.id for s in c.checks} for c in catalogue.controls if c.automated}
    assert declared == {control: set(ids) for control, ids in CHECK_IDS.items()}


def test_rich_inventory_rows_are_well_formed() -> None:
    results = run_checks(rich_inventory(), SETTINGS)
    emitted = {(r.control, r.check) for r in results}
    for control, check in emitted:
        assert check in CHECK_IDS[control], (control, check)
    # every declared check id produced at least one row on this inventory
    assert {c for _, c in emitted} == {c for ids in CHECK_IDS.values() for c in ids}
    for row in results:
        assert row.evidence, row
        assert row.account_id == ACCOUNT
        assert row.detail
        assert row.region in ("us-east-1", "eu-west-1", "global")
        for evidence in row.evidence:
            assert evidence.collected_at.tzinfo is not None
    json.dumps([r.to_json() for r in results])


def test_rich_inventory_outcomes_mix() -> None:
    results = run_checks(rich_inventory(), SETTINGS)
    by = {(r.check, r.resource): r.status for r in results}
    assert by[("sg-no-ssh", f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-1")] is Status.FAIL
    assert by[("instance-session-manager", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1")] is (
        Status.ERROR
    )
    assert by[("multi-region-trail", ACCOUNT)] is Status.PASS
    assert by[("iam-principal-admin", f"arn:aws:iam::{ACCOUNT}:role/r")] is Status.FAIL
    assert by[("default-vpc-isolated", "eu-west-1")] is Status.PASS


def test_nothing_readable_means_no_pass_and_no_not_applicable() -> None:
    results = run_checks(broken_inventory(), SETTINGS)
    assert results
    assert {r.status for r in results} == {Status.ERROR}
    assert {r.control for r in results} == set(CONTROLS)
    for row in results:
        assert "AccessDenied" in row.detail or "not fetched" in row.detail, row
        assert row.evidence


def test_skipped_regions_get_no_rows() -> None:
    results = run_checks(broken_inventory(), SETTINGS)
    assert "me-south-1" not in {r.region for r in results}


def test_checks_are_pure_same_input_same_output() -> None:
    inv = rich_inventory()
    assert run_checks(inv, SETTINGS) == run_checks(inv, SETTINGS)
    assert SETTINGS.now == NOW
