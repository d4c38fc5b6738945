"""Whether an AWS Backup selection assigns a resource, by AWS's rules.

From the AWS Backup API reference (`BackupSelection`) and "Assigning resources
programmatically": ARNs in `Resources` are OR'ed and may use `*`; `ListOfTags` entries
are OR'ed (StringEquals only); `Conditions` are AND'ed and narrow what the rest selects;
`NotResources` are taken out. A selection with neither resources nor tags selects every
supported resource that is opted in. StringNotEquals/StringNotLike hold for a resource
without the tag, as in IAM. Service opt-in is not modelled here: the coverage check also
requires AWS Backup to hold a recovery point of the resource, which only exists when the
assignment really worked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from app.aws.inventory.model import SelectionRules, TagCondition


@lru_cache(maxsize=512)
def _pattern(wildcard: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in wildcard.split("*")), re.DOTALL)


def wildcard_match(wildcard: str, text: str) -> bool:
    """`*` stands for any run of characters; everything else is literal (case-sensitive)."""
    return _pattern(wildcard).fullmatch(text) is not None


def _holds(condition: TagCondition, tags: Mapping[str, str]) -> bool:
    value = tags.get(condition.key)
    if condition.operator == "StringEquals":
        return value == condition.value
    if condition.operator == "StringNotEquals":
        return value != condition.value
    if condition.operator == "StringLike":
        return value is not None and wildcard_match(condition.value, value)
    if condition.operator == "StringNotLike":
        return value is None or not wildcard_match(condition.value, value)
    return False


def selects(rules: SelectionRules, arn: str, tags: Mapping[str, str] | None) -> bool | None:
    """True/False, or None when the answer depends on tags that are not known."""
    if any(wildcard_match(pattern, arn) for pattern in rules.not_resources):
        return False
    by_arn = any(wildcard_match(pattern, arn) for pattern in rules.resources)
    if not by_arn and rules.resources and not rules.list_of_tags:
        return False  # neither listed nor taggable into the selection: tags do not matter
    if not rules.uses_tags:
        return by_arn or not rules.resources
    if tags is None:
        return None
    by_tag = any(_holds(c, tags) for c in rules.list_of_tags)
    included = by_arn or by_tag or not (rules.resources or rules.list_of_tags)
    return included and all(_holds(c, tags) for c in rules.conditions)


def describe_rules(rules: SelectionRules) -> str:
    """`resources arn:aws:dynamodb:*:*:table/*; tag backup=daily` for row details."""
    parts = []
    if rules.resources:
        parts.append("resources " + ", ".join(rules.resources))
    if rules.list_of_tags:
        parts.append(" or ".join(f"tag {c.key}={c.value}" for c in rules.list_of_tags))
    if rules.conditions:
        parts.append(" and ".join(f"{c.key} {c.operator} {c.value}" for c in rules.conditions))
    if rules.not_resources:
        parts.append("except " + ", ".join(rules.not_resources))
    return "; ".join(parts) or "every opted-in resource"
