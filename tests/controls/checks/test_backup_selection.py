"""AWS Backup's selection rules: ARNs with wildcards, tags, conditions, exclusions."""

import pytest

from app.aws.inventory.model import SelectionRules
from app.controls.checks.backup_selection import selects, wildcard_match
from tests.controls.checks.builders_data import tag

VOLUME = "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def test_wildcards_are_the_only_special_characters() -> None:
    assert wildcard_match("arn:aws:ec2:*:*:volume/*", VOLUME)
    assert not wildcard_match("arn:aws:ec2:*:*:instance/*", VOLUME)
    assert wildcard_match("*", VOLUME)
    assert not wildcard_match("arn:aws:ec2:us-east-1:123456789012:volume/vol-?", VOLUME)


@pytest.mark.parametrize(
    ("rules", "tags", "expected"),
    [
        (SelectionRules(), {}, True),  # nothing named: every opted-in resource
        (SelectionRules(resources=("*",)), None, True),
        (SelectionRules(resources=("arn:aws:dynamodb:*:*:table/*",)), None, False),
        (SelectionRules(resources=("*",), not_resources=("arn:aws:ec2:*:*:volume/*",)), {}, False),
        (SelectionRules(list_of_tags=(tag("backup", "daily"),)), {"backup": "daily"}, True),
        (SelectionRules(list_of_tags=(tag("backup", "daily"),)), {"backup": "Daily"}, False),
        (SelectionRules(list_of_tags=(tag("backup", "daily"),)), None, None),
        # Resources OR tags; conditions narrow both.
        (
            SelectionRules(resources=(TABLE,), list_of_tags=(tag("backup", "daily"),)),
            {"backup": "daily"},
            True,
        ),
        (
            SelectionRules(resources=("*",), conditions=(tag("stage", "prod"),)),
            {"stage": "dev"},
            False,
        ),
        (
            SelectionRules(
                resources=("*",),
                conditions=(
                    tag("stage", "prod*", "StringLike"),
                    tag("skip", "yes", "StringNotEquals"),
                ),
            ),
            {"stage": "production"},
            True,
        ),
        (
            SelectionRules(resources=("*",), conditions=(tag("team", "a*", "StringNotLike"),)),
            {"team": "alpha"},
            False,
        ),
    ],
)
def test_selection_rules(rules: SelectionRules, tags, expected) -> None:
    assert selects(rules, VOLUME, tags) is expected
