"""The scan on real-shaped AWS answers (tests/data/aws_recordings): the verdicts an auditor
would give, including the defects the answers revealed (each named in its test)."""

from __future__ import annotations

from functools import cache

import pytest

from app.controls.results import Status
from tests.fakes.recorded_aws import (
    CORPUS,
    RECORDED_ENV,
    SCANNED,
    Recording,
    Replay,
    ReplayedScan,
    scan_situation,
    situations,
)


@pytest.fixture(autouse=True)
def recorded_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RECORDED_ENV.items():
        monkeypatch.setenv(name, value)


@cache
def _scanned(name: str) -> ReplayedScan:
    return scan_situation(name)


@pytest.fixture
def legacy() -> ReplayedScan:
    return _scanned("legacy-2017-account")


@pytest.fixture
def saas() -> ReplayedScan:
    return _scanned("saas-data-stores")


@pytest.fixture
def partial() -> ReplayedScan:
    return _scanned("partial-permissions")


def test_the_corpus_is_small_and_every_folder_says_where_its_answers_come_from() -> None:
    size = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert size < 300_000
    assert (CORPUS / "README.md").is_file()
    for name in situations():
        provenance = (CORPUS / name / "PROVENANCE.md").read_text(encoding="utf-8")
        for path in (CORPUS / name).glob("*.json"):
            assert f"`{path.name}`" in provenance, (name, path.name)
    assert set(situations()) == set(SCANNED)


@pytest.mark.parametrize("name", sorted(SCANNED))
def test_a_full_scan_uses_every_recorded_answer_and_asks_nothing_unrecorded(name: str) -> None:
    scanned = _scanned(name)
    assert scanned.replay.misses == []
    assert scanned.replay.recording.unused() == []
    assert all(r.evidence for r in scanned.results)


def _statuses(scanned: ReplayedScan, check: str) -> dict[str, str]:
    return {r.resource.rsplit(":", 1)[-1]: r.status.value for r in scanned.rows(check)}


# --- the defects the real answers showed ----------------------------------------------------


def test_old_symmetric_key_without_key_spec_is_judged_not_dropped(legacy: ReplayedScan) -> None:
    """DescribeKey of a 2016 key carries neither KeySpec nor CustomerMasterKeySpec: it is a
    symmetric key (AWS's default), its rotation is asked and is off."""
    row = legacy.row("kms-key-rotation", "key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e")
    assert row.status is Status.FAIL
    assert "alias/legacy-app" in row.detail and "rotation off" in row.detail
    assert [e.operation for e in row.evidence] == ["kms:DescribeKey", "kms:GetKeyRotationStatus"]
    assert ("kms", "GetKeyRotationStatus", "us-east-1") in legacy.replay.sent


def test_flow_log_with_a_delivery_error_and_no_status_fails(legacy: ReplayedScan) -> None:
    row = legacy.row("vpc-flow-log-all-traffic", "vpc/vpc-1a2b3c4d")
    assert row.status is Status.FAIL
    assert "fl-a41befcd fails to deliver (Access error)" in row.detail
    assert row.evidence[0].excerpt[0]["DeliverLogsErrorMessage"] == "Access error"


def test_replication_of_a_prefix_only_is_not_a_backup_of_the_bucket(
    legacy: ReplayedScan, saas: ReplayedScan
) -> None:
    v1 = legacy.row("s3-replication", ":::legacy-app-assets")
    assert v1.status is Status.FAIL and "only objects with prefix Tax" in v1.detail
    v2 = saas.row("s3-replication", ":::saas-prod-logs")
    assert v2.status is Status.FAIL
    assert "only objects with prefix audit/ and tag retain=true" in v2.detail
    whole = saas.row("s3-replication", ":::saas-prod-uploads")
    assert whole.status is Status.PASS and "replicates the whole bucket" in whole.detail


def test_a_selection_of_tables_does_not_back_up_the_region(saas: ReplayedScan) -> None:
    """GetBackupSelection and ListProtectedResources decide, resource by resource."""
    assert _statuses(saas, "backup-coverage") == {
        "volume/vol-0a9b8c7d6e5f4a3b2": "FAIL",
        "saas-prod-logs": "FAIL",
        "saas-prod-uploads": "FAIL",
        "app-aurora": "PASS",  # tagged backup=daily, recovery point today
        "graph-neptune": "FAIL",
        "docs-docdb": "FAIL",
        "reports-mysql": "FAIL",
        "table/orders": "PASS",
        "table/sessions": "PASS",
        "table/user-events": "PASS",
        "file-system/fs-0a1b2c3d4e5f60718": "FAIL",  # a one-off recovery point only
        "saas-prod-uploads-replica": "FAIL",
    }
    region = saas.row("backup-plan", "eu-west-1")
    assert region.status is Status.FAIL
    assert "7 of 11 are not backed up" in region.detail
    assert "4 databases, 3 DynamoDB tables, 1 EFS file systems" in region.detail
    fs = saas.row("backup-coverage", "file-system/fs-0a1b2c3d4e5f60718")
    assert "recovery point from 2026-05-02 only" in fs.detail
    aurora = saas.row("backup-coverage", "cluster:app-aurora")
    assert "selection tagged-daily" in aurora.detail
    assert {e.operation for e in aurora.evidence} >= {
        "backup:GetBackupSelection",
        "backup:ListProtectedResources",
    }


