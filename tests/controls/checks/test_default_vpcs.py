from app.controls.checks import default_vpcs
from app.controls.results import Status
from tests.controls.checks.builders import (
    ALL_OUT,
    SETTINGS,
    by_check,
    default_deny,
    ec2_arn,
    entry,
    failed,
    inventory,
    nacl,
    ok,
    one,
    perm,
    region,
    sg,
    subnet,
    vpc,
)


def run(*regions):
    return default_vpcs.check(inventory(*regions), SETTINGS)


def isolated_region(**overrides):
    """A default VPC isolated the article's way: deny-all NACL, empty default SG."""
    fields = {
        "vpcs": ok((vpc("vpc-d", default=True),)),
        "subnets": ok((subnet("subnet-a", "vpc-d"), subnet("subnet-b", "vpc-d"))),
        "network_acls": ok(
            (nacl("acl-d", "vpc-d", default_deny(), ["subnet-a", "subnet-b"], default=True),)
        ),
        "security_groups": ok((sg("sg-d", "default", "vpc-d"),)),
    }
    fields.update(overrides)
    return region("eu-west-1", **fields)


def test_no_default_vpc_passes_naming_the_region() -> None:
    results = run(region("eu-west-1", vpcs=ok((vpc("vpc-1"),))))
    row = one(results, "default-vpc-isolated")
    assert row.status is Status.PASS
    assert row.resource == "eu-west-1" and row.region == "eu-west-1"
    assert "no default VPC in eu-west-1" in row.detail
    assert row.evidence and row.evidence[0].operation == "ec2:Describe"


def test_default_vpc_with_open_default_nacl_fails() -> None:
    results = run(
        isolated_region(
            network_acls=ok(
                (
                    nacl(
                        "acl-d",
                        "vpc-d",
                        (entry(100), entry(100, egress=True), *default_deny()),
                        ["subnet-a", "subnet-b"],
                        default=True,
                    ),
                )
            )
        )
    )
    row = one(results, "default-vpc-isolated")
    assert row.status is Status.FAIL
    assert row.resource == ec2_arn("vpc", "vpc-d", "eu-west-1")
    assert "subnet-a" in row.detail and "acl-d" in row.detail


def test_default_vpc_isolated_passes() -> None:
    row = one(run(isolated_region()), "default-vpc-isolated")
    assert row.status is Status.PASS
    assert "2 subnets" in row.detail


def test_explicit_deny_all_ahead_of_allow_counts_as_isolated() -> None:
    entries = (
        entry(1, "deny"),
        entry(1, "deny", egress=True),
        entry(100),
        entry(100, egress=True),
        *default_deny(),
    )
    acl = nacl("acl-d", "vpc-d", entries, ["subnet-a", "subnet-b"], default=True)
    row = one(run(isolated_region(network_acls=ok((acl,)))), "default-vpc-isolated")
    assert row.status is Status.PASS


def test_narrow_deny_ahead_of_allow_does_not_isolate() -> None:
    entries = (entry(1, "deny", "10.0.0.0/8"), entry(100), *default_deny())
    acl = nacl("acl-d", "vpc-d", entries, ["subnet-a", "subnet-b"], default=True)
    row = one(run(isolated_region(network_acls=ok((acl,)))), "default-vpc-isolated")
    assert row.status is Status.FAIL


def test_egress_only_allow_still_fails_isolation() -> None:
    entries = (entry(100, egress=True), *default_deny())
    acl = nacl("acl-d", "vpc-d", entries, ["subnet-a", "subnet-b"], default=True)
    row = one(run(isolated_region(network_acls=ok((acl,)))), "default-vpc-isolated")
    assert row.status is Status.FAIL
    assert "to 0.0.0.0/0" in row.detail


def test_one_open_subnet_of_two_fails() -> None:
    closed = nacl("acl-closed", "vpc-d", default_deny(), ["subnet-a"])
    opened = nacl("acl-open", "vpc-d", (entry(100), *default_deny()), ["subnet-b"])
    row = one(run(isolated_region(network_acls=ok((closed, opened)))), "default-vpc-isolated")
    assert row.status is Status.FAIL
    assert "subnet-b" in row.detail and "subnet-a" not in row.detail


def test_subnet_without_association_uses_the_default_nacl() -> None:
    default_open = nacl("acl-d", "vpc-d", (entry(100), *default_deny()), [], default=True)
    row = one(run(isolated_region(network_acls=ok((default_open,)))), "default-vpc-isolated")
    assert row.status is Status.FAIL
    assert "acl-d" in row.detail


def test_default_vpc_whose_default_sg_has_rules_fails_isolation() -> None:
    groups = ok((sg("sg-d", "default", "vpc-d", outbound=[ALL_OUT]),))
    row = one(run(isolated_region(security_groups=groups)), "default-vpc-isolated")
    assert row.status is Status.FAIL
    assert "sg-d" in row.detail and "1 outbound" in row.detail


def test_vpc_listing_error_gives_error_not_pass() -> None:
    row = one(run(region("eu-west-1", vpcs=failed())), "default-vpc-isolated")
    assert row.status is Status.ERROR
    assert "AccessDenied" in row.detail
    assert row.evidence[0].excerpt == {"error": "AccessDenied: not authorized"}


def test_nacl_listing_error_makes_default_vpc_row_error() -> None:
    row = one(run(isolated_region(network_acls=failed())), "default-vpc-isolated")
    assert row.status is Status.ERROR
    assert row.resource == ec2_arn("vpc", "vpc-d", "eu-west-1")


def test_default_sgs_of_every_vpc_get_rows() -> None:
    groups = ok(
        (
            sg("sg-a", "default", "vpc-1"),
            sg("sg-b", "default", "vpc-2", inbound=[perm("tcp", 443, v4=["10.0.0.0/8"])]),
            sg("sg-c", "web", "vpc-1", inbound=[perm("tcp", 443, v4=["0.0.0.0/0"])]),
        )
    )
    results = run(region("us-east-1", security_groups=groups))
    rows = by_check(results, "default-sg-no-rules")
    assert {r.resource: r.status for r in rows} == {
        ec2_arn("security-group", "sg-a"): Status.PASS,
        ec2_arn("security-group", "sg-b"): Status.FAIL,
    }
    assert (
        "1 inbound" in one(results, "default-sg-no-rules", ec2_arn("security-group", "sg-b")).detail
    )


def test_default_sg_listing_error_is_error() -> None:
    row = one(run(region(security_groups=failed())), "default-sg-no-rules")
    assert row.status is Status.ERROR


def test_region_without_vpcs_has_not_applicable_default_sg_row() -> None:
    row = one(run(region()), "default-sg-no-rules")
    assert row.status is Status.NOT_APPLICABLE


def test_every_region_gets_its_rows() -> None:
    results = run(region("us-east-1"), isolated_region())
    assert sorted(r.region for r in by_check(results, "default-vpc-isolated")) == [
        "eu-west-1",
        "us-east-1",
    ]
