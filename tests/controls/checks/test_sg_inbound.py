import pytest

from app.controls.checks import CheckSettings, sg_inbound
from app.controls.results import Status
from tests.controls.checks.builders import (
    NOW,
    SETTINGS,
    failed,
    inventory,
    ok,
    one,
    perm,
    region,
    sg,
)

CHECK = "sg-inbound-restricted"


def row_for(*permissions, settings=SETTINGS):
    reg = region(security_groups=ok((sg("sg-1", inbound=permissions),)))
    return one(sg_inbound.check(inventory(reg), settings), CHECK)


@pytest.mark.parametrize(
    ("permission", "words"),
    [
        (perm("tcp", 443, v4=["0.0.0.0/0"]), "whole internet"),
        (perm("tcp", 5432, v6=["::/0"]), "whole internet"),
        (perm("tcp", 5432, v4=["10.0.0.0/8"]), "wider than /16"),
        (perm("-1", None, None, v6=["2001:db8::/32"]), "wider than /48"),
        (perm("tcp", 22, v4=["not-a-cidr"]), "unparseable"),
    ],
)
def test_wide_sources_fail(permission, words) -> None:
    row = row_for(permission)
    assert row.status is Status.FAIL
    assert words in row.detail


@pytest.mark.parametrize(
    "permission",
    [
        perm("tcp", 443, v4=["10.1.0.0/16"]),
        perm("tcp", 443, v4=["203.0.113.7/32"]),
        perm("tcp", 443, v6=["2001:db8:1::/48"]),
        perm("tcp", 443, groups=["sg-lb"]),
        perm("tcp", 443, prefix_lists=["pl-1"]),
    ],
)
def test_narrow_or_referencing_rules_pass(permission) -> None:
    assert row_for(permission).status is Status.PASS


def test_detail_names_port_and_range() -> None:
    assert "tcp 5432 from 10.0.0.0/8" in row_for(perm("tcp", 5432, v4=["10.0.0.0/8"])).detail


def test_no_inbound_rules_pass() -> None:
    row = row_for()
    assert row.status is Status.PASS and "no inbound rules" in row.detail


def test_threshold_configurable() -> None:
    strict = CheckSettings(max_open_prefix_v4=24, now=NOW)
    loose = CheckSettings(max_open_prefix_v4=8, now=NOW)
    p = perm("tcp", 443, v4=["10.1.0.0/16"])
    assert row_for(p, settings=strict).status is Status.FAIL
    assert row_for(perm("tcp", 443, v4=["10.0.0.0/8"]), settings=loose).status is Status.PASS


def test_prefix_list_noted() -> None:
    assert "pl-1" in row_for(perm("tcp", 443, prefix_lists=["pl-1"])).detail


def test_listing_error_is_error() -> None:
    row = one(sg_inbound.check(inventory(region(security_groups=failed())), SETTINGS), CHECK)
    assert row.status is Status.ERROR


def test_settings_from_engagement() -> None:
    settings = CheckSettings.from_engagement_settings(
        {"max_cidr_prefix": 20, "sensitive_buckets": ["a", "b"]}, now=NOW
    )
    assert settings.max_open_prefix_v4 == 20 and settings.max_open_prefix_v6 == 48
    assert settings.sensitive_buckets == frozenset({"a", "b"})
    with pytest.raises(ValueError, match=r"0\.\.32"):
        CheckSettings.from_engagement_settings({"max_open_prefix_v4": 40})


def test_one_bad_range_among_good_ones_fails_and_is_named() -> None:
    row = row_for(
        perm("tcp", 443, v4=["10.1.0.0/16", "198.51.100.0/24"], v6=["2001:db8::/32"]),
        perm("tcp", 80, groups=["sg-lb"]),
    )
    assert row.status is Status.FAIL
    assert "2001:db8::/32" in row.detail
    assert "10.1.0.0/16" not in row.detail and "tcp 80" not in row.detail