def test_list_buckets_asks_with_a_page_size_and_trusts_bucket_region(saas: ReplayedScan) -> None:
    sent = {(service, operation) for service, operation, _ in saas.replay.sent}
    assert ("s3", "ListBuckets") in sent and ("s3", "GetBucketLocation") not in sent
    row = saas.row("s3-default-encryption", ":::saas-prod-uploads-replica")
    assert row.region == "us-east-1"
    assert row.evidence[0].region == "us-east-1"
    listing = saas.row("backup-coverage", ":::saas-prod-uploads-replica").evidence[0]
    assert listing.operation == "s3:ListBuckets"
    assert listing.parameters == {"MaxBuckets": 10000}


def test_without_bucket_region_get_bucket_location_places_the_bucket(legacy: ReplayedScan) -> None:
    sent = [op for service, op, _ in legacy.replay.sent if service == "s3"]
    assert sent.count("GetBucketLocation") == 3
    assert legacy.row("s3-default-encryption", ":::legacy-eu-archive").region == "eu-west-1"


def test_a_rule_that_only_sets_bucket_key_is_not_no_encryption(legacy: ReplayedScan) -> None:
    row = legacy.row("s3-default-encryption", ":::legacy-app-assets")
    assert row.status is Status.PASS
    assert "only rules naming no algorithm" in row.detail and "SSE-S3" in row.detail


def test_a_group_across_a_peering_keeps_its_account_and_peering(legacy: ReplayedScan) -> None:
    row = legacy.row("sg-inbound-restricted", "security-group/sg-0f4e5d6c")
    assert row.status is Status.PASS
    assert "sg-e9843198 of account 210987654321 via peering pcx-0a5e2a63 (active)" in row.detail
    pair = row.evidence[0].excerpt["IpPermissions"][0]["UserIdGroupPairs"][0]
    assert pair["UserId"] == "210987654321" and pair["VpcPeeringConnectionId"] == "pcx-0a5e2a63"


# --- data stores ----------------------------------------------------------------------------


def test_databases_are_judged_as_what_they_are(saas: ReplayedScan) -> None:
    assert _statuses(saas, "rds-storage-encrypted") == {
        "app-aurora": "PASS",
        "graph-neptune": "PASS",
        "docs-docdb": "PASS",
        "reports-mysql": "FAIL",
        "us-east-1": "NOT_APPLICABLE",
    }
    # Aurora's members say DeletionProtection=False; the cluster's True decides.
    protection = _statuses(saas, "rds-deletion-protection")
    assert protection["app-aurora"] == "PASS" and "app-aurora-1" not in protection
    assert protection["graph-neptune"] == "FAIL" and protection["reports-mysql"] == "FAIL"
    assert protection["docs-docdb"] == "PASS"
    graph = saas.row("rds-storage-encrypted", "cluster:graph-neptune")
    assert graph.detail.startswith("Neptune cluster graph-neptune")
    assert "the AWS-managed key aws/rds" in graph.detail
    docs = saas.row("rds-deletion-protection", "cluster:docs-docdb")
    assert docs.detail.startswith("DocumentDB cluster docs-docdb")
    # The second page of DescribeDBInstances (Marker) was read.
    assert saas.replay.sent.count(("rds", "DescribeDBInstances", "eu-west-1")) == 2


def test_dynamodb_tables(saas: ReplayedScan) -> None:
    sessions = saas.row("dynamodb-table-encrypted", "table/sessions")
    assert sessions.status is Status.PASS and "a key AWS owns" in sessions.detail
    assert saas.row("dynamodb-table-encrypted", "table/user-events").detail.endswith(
        "the AWS-managed key aws/dynamodb (SSE ENABLED)"
    )
    assert _statuses(saas, "dynamodb-deletion-protection") == {
        "table/orders": "PASS",
        "table/sessions": "FAIL",
        "table/user-events": "PASS",
        "us-east-1": "NOT_APPLICABLE",
    }


def test_older_answers_without_the_fields_give_error_not_a_verdict(legacy: ReplayedScan) -> None:
    assert legacy.row("efs-encrypted", "file-system/fs-01234567").status is Status.ERROR
    assert legacy.row("rds-deletion-protection", "db:legacy-mysql").status is Status.ERROR
    music = legacy.row("dynamodb-deletion-protection", "table/Music")
    assert music.status is Status.ERROR and "DeletionProtectionEnabled" in music.detail
    assert legacy.row("dynamodb-table-encrypted", "table/Music").status is Status.PASS


