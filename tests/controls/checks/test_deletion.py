from datetime import timedelta

from app.aws.inventory.model import ObjectLock
from app.controls.checks import CheckSettings, deletion
from app.controls.results import Status
from tests.controls.checks.builders import (
    NOW,
    SETTINGS,
    alias,
    bucket,
    failed,
    inventory,
    key,
    lock,
    ok,
    one,
    region,
    snapshot,
    statuses,
)

SNAP = "arn:aws:ec2:us-east-1::snapshot/snap-1"


def run(*regions, buckets=(), settings=SETTINGS):
    return deletion.check(inventory(*regions, buckets=buckets), settings)


def key_statuses(results):
    return {
        r.resource.rsplit("/", 1)[1]: r.status for r in results if r.check == "kms-key-deletion"
    }


def test_key_states() -> None:
    keys = ok(
        (
            key("ok"),
            key("gone", state="PendingDeletion", deletion_date=NOW + timedelta(days=7)),
            key("off", state="Disabled"),
            key("aws", manager="AWS"),
            key("rsa", spec="RSA_2048", rotation=None),
        )
    )
    results = run(region(kms_keys=keys))
    assert key_statuses(results) == {
        "ok": Status.PASS,
        "gone": Status.FAIL,
        "off": Status.FAIL,
        "rsa": Status.PASS,
    }
    gone = next(r for r in results if r.resource.endswith("/gone"))
    assert (NOW + timedelta(days=7)).date().isoformat() in gone.detail


def test_aws_aliased_keys_skipped_and_metadata_error_errors() -> None:
    keys = ok((key("ebs"), key("bad", metadata=failed("AccessDenied", "DescribeKey", "kms"))))
    results = run(region(kms_keys=keys, kms_aliases=ok((alias("alias/aws/ebs", "ebs"),))))
    assert key_statuses(results) == {"bad": Status.ERROR}


def test_no_customer_keys_not_applicable() -> None:
    results = run(region(kms_keys=ok((key("aws", manager="AWS"),))))
    assert one(results, "kms-key-deletion").status is Status.NOT_APPLICABLE


def snap_row(locks):
    reg = region(snapshots=ok((snapshot("snap-1"),)), snapshot_locks=locks)
    return one(run(reg), "ebs-snapshot-lock", SNAP)


def test_compliance_lock_passes() -> None:
    row = snap_row(ok((lock(),)))
    assert row.status is Status.PASS and "compliance mode until" in row.detail


def test_no_lock_fails() -> None:
    assert snap_row(ok(())).status is Status.FAIL


def test_governance_and_cooloff_and_expired_fail() -> None:
    assert "governance" in snap_row(ok((lock(state="governance"),))).detail
    assert snap_row(ok((lock(state="governance"),))).status is Status.FAIL
    assert snap_row(ok((lock(state="compliance-cooloff"),))).status is Status.FAIL
    expired = snap_row(ok((lock(expires=NOW - timedelta(days=1)),)))
    assert expired.status is Status.FAIL and "expired" in expired.detail


def test_lock_api_unavailable_is_error() -> None:
    row = snap_row(failed("Not implemented (HTTP 500)", "DescribeLockedSnapshots"))
    assert row.status is Status.ERROR and "HTTP 500" in row.detail


def test_foreign_snapshots_not_in_population() -> None:
    reg = region(snapshots=ok((snapshot("snap-f", owner="999"),)), snapshot_locks=failed())
    assert one(run(reg), "ebs-snapshot-lock").status is Status.NOT_APPLICABLE


COMPLIANCE = ObjectLock(enabled=True, mode="COMPLIANCE", days=365)
GOVERNANCE = ObjectLock(enabled=True, mode="GOVERNANCE", days=30)


def test_sensitive_buckets_need_compliance_mode() -> None:
    settings = CheckSettings(sensitive_buckets=frozenset({"a", "b", "c", "d"}), now=NOW)
    buckets = [
        bucket("a", object_lock=COMPLIANCE),
        bucket("b", object_lock=GOVERNANCE),
        bucket("c", object_lock=None),
        bucket("d", object_lock=ObjectLock(enabled=True)),
    ]
    results = run(region(), buckets=buckets, settings=settings)
    assert statuses(results, "s3-object-lock") == {
        "arn:aws:s3:::a": Status.PASS,
        "arn:aws:s3:::b": Status.FAIL,
        "arn:aws:s3:::c": Status.FAIL,
        "arn:aws:s3:::d": Status.FAIL,
    }
    assert "365 days" in one(results, "s3-object-lock", "arn:aws:s3:::a").detail
    assert "without a default retention" in one(results, "s3-object-lock", "arn:aws:s3:::d").detail


def test_non_sensitive_bucket_passes_recording_lock_state() -> None:
    results = run(region(), buckets=[bucket("tmp"), bucket("gov", object_lock=GOVERNANCE)])
    tmp = one(results, "s3-object-lock", "arn:aws:s3:::tmp")
    assert tmp.status is Status.PASS and "not marked sensitive" in tmp.detail
    assert "not enabled" in tmp.detail
    assert "GOVERNANCE" in one(results, "s3-object-lock", "arn:aws:s3:::gov").detail


def test_object_lock_error_is_error_even_if_not_sensitive() -> None:
    b = bucket("x", object_lock=failed("AccessDenied", service="s3"))
    assert one(run(region(), buckets=[b]), "s3-object-lock").status is Status.ERROR
