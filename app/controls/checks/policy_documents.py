"""Reading IAM policy documents: finding statements that grant everything.

A statement is unbounded when it Allows every action on every resource: Action
"*" (or "*:*") with Resource "*", or NotAction with Resource "*" (everything but a
few actions), or Action "*" with NotResource (every resource but a few). Conditions
do not save it: a condition narrows when, not what, and it is named in the finding.
Documents arrive as dicts (boto3 decodes them) or as URL-encoded JSON strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


class PolicyDocumentError(ValueError):
    """The policy document is not readable JSON."""


def parse_document(document: Mapping[str, Any] | str) -> Mapping[str, Any]:
    if isinstance(document, Mapping):
        return document
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyDocumentError(f"policy document is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise PolicyDocumentError("policy document is not a JSON object")
    return parsed


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statement = document.get("Statement", [])
    if isinstance(statement, Mapping):
        return [statement]
    return [s for s in statement if isinstance(s, Mapping)]


def _all_actions(actions: list[str]) -> bool:
    return any(a.strip() in ("*", "*:*") for a in actions)


def unbounded_statements(document: Mapping[str, Any] | str) -> list[str]:
    """How each unbounded statement of the document grants everything (empty: none)."""
    findings = []
    for index, statement in enumerate(_statements(parse_document(document))):
        if str(statement.get("Effect", "")).lower() != "allow":
            continue
        sid = statement.get("Sid") or f"statement {index + 1}"
        resources = _as_list(statement.get("Resource"))
        every_resource = "*" in (r.strip() for r in resources)
        how = None
        if "NotAction" in statement and every_resource:
            excluded = ", ".join(_as_list(statement["NotAction"])) or "nothing"
            how = f"{sid}: NotAction [{excluded}] on Resource *"
        elif _all_actions(_as_list(statement.get("Action"))):
            if every_resource:
                how = f"{sid}: Action * on Resource *"
            elif "NotResource" in statement:
                excluded = ", ".join(_as_list(statement["NotResource"]))
                how = f"{sid}: Action * on NotResource [{excluded}]"
        if how is None:
            continue
        if statement.get("Condition"):
            how += f" (with Condition {json.dumps(statement['Condition'], sort_keys=True)})"
        findings.append(how)
    return findings
