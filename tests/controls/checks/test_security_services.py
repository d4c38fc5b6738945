"""threat-detection, config-recording and s3-public-access on hand-built inventories."""

from __future__ import annotations

from app.controls.checks import config_recording, s3_public_access, threat_detection
from app.controls.results import Status
from tests.controls.checks.builders import (
    ACCOUNT,
    SETTINGS,
    inventory,
    ok,
    one,
    region,
    statuses,
)
from tests.controls.checks.builders_security import (
    account_block,
    block,
    bucket_access,
    channel,
    denied,
    detector,
    listed,
    recorder,
)

# --- threat-detection ------------------------------------------------------------------


def detectors(*items, name="us-east-1"):
    return listed(items, "ListDetectors", "guardduty", name)


def test_guardduty_region_by_region() -> None:
    inv = inventory(
        region("us-east-1", guardduty_detectors=detectors(detector())),
        region("eu-west-1", guardduty_detectors=detectors(name="eu-west-1")),
        region(
            "eu-central-1",
            guardduty_detectors=detectors(detector(status="DISABLED"), name="eu-central-1"),
        ),
        region(
            "ap-southeast-2",
            guardduty_detectors=denied("ListDetectors", "guardduty", "ap-southeast-2"),
        ),
    )
    results = threat_detection.check(inv, SETTINGS)
    assert statuses(results, "guardduty-enabled") == {
        "us-east-1": Status.PASS,
        "eu-west-1": Status.FAIL,
        "eu-central-1": Status.FAIL,
        "ap-southeast-2": Status.ERROR,
    }
    on = one(results, "guardduty-enabled", "us-east-1")
    assert "ENABLED" in on.detail and "S3_DATA_EVENTS" in on.detail
    assert [e.operation for e in on.evidence] == [
        "guardduty:ListDetectors",
        "guardduty:GetDetector",
    ]
    assert "suspended" in one(results, "guardduty-enabled", "eu-central-1").detail


def test_an_unreadable_or_unsaid_detector_status_is_error() -> None:
    unreadable = detector(details=denied("GetDetector", "guardduty", "us-east-1"))
    unsaid = detector(status=None)
    for item in (unreadable, unsaid):
        inv = inventory(region(guardduty_detectors=detectors(item)))
        (row,) = threat_detection.check(inv, SETTINGS)
        assert row.status is Status.ERROR, item


# --- config-recording ------------------------------------------------------------------


def config(recorders, channels=None, name="us-east-1"):
    channels = (channel(),) if channels is None else channels
    reg = region(
        name,
        config_recorders=recorders
        if not isinstance(recorders, tuple)
        else listed(recorders, "DescribeConfigurationRecorders", "config", name),
        config_delivery_channels=channels
        if not isinstance(channels, tuple)
        else listed(channels, "DescribeDeliveryChannels", "config", name),
    )
    (row,) = config_recording.check(inventory(reg), SETTINGS)
    return row


def test_a_recording_recorder_with_a_channel_passes() -> None:
    row = config((recorder(),))
    assert row.status is Status.PASS and row.resource == "us-east-1"
    assert "every supported resource type" in row.detail and "s3://config-bucket" in row.detail


def test_missing_stopped_failing_or_undelivered_recording_fails() -> None:
    assert "no configuration recorder" in config(()).detail
    assert config(()).status is Status.FAIL
    assert config((recorder(recording=False),)).status is Status.FAIL
    failing = config((recorder(last_status="FAILURE"),))
    assert failing.status is Status.FAIL and "last attempt failed" in failing.detail
    silent = config((recorder(),), channels=())
    assert silent.status is Status.FAIL and "no delivery channel" in silent.detail


def test_a_service_linked_recorder_alone_does_not_count() -> None:
    linked = recorder("AWSConfigurationRecorderForSecurityHub", service_principal="x.amazonaws.com")
    row = config((linked,))
    assert row.status is Status.FAIL and "only service-linked ones" in row.detail


def test_unknown_recording_state_is_error() -> None:
    assert config((recorder(recording=None),)).status is Status.ERROR
    no_status = recorder(status=ok(None, "DescribeConfigurationRecorderStatus", "config"))
    assert config((no_status,)).status is Status.ERROR
    assert config(denied("DescribeConfigurationRecorders", "config", "us-east-1")).status is (
        Status.ERROR
    )
    channels = denied("DescribeDeliveryChannels", "config", "us-east-1")
    assert config((recorder(),), channels=channels).status is Status.ERROR


# --- s3-public-access ------------------------------------------------------------------


def s3(account, buckets):
    inv = inventory(region(), account_block=account, public_access=buckets)
    return s3_public_access.check(inv, SETTINGS)


def arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def test_the_account_block_needs_all_four_settings() -> None:
    def account_row(value):
        return one(s3(account_block(value), []), "s3-account-public-access-block")

    assert account_row(block()).status is Status.PASS
    assert account_row(block()).resource == ACCOUNT
    off = account_row(block(restrict=False))
    assert off.status is Status.FAIL and "RestrictPublicBuckets" in off.detail
    assert account_row(None).status is Status.FAIL
    assert account_row(block(ignore=None)).status is Status.ERROR


def test_buckets_covered_by_the_account_or_their_own_block_pass() -> None:
    results = s3(
        account_block(block()),
        [bucket_access("covered"), bucket_access("public-policy", public=True)],
    )
    assert statuses(results, "s3-bucket-public-access") == {
        arn("covered"): Status.PASS,
        arn("public-policy"): Status.FAIL,
    }
    results = s3(
        account_block(block(policy_on=False)),
        [
            bucket_access("own-block", own=block()),
            bucket_access("no-block"),
            bucket_access("half", own=block(acls=False)),
            bucket_access("no-policy", own=block(), has_policy=False),
        ],
    )
    assert statuses(results, "s3-bucket-public-access") == {
        arn("own-block"): Status.PASS,
        arn("no-block"): Status.FAIL,
        arn("half"): Status.FAIL,
        arn("no-policy"): Status.PASS,
    }
    half = one(results, "s3-bucket-public-access", arn("half"))
    assert "BlockPublicAcls" in half.detail and "BlockPublicPolicy" in half.detail


def test_what_cannot_be_read_is_error_never_pass() -> None:
    results = s3(
        denied("GetPublicAccessBlock", "s3control"),
        [
            bucket_access("own-block", own=block()),
            bucket_access("no-block"),
            bucket_access("status", public=denied("GetBucketPolicyStatus", "s3", "us-east-1")),
            bucket_access("unsaid", own=block(), public=None),
        ],
    )
    assert statuses(results, "s3-bucket-public-access") == {
        arn("own-block"): Status.PASS,
        arn("no-block"): Status.ERROR,
        arn("status"): Status.ERROR,
        arn("unsaid"): Status.ERROR,
    }
    assert one(results, "s3-account-public-access-block").status is Status.ERROR
    (listing,) = [
        r
        for r in s3(account_block(block()), denied("ListBuckets", "s3"))
        if r.check == "s3-bucket-public-access"
    ]
    assert listing.status is Status.ERROR
    (none,) = [r for r in s3(account_block(block()), []) if r.check == "s3-bucket-public-access"]
    assert none.status is Status.NOT_APPLICABLE
