from app.controls.checks import flow_logs
from app.controls.results import Status
from tests.controls.checks.builders import (
    SETTINGS,
    ec2_arn,
    failed,
    flow_log,
    inventory,
    ok,
    one,
    region,
    statuses,
    vpc,
)

CHECK = "vpc-flow-log-all-traffic"


def run(logs, vpcs=None):
    vpcs = (vpc("vpc-1"),) if vpcs is None else vpcs
    reg = region(vpcs=ok(tuple(vpcs)), flow_logs=logs if not isinstance(logs, tuple) else ok(logs))
    return flow_logs.check(inventory(reg), SETTINGS)


def test_active_all_traffic_log_passes_naming_destination() -> None:
    row = one(run((flow_log(destination_type="s3"),)), CHECK)
    assert row.status is Status.PASS
    assert row.resource == ec2_arn("vpc", "vpc-1")
    assert "S3 arn:aws:s3:::flow-logs" in row.detail


def test_cloudwatch_destination_named() -> None:
    row = one(run((flow_log(destination_type="cloud-watch-logs"),)), CHECK)
    assert row.status is Status.PASS and "CloudWatch Logs" in row.detail


def test_reject_only_fails_with_detail() -> None:
    row = one(run((flow_log(traffic="REJECT"),)), CHECK)
    assert row.status is Status.FAIL
    assert "only REJECT" in row.detail


def test_accept_plus_reject_logs_cover_all_traffic() -> None:
    logs = (flow_log("fl-a", traffic="ACCEPT"), flow_log("fl-r", traffic="REJECT"))
    assert one(run(logs), CHECK).status is Status.PASS


def test_inactive_log_fails() -> None:
    row = one(run((flow_log(status="INACTIVE"),)), CHECK)
    assert row.status is Status.FAIL and "INACTIVE" in row.detail


def test_failed_delivery_fails() -> None:
    row = one(run((flow_log(delivery="FAILED"),)), CHECK)
    assert row.status is Status.FAIL and "fails to deliver" in row.detail


def test_log_on_another_vpc_does_not_count() -> None:
    results = run((flow_log(resource="vpc-2"),), vpcs=(vpc("vpc-1"), vpc("vpc-2")))
    assert statuses(results, CHECK) == {
        ec2_arn("vpc", "vpc-1"): Status.FAIL,
        ec2_arn("vpc", "vpc-2"): Status.PASS,
    }
    assert "no flow log" in one(results, CHECK, ec2_arn("vpc", "vpc-1")).detail


def test_region_without_vpcs_not_applicable() -> None:
    row = one(run((), vpcs=()), CHECK)
    assert row.status is Status.NOT_APPLICABLE and row.resource == "us-east-1"


def test_flow_log_error_makes_every_vpc_error() -> None:
    results = run(failed(), vpcs=(vpc("vpc-1"), vpc("vpc-2")))
    assert set(statuses(results, CHECK).values()) == {Status.ERROR}
    assert len(statuses(results, CHECK)) == 2


def test_vpc_error_is_region_error() -> None:
    reg = region(vpcs=failed(), flow_logs=ok((flow_log(),)))
    row = one(flow_logs.check(inventory(reg), SETTINGS), CHECK)
    assert row.status is Status.ERROR and row.resource == "us-east-1"
