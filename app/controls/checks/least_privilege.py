"""least-privilege: no policy grants everything, and no principal holds such a policy.

`iam-policy-unbounded` judges every customer-managed policy (its default version)
and every inline policy of a user, group or role. `iam-principal-admin` judges
every user, group and role: AdministratorAccess attached, or any attached or
inline policy that grants everything, fails, naming the policy; a user also fails
for what its groups grant. An attached policy whose document is not in the
inventory makes the principal ERROR (never a PASS that did not read it).
Service-linked roles are evaluated like the rest, and noted: AWS owns their policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.fetched import Fetched
from app.aws.inventory.model import (
    AttachedPolicy,
    AuthorizationDetails,
    IamGroup,
    IamRole,
    IamUser,
    InlinePolicy,
    Inventory,
    ManagedPolicy,
)
from app.controls.checks.policy_documents import PolicyDocumentError, unbounded_statements
from app.controls.checks.rows import Rows
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "least-privilege"
ADMIN_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"

Principal = IamUser | IamGroup | IamRole


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    policies = Rows(CONTROL, "iam-policy-unbounded", inventory, settings.now)
    principals = Rows(CONTROL, "iam-principal-admin", inventory, settings.now)
    fetched = inventory.iam.authorization
    if not fetched.ok:
        return [
            policies.error("global", inventory.account_id, "IAM policies", fetched),
            principals.error("global", inventory.account_id, "IAM principals", fetched),
        ]
    details = fetched.require()
    return [
        *_policy_rows(policies, fetched, details),
        *_principal_rows(principals, fetched, details),
    ]


def _judge(document: Mapping[str, Any] | str | None) -> tuple[list[str] | None, str]:
    """(unbounded statements, problem). None statements: the document could not be read."""
    if document is None:
        return None, "document not in the inventory"
    try:
        return unbounded_statements(document), ""
    except PolicyDocumentError as exc:
        return None, str(exc)


def _principals(details: AuthorizationDetails) -> list[tuple[str, Principal]]:
    return [
        *(("user", u) for u in details.users),
        *(("group", g) for g in details.groups),
        *(("role", r) for r in details.roles),
    ]


def _policy_rows(
    rows: Rows, fetched: Fetched[AuthorizationDetails], details: AuthorizationDetails
) -> list[CheckResult]:
    results = []
    for policy in details.policies:
        if policy.is_aws_managed:
            continue
        excerpt = {
            "Arn": policy.arn,
            "DefaultVersionId": policy.default_version_id,
            "Document": policy.default_document,
        }
        results.append(
            _document_row(
                rows, fetched, policy.arn, f"policy {policy.name}", policy.default_document, excerpt
            )
        )
    for kind, principal in _principals(details):
        for inline in principal.inline_policies:
            resource = f"{principal.arn}#inline-policy/{inline.name}"
            excerpt = {
                "Principal": principal.arn,
                "PolicyName": inline.name,
                "PolicyDocument": inline.document,
            }
            label = f"inline policy {inline.name} of {kind} {principal.name}"
            results.append(_document_row(rows, fetched, resource, label, inline.document, excerpt))
    return results or [
        rows.none_in_region("global", "customer-managed or inline IAM policies", fetched)
    ]


def _document_row(
    rows: Rows,
    fetched: Fetched[AuthorizationDetails],
    resource: str,
    label: str,
    document: Mapping[str, Any] | str | None,
    excerpt: Mapping[str, Any],
) -> CheckResult:
    evidence = (rows.evidence(fetched, dict(excerpt)),)
    found, problem = _judge(document)
    if found is None:
        return rows.row("global", resource, Status.ERROR, f"{label}: {problem}", evidence)
    if found:
        detail = f"{label} grants everything: " + "; ".join(found)
        return rows.row("global", resource, Status.FAIL, detail, evidence)
    return rows.row(
        "global", resource, Status.PASS, f"{label} grants no action * on resource *", evidence
    )


def _attached_findings(
    attached: tuple[AttachedPolicy, ...], by_arn: Mapping[str, ManagedPolicy]
) -> tuple[list[str], list[str]]:
    """(why the attached policies grant everything, which could not be read)."""
    findings: list[str] = []
    unknown: list[str] = []
    for policy in attached:
        if policy.arn.endswith(ADMIN_POLICY_SUFFIX):
            findings.append(f"AdministratorAccess ({policy.arn}) attached")
            continue
        managed = by_arn.get(policy.arn)
        found, problem = _judge(managed.default_document if managed else None)
        if found is None:
            unknown.append(f"{policy.name} ({problem})")
        elif found:
            findings.append(f"attached policy {policy.name} grants everything ({'; '.join(found)})")
    return findings, unknown


def _inline_findings(inline: tuple[InlinePolicy, ...]) -> tuple[list[str], list[str]]:
    findings: list[str] = []
    unknown: list[str] = []
    for policy in inline:
        found, problem = _judge(policy.document)
        if found is None:
            unknown.append(f"inline {policy.name} ({problem})")
        elif found:
            findings.append(f"inline policy {policy.name} grants everything ({'; '.join(found)})")
    return findings, unknown


def _own_findings(
    principal: Principal, by_arn: Mapping[str, ManagedPolicy]
) -> tuple[list[str], list[str]]:
    attached, attached_unknown = _attached_findings(principal.attached_policies, by_arn)
    inline, inline_unknown = _inline_findings(principal.inline_policies)
    return attached + inline, attached_unknown + inline_unknown


def _principal_rows(
    rows: Rows, fetched: Fetched[AuthorizationDetails], details: AuthorizationDetails
) -> list[CheckResult]:
    by_arn = {p.arn: p for p in details.policies}
    groups = {g.name: _own_findings(g, by_arn) for g in details.groups}
    results = []
    for kind, principal in _principals(details):
        findings, unknown = _own_findings(principal, by_arn)
        if isinstance(principal, IamUser):
            for group in principal.group_names:
                group_findings, group_unknown = groups.get(
                    group, ([], [f"group {group} (not listed)"])
                )
                findings += [f"via group {group}: {f}" for f in group_findings]
                unknown += [f"via group {group}: {u}" for u in group_unknown]
        excerpt = {
            "Arn": principal.arn,
            "AttachedManagedPolicies": [
                {"PolicyName": p.name, "PolicyArn": p.arn} for p in principal.attached_policies
            ],
            "InlinePolicyNames": [p.name for p in principal.inline_policies],
        }
        if isinstance(principal, IamUser):
            excerpt["GroupList"] = list(principal.group_names)
        evidence = (rows.evidence(fetched, excerpt),)
        label = f"{kind} {principal.name}"
        if isinstance(principal, IamRole) and principal.is_service_linked:
            label += " (service-linked: its policies are owned by AWS)"
        if findings:
            detail = f"{label} has unbounded permissions: " + "; ".join(findings)
            results.append(rows.row("global", principal.arn, Status.FAIL, detail, evidence))
        elif unknown:
            detail = f"{label}: could not evaluate " + "; ".join(unknown)
            results.append(rows.row("global", principal.arn, Status.ERROR, detail, evidence))
        else:
            count = len(principal.attached_policies) + len(principal.inline_policies)
            detail = f"{label}: none of its {count} policies grants everything"
            results.append(rows.row("global", principal.arn, Status.PASS, detail, evidence))
    return results or [rows.none_in_region("global", "IAM users, groups or roles", fetched)]
