from app.controls.checks import nacls
from app.controls.results import Status
from tests.controls.checks.builders import (
    SETTINGS,
    default_deny,
    ec2_arn,
    entry,
    failed,
    inventory,
    nacl,
    ok,
    one,
    region,
    statuses,
)

CHECK = "nacl-restricted"


def row_for(*entries):
    reg = region(network_acls=ok((nacl("acl-1", entries=entries, subnets=["subnet-1"]),)))
    return one(nacls.check(inventory(reg), SETTINGS), CHECK)


def test_default_style_allow_all_fails() -> None:
    row = row_for(entry(100), entry(100, egress=True), *default_deny())
    assert row.status is Status.FAIL
    assert row.resource == ec2_arn("network-acl", "acl-1")
    assert "#100 allow all traffic from 0.0.0.0/0" in row.detail


def test_ipv6_allow_all_fails() -> None:
    row = row_for(entry(101, cidr="::/0"), *default_deny(both_families=True))
    assert row.status is Status.FAIL and "::/0" in row.detail


def test_deny_all_ahead_of_allow_all_passes() -> None:
    assert row_for(entry(50, "deny"), entry(100), *default_deny()).status is Status.PASS


def test_narrow_deny_ahead_is_noted_but_fails() -> None:
    row = row_for(entry(50, "deny", "198.51.100.0/24"), entry(100), *default_deny())
    assert row.status is Status.FAIL and "narrower denies" in row.detail


def test_egress_allow_all_alone_passes_inbound_check() -> None:
    assert row_for(entry(100, egress=True), *default_deny()).status is Status.PASS


def test_restricted_with_ephemeral_ports_allowed() -> None:
    row = row_for(
        entry(100, cidr="10.0.0.0/16", protocol="6", ports=(443, 443)),
        entry(110, cidr="0.0.0.0/0", protocol="6", ports=(1024, 65535)),
        *default_deny(),
    )
    assert row.status is Status.PASS
    assert "ephemeral ports 49152-65535 is allowed" in row.detail


def test_restricted_without_ephemeral_ports_noted() -> None:
    row = row_for(entry(100, cidr="10.0.0.0/16", protocol="6", ports=(443, 443)), *default_deny())
    assert row.status is Status.PASS
    assert "not allowed" in row.detail and "stateless" in row.detail


def test_tcp_all_ports_from_world_is_not_all_traffic() -> None:
    # only protocol -1 counts as "all traffic"; wide TCP is sg-inbound's business
    row = row_for(entry(100, protocol="6", ports=(0, 65535)), *default_deny())
    assert row.status is Status.PASS


def test_deny_everything_passes() -> None:
    row = row_for(*default_deny())
    assert row.status is Status.PASS and "denies all inbound" in row.detail


def test_error_and_empty_regions() -> None:
    results = nacls.check(
        inventory(region("us-east-1"), region("eu-west-1", network_acls=failed())), SETTINGS
    )
    assert statuses(results, CHECK) == {
        "us-east-1": Status.NOT_APPLICABLE,
        "eu-west-1": Status.ERROR,
    }


def test_ipv6_open_while_ipv4_restricted_fails() -> None:
    row = row_for(
        entry(100, cidr="10.0.0.0/16"),
        entry(101, cidr="::/0"),
        *default_deny(both_families=True),
    )
    assert row.status is Status.FAIL
    assert "::/0" in row.detail and "10.0.0.0/16" not in row.detail


def test_ipv4_deny_all_does_not_close_ipv6() -> None:
    row = row_for(entry(50, "deny"), entry(100, cidr="::/0"), *default_deny(both_families=True))
    assert row.status is Status.FAIL
