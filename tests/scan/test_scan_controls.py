"""The full scan of a built account: correct rows for every control, stored with evidence.

The account (tests/scan/scenario.py) is scanned once per module through real boto3
against moto; each test asserts one control's population.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from sqlalchemy import func, select

from app.aws.clients import ScanClients
from app.aws.inventory import collect
from app.aws.inventory.model import Inventory, RegionInventory
from app.controls.checks import CHECK_IDS, CHECKS, CheckSettings
from app.controls.results import CheckResult
from app.scan.needs import NEEDS
from app.scan.runner import ScanOutcome, prepare
from app.store.database import open_database
from app.store.models import ResultRow, Scan
from tests.scan.helpers import rows, status_of
from tests.scan.scenario import HOME, OTHER, Built

Scanned = tuple[ScanOutcome, Path]
OTHER_SUFFIX = f"@{OTHER}#0"


def test_scan_covers_every_control_and_check(scanned: Scanned) -> None:
    outcome, _ = scanned
    assert outcome.state == "complete"
    assert outcome.regions == tuple(sorted((HOME, OTHER)))
    assert outcome.identity.account_id == "123456789012"
    emitted = {(r.control, r.check) for r in outcome.results}
    expected = {(control, check) for control, checks in CHECK_IDS.items() for check in checks}
    assert emitted == expected
    assert all(r.account_id == "123456789012" for r in outcome.results)
    assert all(r.evidence for r in outcome.results)


def test_default_vpcs(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    isolated = rows(outcome, "default-vpc-isolated")
    assert {r.region for r in isolated} == {HOME, OTHER}
    # moto's default VPCs keep the allow-all default NACL: not isolated.
    assert {r.status.value for r in isolated} == {"FAIL"}
    assert all(":vpc/vpc-" in r.resource for r in isolated)
    default_groups = rows(outcome, "default-sg-no-rules")
    # One default group per VPC: the default VPC and the app VPC in both regions.
    assert len(default_groups) == 4
    assert {r.status.value for r in default_groups} == {"FAIL"}  # the default egress rule


def test_vpc_flow_logs(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "vpc-flow-log-all-traffic", account["app-vpc"]) == "PASS"
    assert status_of(outcome, "vpc-flow-log-all-traffic", account[f"app-vpc{OTHER_SUFFIX}"]) == (
        "PASS"
    )
    unlogged = [r for r in rows(outcome, "vpc-flow-log-all-traffic") if r.status.value == "FAIL"]
    assert len(unlogged) == 2  # the two default VPCs


def test_cloudtrail(scanned: Scanned) -> None:
    outcome, _ = scanned
    (account_row,) = rows(outcome, "multi-region-trail")
    assert account_row.status.value == "PASS" and "org-wide" in account_row.detail
    assert status_of(outcome, "trail-logging", "trail/org-wide") == "PASS"
    assert status_of(outcome, "trail-logging", "trail/eu-only") == "FAIL"
    # The multi-region trail is one row, not one per region it shows up in.
    assert len(rows(outcome, "trail-logging")) == 2
    evidence = {e.operation for r in rows(outcome, "trail-logging") for e in r.evidence}
    assert "cloudtrail:GetTrailStatus" in evidence


def test_encryption_at_rest(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    by_default = {r.region: r.status.value for r in rows(outcome, "ebs-encryption-by-default")}
    assert by_default == {HOME: "FAIL", OTHER: "PASS"}
    assert status_of(outcome, "ebs-volume-encrypted", account["vol-plain"]) == "FAIL"
    assert status_of(outcome, "ebs-volume-encrypted", account["vol-encrypted"]) == "PASS"
    assert status_of(outcome, "ebs-snapshot-encrypted", account["snap-plain"]) == "FAIL"
    assert status_of(outcome, "ebs-snapshot-encrypted", account["snap-encrypted"]) == "PASS"
    # Only the account's own snapshots: moto's ~1,300 public AMI snapshots are not rows.
    assert len(rows(outcome, "ebs-snapshot-encrypted")) == 4
    assert status_of(outcome, "kms-key-rotation", account["key-rotating"]) == "PASS"
    assert status_of(outcome, "kms-key-rotation", account["key-static"]) == "FAIL"
    rotated = {r.resource for r in rows(outcome, "kms-key-rotation")}
    assert account["key-doomed"] not in rotated  # pending deletion: not a rotation row
    assert status_of(outcome, "s3-default-encryption", "acme-kms-encrypted") == "PASS"
    assert {
        r.region for r in rows(outcome, "s3-default-encryption") if "replica-eu" in r.resource
    } == {OTHER}


def test_no_iam_access_keys(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    alice = [r for r in rows(outcome, "iam-user-access-keys") if r.resource.endswith("user/alice")]
    assert [r.status.value for r in alice] == ["FAIL"]
    assert account["alice-key"] in alice[0].detail
    assert status_of(outcome, "iam-user-access-keys", "user/bob") == "PASS"
    (root,) = rows(outcome, "root-access-keys")
    assert root.status.value == "PASS" and root.region == "global"


def test_no_ssh(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    for region_suffix in ("", OTHER_SUFFIX):
        assert status_of(outcome, "sg-no-ssh", account[f"sg-ssh-world{region_suffix}"]) == "FAIL"
        assert status_of(outcome, "sg-no-ssh", account[f"sg-range-v6{region_suffix}"]) == "FAIL"
        assert status_of(outcome, "sg-no-ssh", account[f"sg-internal-db{region_suffix}"]) == "PASS"
    # moto has no Systems Manager inventory: the instance is ERROR, never PASS.
    assert status_of(outcome, "instance-session-manager", account["instance"]) == "ERROR"
    (empty,) = rows(outcome, "instance-session-manager", OTHER)
    assert empty.status.value == "NOT_APPLICABLE"


def test_sg_inbound(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "sg-inbound-restricted", account["sg-ssh-world"]) == "FAIL"
    assert status_of(outcome, "sg-inbound-restricted", account["sg-range-v6"]) == "FAIL"
    assert status_of(outcome, "sg-inbound-restricted", account["sg-wide-https"]) == "FAIL"
    assert status_of(outcome, "sg-inbound-restricted", account["sg-internal-db"]) == "PASS"
    assert status_of(outcome, "sg-inbound-restricted", account["sg-from-db"]) == "PASS"


def test_nacls(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "nacl-restricted", account["acl-restricted"]) == "PASS"
    assert status_of(outcome, "nacl-restricted", account[f"acl-restricted{OTHER_SUFFIX}"]) == "PASS"
    defaults = [r for r in rows(outcome, "nacl-restricted") if "(default)" in r.detail]
    assert len(defaults) == 4 and {r.status.value for r in defaults} == {"FAIL"}


def test_deletion_protection(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "kms-key-deletion", account["key-rotating"]) == "PASS"
    assert status_of(outcome, "kms-key-deletion", account["key-doomed"]) == "FAIL"
    assert status_of(outcome, "kms-key-deletion", account["key-disabled"]) == "FAIL"
    # Snapshot locks cannot be read on moto: ERROR with the reason, never PASS.
    locks = rows(outcome, "ebs-snapshot-lock")
    assert len(locks) == 4 and {r.status.value for r in locks} == {"ERROR"}
    assert all("DescribeLockedSnapshots" in r.detail for r in locks)
    assert status_of(outcome, "s3-object-lock", "acme-locked") == "PASS"
    # Marked sensitive in the engagement's settings, and without Object Lock.
    assert status_of(outcome, "s3-object-lock", "acme-plain") == "FAIL"


def test_least_privilege(scanned: Scanned, account: Built) -> None:
    outcome, _ = scanned
    assert status_of(outcome, "iam-policy-unbounded", account["policy-star"]) == "FAIL"
    assert status_of(outcome, "iam-policy-unbounded", account["policy-reader"]) == "PASS"
    assert status_of(outcome, "iam-policy-unbounded", "inline-policy/almost-all") == "FAIL"
    assert status_of(outcome, "iam-principal-admin", "role/admin-role") == "FAIL"
    assert status_of(outcome, "iam-principal-admin", "role/app-role") == "PASS"
    assert status_of(outcome, "iam-principal-admin", "group/ops") == "FAIL"
    assert status_of(outcome, "iam-principal-admin", "user/bob") == "FAIL"


def test_data_stores(scanned: Scanned) -> None:
    """RDS, Aurora, Neptune, DynamoDB and EFS as moto serves them, through real boto3."""
    outcome, _ = scanned

    def verdicts(check: str) -> dict[str, str]:
        return {r.resource.rsplit(":", 1)[-1]: r.status.value for r in rows(outcome, check)}

    assert verdicts("rds-storage-encrypted") == {
        "db-good": "PASS",
        "aurora-prod": "PASS",
        "graph": "FAIL",
        "db-plain": "FAIL",
    }
    assert verdicts("rds-deletion-protection") == {
        "db-good": "PASS",
        "aurora-prod": "PASS",  # judged on the cluster, not its member
        "graph": "FAIL",
        "db-plain": "FAIL",
    }
    assert verdicts("dynamodb-table-encrypted") == {
        "table/orders": "PASS",
        "table/sessions": "PASS",  # an AWS-owned key: encrypted, said so
    }
    assert "a key AWS owns" in status_row(outcome, "dynamodb-table-encrypted", "sessions").detail
    assert verdicts("dynamodb-deletion-protection") == {
        "table/orders": "PASS",
        "table/sessions": "FAIL",
    }
    efs = {r.region: r.status.value for r in rows(outcome, "efs-encrypted")}
    assert efs == {HOME: "PASS", OTHER: "FAIL"}


def status_row(outcome: ScanOutcome, check: str, part: str) -> Any:
    (row,) = [r for r in rows(outcome, check) if part in r.resource]
    return row


def test_backups(scanned: Scanned) -> None:
    outcome, _ = scanned
    plans = {r.region: r for r in rows(outcome, "backup-plan")}
    assert plans[OTHER].status.value == "FAIL"  # data, no plan
    # A plan with a rule and a vault, but moto cannot list its selections.
    assert plans[HOME].status.value == "ERROR" and "daily" in plans[HOME].detail
    coverage = {r.region: {r.status.value} for r in rows(outcome, "backup-coverage")}
    assert {r.status.value for r in rows(outcome, "backup-coverage", HOME)} == {"ERROR"}
    assert {r.status.value for r in rows(outcome, "backup-coverage", OTHER)} == {"FAIL"}
    assert set(coverage) == {HOME, OTHER}
    covered = {r.resource.rsplit(":", 1)[-1] for r in rows(outcome, "backup-coverage", HOME)}
    assert {"db-good", "aurora-prod", "graph", "table/orders"} <= covered
    assert status_of(outcome, "s3-replication", "acme-replicated") == "PASS"
    assert status_of(outcome, "s3-replication", "acme-plain") == "FAIL"


def test_scan_is_stored_with_its_evidence(scanned: Scanned) -> None:
    outcome, path = scanned
    with open_database(path) as db, db.session() as session:
        scan = session.get(Scan, outcome.scan_id)
        assert scan is not None
        assert scan.state == "complete"
        assert scan.regions == sorted([HOME, OTHER])
        assert scan.caller_arn.startswith("arn:aws:sts::123456789012:")
        count = session.scalar(select(func.count()).where(ResultRow.scan_id == scan.id))
        assert count == len(outcome.results)
        row = session.scalars(
            select(ResultRow).where(ResultRow.scan_id == scan.id, ResultRow.check_id == "sg-no-ssh")
        ).first()
        assert row is not None
        (evidence,) = row.evidence
        assert evidence["operation"] == "ec2:DescribeSecurityGroups"
        assert evidence["collected_at"].endswith("Z")


def _only(full: Inventory, parts: frozenset[str]) -> Inventory:
    """`full` with every part outside `parts` replaced by "not collected"."""

    def region_inventory(region: RegionInventory) -> RegionInventory:
        changes = {
            name: collect._not_collected(part, region.region)
            for name, part in collect.REGION_PARTS.items()
            if name not in parts
        }
        return replace(region, **changes)

    def section(current: Any, prefix: str) -> Any:
        changes = {
            name.removeprefix(prefix): collect._not_collected(part, "global")
            for name, part in collect.GLOBAL_PARTS.items()
            if name.startswith(prefix) and name not in parts
        }
        return replace(current, **changes)

    return replace(
        full,
        regions={name: region_inventory(r) for name, r in full.regions.items()},
        iam=section(full.iam, "iam."),
        s3=section(full.s3, "s3."),
    )


def test_each_control_needs_exactly_the_parts_a_partial_scan_fetches(scan_env: Built) -> None:
    """A one-control scan fetches `NEEDS[control]` only: the check must give the same rows
    from those parts as from the whole inventory (else a partial scan would show ERRORs)."""
    clients = ScanClients(boto3.Session)
    prepared = prepare(clients, regions=[HOME, OTHER])
    full = collect.collect_inventory(clients, prepared.identity, prepared.plan)
    settings = CheckSettings(now=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))

    def judged(results: list[CheckResult]) -> list[tuple[str, str, str, str, str]]:
        return [(r.check, r.region, r.resource, r.status.value, r.detail) for r in results]

    for control, check in CHECKS.items():
        assert judged(check(_only(full, NEEDS[control]), settings)) == judged(
            check(full, settings)
        ), control
    # And the whole inventory is really needed by someone.
    assert set().union(*NEEDS.values()) == collect.ALL_PARTS
