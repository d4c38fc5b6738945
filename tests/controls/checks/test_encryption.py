from app.controls.checks import encryption
from app.controls.results import Status
from tests.controls.checks.builders import (
    SETTINGS,
    alias,
    bucket,
    ec2_arn,
    failed,
    inventory,
    key,
    ok,
    one,
    region,
    snapshot,
    statuses,
    volume,
)


def run(*regions, buckets=()):
    return encryption.check(inventory(*regions, buckets=buckets), SETTINGS)


def test_ebs_default_on_passes_off_fails_error_errors() -> None:
    results = run(
        region("us-east-1", ebs_encryption_by_default=ok(True)),
        region("eu-west-1", ebs_encryption_by_default=ok(False)),
        region("ap-south-1", ebs_encryption_by_default=failed()),
    )
    assert statuses(results, "ebs-encryption-by-default") == {
        "us-east-1": Status.PASS,
        "eu-west-1": Status.FAIL,
        "ap-south-1": Status.ERROR,
    }


def test_volumes_each_get_a_row() -> None:
    results = run(region(volumes=ok((volume("vol-a"), volume("vol-b", encrypted=False)))))
    assert statuses(results, "ebs-volume-encrypted") == {
        ec2_arn("volume", "vol-a"): Status.PASS,
        ec2_arn("volume", "vol-b"): Status.FAIL,
    }


def test_no_volumes_not_applicable_and_volume_error_error() -> None:
    results = run(region("us-east-1"), region("eu-west-1", volumes=failed()))
    assert statuses(results, "ebs-volume-encrypted") == {
        "us-east-1": Status.NOT_APPLICABLE,
        "eu-west-1": Status.ERROR,
    }


def test_only_owned_snapshots_judged_with_accountless_arn() -> None:
    snaps = ok((snapshot("snap-a", encrypted=False), snapshot("snap-x", False, owner="999")))
    results = run(region(snapshots=snaps))
    assert statuses(results, "ebs-snapshot-encrypted") == {
        "arn:aws:ec2:us-east-1::snapshot/snap-a": Status.FAIL
    }


def test_encrypted_snapshot_passes() -> None:
    row = one(run(region(snapshots=ok((snapshot("snap-a"),)))), "ebs-snapshot-encrypted")
    assert row.status is Status.PASS


def test_snapshot_error_is_error() -> None:
    assert one(run(region(snapshots=failed())), "ebs-snapshot-encrypted").status is Status.ERROR


def test_kms_sse_passes_sse_s3_passes_with_note_unknown_fails() -> None:
    results = run(
        region(),
        buckets=[
            bucket("kms", encryption="aws:kms"),
            bucket("dsse", encryption="aws:kms:dsse"),
            bucket("s3", encryption="AES256"),
            bucket("odd", encryption="weird"),
        ],
    )
    assert statuses(results, "s3-default-encryption") == {
        "arn:aws:s3:::kms": Status.PASS,
        "arn:aws:s3:::dsse": Status.PASS,
        "arn:aws:s3:::s3": Status.PASS,
        "arn:aws:s3:::odd": Status.FAIL,
    }
    sse_s3 = one(results, "s3-default-encryption", "arn:aws:s3:::s3")
    assert "auditability" in sse_s3.detail
    assert "DSSE-KMS" in one(results, "s3-default-encryption", "arn:aws:s3:::dsse").detail


def test_missing_encryption_configuration_is_sse_s3_by_default() -> None:
    row = one(run(region(), buckets=[bucket("bare", encryption=None)]), "s3-default-encryption")
    assert row.status is Status.PASS
    assert "January 2023" in row.detail and "SSE-S3" in row.detail


def test_bucket_encryption_error_is_error_in_bucket_region() -> None:
    broken = bucket("b", region_name="eu-west-1", encryption=failed("AccessDenied", service="s3"))
    row = one(run(region(), buckets=[broken]), "s3-default-encryption")
    assert row.status is Status.ERROR and row.region == "eu-west-1"


def test_bucket_listing_error_is_one_error_row() -> None:
    row = one(run(region(), buckets=failed(service="s3")), "s3-default-encryption")
    assert row.status is Status.ERROR and row.region == "global"


def test_unknown_bucket_region_falls_back_to_global() -> None:
    b = bucket("b", region_fetch=failed("AccessDenied", service="s3"))
    assert one(run(region(), buckets=[b]), "s3-default-encryption").region == "global"


def test_rotation_population_and_outcomes() -> None:
    keys = ok(
        (
            key("on", rotation=True),
            key("off", rotation=False),
            key("aws", manager="AWS", rotation=None),
            key("asym", spec="RSA_2048", rotation=None),
            key("disabled", state="Disabled", rotation=None),
        )
    )
    results = run(region(kms_keys=keys))
    by_key = {
        r.resource.rsplit("/", 1)[1]: r.status for r in results if r.check == "kms-key-rotation"
    }
    assert by_key == {"on": Status.PASS, "off": Status.FAIL}


def test_moto_style_aws_ebs_key_marked_customer_is_skipped_by_alias() -> None:
    keys = ok((key("ebs", rotation=False), key("mine", rotation=True)))
    aliases = ok((alias("alias/aws/ebs", "ebs"), alias("alias/mine", "mine")))
    results = run(region(kms_keys=keys, kms_aliases=aliases))
    rows = [r for r in results if r.check == "kms-key-rotation"]
    assert [r.resource.rsplit("/", 1)[1] for r in rows] == ["mine"]
    assert "alias/mine" in rows[0].detail


def test_rotation_errors() -> None:
    keys = ok(
        (
            key("meta", metadata=failed("AccessDenied", "DescribeKey", "kms")),
            key("rot", rotation=None, rotation_fetch=failed("AccessDenied", service="kms")),
            key("unfetched", rotation=None),
        )
    )
    rows = [r for r in run(region(kms_keys=keys)) if r.check == "kms-key-rotation"]
    assert [r.status for r in rows] == [Status.ERROR] * 3
    assert "not fetched" in rows[2].detail


def test_imported_key_material_not_applicable_with_reason() -> None:
    rows = run(region(kms_keys=ok((key("ext", origin="EXTERNAL", rotation=None),))))
    row = one(rows, "kms-key-rotation")
    assert row.status is Status.NOT_APPLICABLE and "EXTERNAL" in row.detail


def test_no_keys_region_row_and_key_listing_error() -> None:
    results = run(region("us-east-1"), region("eu-west-1", kms_keys=failed(service="kms")))
    assert statuses(results, "kms-key-rotation") == {
        "us-east-1": Status.NOT_APPLICABLE,
        "eu-west-1": Status.ERROR,
    }