def test_what_could_not_be_read_is_error_never_pass(partial: ReplayedScan) -> None:
    assert partial.row("kms-key-rotation", "key/8b7a6f5e-4d3c-4b2a-9f1e-0d9c8b7a6f5e").status is (
        Status.ERROR
    )
    assert {r.status for r in partial.rows("rds-storage-encrypted")} == {Status.ERROR}
    assert partial.row("dynamodb-table-encrypted", "table/carts").status is Status.ERROR
    ledger = partial.row("dynamodb-deletion-protection", "table/ledger")
    assert ledger.status is Status.ERROR and "DescribeContinuousBackups" in ledger.detail
    coverage = partial.row("backup-coverage", "table/ledger")
    assert coverage.status is Status.ERROR and "tag-backup-hourly" in coverage.detail
    flow = partial.row("vpc-flow-log-all-traffic", "vpc/vpc-07d6c5b4a3f2e1d0c")
    assert flow.status is Status.FAIL and "Rate limited" in flow.detail


def test_a_call_without_a_recording_ends_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.recorded_aws import MissingRecording

    recording = Recording.load("partial-permissions")
    recording.exchanges = [e for e in recording.exchanges if e.operation != "ListTables"]
    with pytest.raises(MissingRecording, match="dynamodb:ListTables in us-west-2"):
        scan_situation("partial-permissions", Replay(recording))


def test_every_answer_fits_botocore_s_output_shape() -> None:
    from tests.fakes.recorded_aws import BadRecording, Exchange

    for name in situations():
        assert Recording.load(name).exchanges  # loading validates every answer
    bad = Exchange("kms", "DescribeKey", "us-east-1", {}, {"KeyMetadata": {"KeyIdd": "x"}})
    with pytest.raises(BadRecording, match="KeyIdd"):
        bad.parsed()


# --- the six account-security controls ------------------------------------------------------


def test_account_security_of_a_standalone_2016_account(legacy: ReplayedScan) -> None:
    assert legacy.row("root-mfa", ":root").status is Status.PASS
    used = legacy.row("root-not-used", ":root")
    assert used.status is Status.FAIL
    assert "last used 2026-10-02 (password sign-in, 57 days ago)" in used.detail
    assert _statuses(legacy, "console-user-mfa") == {
        "user/jsmith": "PASS",
        "user/ops-contractor": "FAIL",
    }
    contractor = legacy.row("console-user-mfa", "user/ops-contractor")
    assert "last console sign-in 2024-02-12" in contractor.detail
    policy = legacy.row("iam-password-policy", "111122223333")
    assert policy.status is Status.FAIL
    assert "minimum length 8" in policy.detail and "reuse prevention off" in policy.detail
    assert legacy.row("guardduty-enabled", "us-east-1").status is Status.FAIL
    recording = legacy.row("config-recorder-on", "us-east-1")
    assert recording.status is Status.PASS and "s3://legacy-cloudtrail-logs" in recording.detail
    assert legacy.row("s3-account-public-access-block", "111122223333").status is Status.FAIL
    assert _statuses(legacy, "s3-bucket-public-access") == {
        "legacy-app-assets": "FAIL",  # a public policy
        "legacy-cloudtrail-logs": "PASS",  # its own block
        "legacy-eu-archive": "FAIL",  # no block anywhere
    }
    assert legacy.row("s3-bucket-public-access", ":::legacy-eu-archive").region == "eu-west-1"


def test_a_member_account_whose_root_credentials_were_removed(saas: ReplayedScan) -> None:
    root = saas.row("root-mfa", ":root")
    assert root.status is Status.PASS
    assert "root credentials removed" in root.detail and "o-a1b2c3d4e5" in root.detail
    assert saas.row("root-not-used", ":root").status is Status.PASS
    (no_users,) = saas.rows("console-user-mfa")
    assert no_users.status is Status.NOT_APPLICABLE and "no IAM users" in no_users.detail
    (policy,) = saas.rows("iam-password-policy")
    assert policy.status is Status.NOT_APPLICABLE and "no password policy" in policy.detail
    assert _statuses(saas, "guardduty-enabled") == {
        "eu-west-1": "PASS",
        "us-east-1": "FAIL",
    }
    assert "RDS_LOGIN_EVENTS" in saas.row("guardduty-enabled", "eu-west-1").detail
    assert _statuses(saas, "config-recorder-on") == {
        "eu-west-1": "PASS",
        "us-east-1": "FAIL",
    }
    assert {r.status for r in saas.rows("s3-bucket-public-access")} == {Status.PASS}
    assert saas.row("s3-account-public-access-block", "444455556666").status is Status.PASS


def test_an_old_audit_role_gets_errors_not_account_security_verdicts(
    partial: ReplayedScan,
) -> None:
    root = partial.row("root-mfa", ":root")
    assert root.status is Status.ERROR and "iam:ListOrganizationsFeatures" in root.detail
    assert partial.row("guardduty-enabled", "us-west-2").status is Status.ERROR
    assert partial.row("s3-account-public-access-block", "777788889999").status is Status.ERROR
    (buckets,) = partial.rows("s3-bucket-public-access")
    assert buckets.status is Status.NOT_APPLICABLE
    stopped = partial.row("config-recorder-on", "us-west-2")
    assert stopped.status is Status.FAIL and "stopped" in stopped.detail
    assert partial.row("iam-password-policy", "777788889999").status is Status.PASS
