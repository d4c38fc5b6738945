"""Region discovery: enabled regions scanned, opt-in regions not enabled named as skipped."""

from __future__ import annotations

import boto3
import pytest

from app.aws.caller import ScanUnavailable, caller_identity
from app.aws.clients import ScanClients
from app.aws.regions import plan_regions


def test_enabled_regions_are_scanned_and_the_rest_skipped(aws: str) -> None:
    clients = ScanClients(boto3.Session)
    identity = caller_identity(clients)
    plan = plan_regions(clients, identity)
    assert {"us-east-1", "eu-west-1", "ap-northeast-1"} <= set(plan.regions)
    assert "ap-east-1" in plan.skipped  # opt-in region, not enabled
    assert "cn-north-1" in plan.skipped  # another partition than the caller's
    assert not set(plan.regions) & set(plan.skipped)
    assert list(plan.regions) == sorted(plan.regions)


def test_requested_regions_override_and_are_checked(aws: str) -> None:
    clients = ScanClients(boto3.Session)
    identity = caller_identity(clients)
    plan = plan_regions(clients, identity, ["eu-west-1", "ap-east-1", "eu-west-1"])
    assert plan.regions == ("eu-west-1",)
    assert plan.skipped == ("ap-east-1",)
    with pytest.raises(ScanUnavailable, match="Unknown region"):
        plan_regions(clients, identity, ["eu-nowhere-9"])
