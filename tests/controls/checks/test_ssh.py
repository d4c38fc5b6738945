import pytest

from app.controls.checks import ssh
from app.controls.results import Status
from tests.controls.checks.builders import (
    SETTINGS,
    ec2_arn,
    failed,
    instance,
    inventory,
    managed,
    ok,
    one,
    perm,
    region,
    sg,
    statuses,
)


def group_row(*permissions):
    reg = region(security_groups=ok((sg("sg-1", inbound=permissions),)))
    return one(ssh.check(inventory(reg), SETTINGS), "sg-no-ssh")


@pytest.mark.parametrize(
    "permission",
    [
        perm("tcp", 22, v4=["0.0.0.0/0"]),
        perm("6", 22, v4=["203.0.113.7/32"]),
        perm("tcp", 20, 30, v4=["10.0.0.0/8"]),
        perm("tcp", 0, 65535, v6=["::/0"]),
        perm("-1", None, None, v4=["10.1.0.0/16"]),
        perm("tcp", 22, prefix_lists=["pl-123"]),
        perm("tcp", 22, groups=["sg-bastion"]),
    ],
    ids=["exact-world", "number6", "range", "all-ports-v6", "all-protocols", "prefix", "sg-ref"],
)
def test_rules_admitting_tcp_22_fail(permission) -> None:
    row = group_row(permission)
    assert row.status is Status.FAIL
    assert "admits SSH" in row.detail


@pytest.mark.parametrize(
    "permission",
    [
        perm("tcp", 443, v4=["0.0.0.0/0"]),
        perm("tcp", 23, 100, v4=["0.0.0.0/0"]),
        perm("udp", 22, v4=["0.0.0.0/0"]),
        perm("icmp", -1, -1, v4=["0.0.0.0/0"]),
    ],
    ids=["https", "range-above", "udp", "icmp"],
)
def test_rules_not_admitting_ssh_pass(permission) -> None:
    assert group_row(permission).status is Status.PASS


def test_sg_reference_detail_names_the_group() -> None:
    assert "security group sg-bastion" in group_row(perm("tcp", 22, groups=["sg-bastion"])).detail


def test_no_inbound_rules_passes_and_resource_is_arn() -> None:
    row = group_row()
    assert row.status is Status.PASS and row.resource == ec2_arn("security-group", "sg-1")


def test_sg_listing_error_is_error() -> None:
    rows = ssh.check(inventory(region(security_groups=failed())), SETTINGS)
    assert one(rows, "sg-no-ssh").status is Status.ERROR


def run_instances(instances, managed_fetch):
    reg = region(instances=ok(tuple(instances)), managed_instances=managed_fetch)
    return ssh.check(inventory(reg), SETTINGS)


def test_session_manager_managed_passes_unmanaged_fails() -> None:
    results = run_instances(
        [instance("i-1"), instance("i-2"), instance("i-gone", "terminated")],
        ok((managed("i-1"),)),
    )
    assert statuses(results, "instance-session-manager") == {
        ec2_arn("instance", "i-1"): Status.PASS,
        ec2_arn("instance", "i-2"): Status.FAIL,
    }


def test_connection_lost_running_instance_fails_stopped_passes() -> None:
    results = run_instances(
        [instance("i-1"), instance("i-2", "stopped")],
        ok((managed("i-1", "ConnectionLost"), managed("i-2", "ConnectionLost"))),
    )
    assert statuses(results, "instance-session-manager") == {
        ec2_arn("instance", "i-1"): Status.FAIL,
        ec2_arn("instance", "i-2"): Status.PASS,
    }


def test_ssm_unavailable_gives_error_rows_per_instance() -> None:
    results = run_instances(
        [instance("i-1"), instance("i-2")],
        failed("Not implemented by this endpoint (HTTP 500)", "DescribeInstanceInformation", "ssm"),
    )
    rows = [r for r in results if r.check == "instance-session-manager"]
    assert [r.status for r in rows] == [Status.ERROR, Status.ERROR]
    assert "HTTP 500" in rows[0].detail


def test_no_instances_not_applicable_even_if_ssm_failed() -> None:
    results = run_instances([], failed("nope", service="ssm"))
    assert one(results, "instance-session-manager").status is Status.NOT_APPLICABLE


def test_instance_listing_error_is_error() -> None:
    reg = region(instances=failed())
    row = one(ssh.check(inventory(reg), SETTINGS), "instance-session-manager")
    assert row.status is Status.ERROR
