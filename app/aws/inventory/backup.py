"""AWS Backup inventory of one region: plans with rules and selections, vaults, and the
resources AWS Backup holds recovery points of.

A plan's rules (`GetBackupPlan`) and selections (`ListBackupSelections`) are fetched
for all plans at once, one round trip after the listing; then what each selection
assigns (`GetBackupSelection`) for all selections at once. Only when a selection assigns
by tag are the region's resource tags read (`tag:GetResources`, one paginated listing
for the resource types AWS Backup protects), so selections can be evaluated against the
resources the region holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.model import (
    BackupPlan,
    BackupRule,
    BackupSelection,
    BackupVault,
    ProtectedResource,
    SelectionRules,
    TagCondition,
)

# The resource types of the inventory a selection may assign, as tag:GetResources names them.
TAGGED_TYPES = (
    "ec2:volume",
    "ec2:instance",
    "rds:db",
    "rds:cluster",
    "dynamodb:table",
    "elasticfilesystem:file-system",
    "s3",
)
_TAG_PREFIX = "aws:ResourceTag/"


def _rules(response: Mapping[str, Any]) -> tuple[BackupRule, ...]:
    rules = []
    for item in response["BackupPlan"].get("Rules", []):
        lifecycle = item.get("Lifecycle") or {}
        delete_after = lifecycle.get("DeleteAfterDays")
        rules.append(
            BackupRule(
                rule_name=str(item.get("RuleName", "")),
                target_vault_name=str(item.get("TargetBackupVaultName", "")),
                schedule_expression=str(item.get("ScheduleExpression", "")),
                delete_after_days=None if delete_after is None else int(delete_after),
                copy_destination_vault_arns=tuple(
                    str(c["DestinationBackupVaultArn"])
                    for c in item.get("CopyActions", [])
                    if c.get("DestinationBackupVaultArn")
                ),
                raw=json_safe(item),
            )
        )
    return tuple(rules)


def _listed_selections(response: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return listing(response, "BackupSelectionsList")


def _tag_key(key: Any) -> str:
    text = str(key)
    return text[len(_TAG_PREFIX) :] if text.startswith(_TAG_PREFIX) else text


def _selection_rules(response: Mapping[str, Any]) -> SelectionRules:
    selection = response["BackupSelection"]
    conditions = selection.get("Conditions") or {}
    return SelectionRules(
        resources=tuple(str(r) for r in selection.get("Resources") or []),
        not_resources=tuple(str(r) for r in selection.get("NotResources") or []),
        # ListOfTags only supports StringEquals (`ConditionType: STRINGEQUALS`).
        list_of_tags=tuple(
            TagCondition("StringEquals", _tag_key(t["ConditionKey"]), str(t["ConditionValue"]))
            for t in selection.get("ListOfTags") or []
        ),
        conditions=tuple(
            TagCondition(operator, _tag_key(c["ConditionKey"]), str(c["ConditionValue"]))
            for operator in ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")
            for c in conditions.get(operator) or []
        ),
        raw=json_safe(selection),
    )


def _tags(response: Mapping[str, Any]) -> Mapping[str, Mapping[str, str]]:
    return {
        str(item["ResourceARN"]): {str(t["Key"]): str(t["Value"]) for t in item.get("Tags", [])}
        for item in listing(response, "ResourceTagMappingList")
    }


def _with_rules(
    ctx: FetchContext, region: str, listings: Mapping[str, Fetched[Any]]
) -> list[Fetched[tuple[BackupSelection, ...]]]:
    """Each plan's selections (plan id -> `ListBackupSelections`), each with what it
    assigns: `GetBackupSelection` for every selection of every plan at once."""
    jobs = [
        (plan_id, item)
        for plan_id, listed in listings.items()
        if listed.ok and listed.value is not None
        for item in _listed_selections(listed.value)
    ]

    def rules(job: tuple[str, Mapping[str, Any]]) -> Fetched[SelectionRules]:
        plan_id, item = job
        params = {"BackupPlanId": plan_id, "SelectionId": item["SelectionId"]}
        return convert(ctx.call("backup", region, "GetBackupSelection", params), _selection_rules)

    fetched = ctx.fan_out(rules, jobs)
    by_plan: dict[str, list[BackupSelection]] = {plan_id: [] for plan_id in listings}
    for (plan_id, item), rule in zip(jobs, fetched, strict=True):
        by_plan[plan_id].append(
            BackupSelection(
                selection_id=str(item["SelectionId"]),
                selection_name=str(item.get("SelectionName", "")),
                rules=rule,
                iam_role_arn=str(item.get("IamRoleArn", "")),
                raw=json_safe(item),
            )
        )

    def selections_of(plan_id: str) -> Callable[[Any], tuple[BackupSelection, ...]]:
        return lambda _: tuple(by_plan[plan_id])

    return [convert(listed, selections_of(plan_id)) for plan_id, listed in listings.items()]


def _resource_tags(ctx: FetchContext, region: str) -> Fetched[Mapping[str, Mapping[str, str]]]:
    params = {"ResourceTypeFilters": list(TAGGED_TYPES)}
    fetched = ctx.call("resourcegroupstaggingapi", region, "GetResources", params, paginate=True)
    return convert(fetched, _tags)


def _tagged(
    ctx: FetchContext, region: str, selections: list[Fetched[tuple[BackupSelection, ...]]]
) -> list[Fetched[tuple[BackupSelection, ...]]]:
    """`selections` with the region's tags attached where a selection assigns by tag."""
    by_tag = [s for fetched in selections if fetched.ok for s in fetched.value or () if s.rules.ok]
    if not any(s.rules.require().uses_tags for s in by_tag):
        return selections
    tags = _resource_tags(ctx, region)

    def attach(fetched: Fetched[tuple[BackupSelection, ...]]) -> Fetched[Any]:
        return convert(
            fetched,
            lambda items: tuple(
                replace(s, resource_tags=tags) if s.rules.ok and s.rules.require().uses_tags else s
                for s in items
            ),
        )

    return [attach(fetched) for fetched in selections]


def backup_plans(ctx: FetchContext, region: str) -> Fetched[tuple[BackupPlan, ...]]:
    listed = convert(
        ctx.call("backup", region, "ListBackupPlans", paginate=True),
        lambda response: listing(response, "BackupPlansList"),
    )
    if not listed.ok or listed.value is None:
        return convert(listed, lambda response: ())
    items: list[Mapping[str, Any]] = listed.value
    ids = [str(item["BackupPlanId"]) for item in items]

    def detail(job: tuple[str, str]) -> Fetched[Any]:
        plan_id, operation = job
        if operation == "GetBackupPlan":
            return convert(ctx.call("backup", region, operation, {"BackupPlanId": plan_id}), _rules)
        return ctx.call("backup", region, operation, {"BackupPlanId": plan_id}, paginate=True)

    jobs = [(plan_id, op) for plan_id in ids for op in ("GetBackupPlan", "ListBackupSelections")]
    done = dict(zip(jobs, ctx.fan_out(detail, jobs), strict=True))
    listings = {plan_id: done[(plan_id, "ListBackupSelections")] for plan_id in ids}
    selections = _tagged(ctx, region, _with_rules(ctx, region, listings))

    def build(_: Any) -> tuple[BackupPlan, ...]:
        return tuple(
            BackupPlan(
                plan_id=plan_id,
                arn=str(item.get("BackupPlanArn", "")),
                name=str(item.get("BackupPlanName", "")),
                rules=done[(plan_id, "GetBackupPlan")],
                selections=chosen,
                version_id=str(item.get("VersionId", "")),
                raw=json_safe(item),
            )
            for plan_id, item, chosen in zip(ids, items, selections, strict=True)
        )

    return convert(listed, build)


def protected_resources(ctx: FetchContext, region: str) -> Fetched[tuple[ProtectedResource, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[ProtectedResource, ...]:
        return tuple(
            ProtectedResource(
                arn=str(item["ResourceArn"]),
                resource_type=str(item.get("ResourceType", "")),
                last_backup=utc(item.get("LastBackupTime")),
                last_vault_arn=str(item.get("LastBackupVaultArn", "")),
                raw=json_safe(item),
            )
            for item in listing(response, "Results")
        )

    fetched = ctx.call("backup", region, "ListProtectedResources", paginate=True)
    return convert(fetched, build)


def backup_vaults(ctx: FetchContext, region: str) -> Fetched[tuple[BackupVault, ...]]:
    def build(response: Mapping[str, Any]) -> tuple[BackupVault, ...]:
        def days(value: Any) -> int | None:
            return None if value is None else int(value)

        return tuple(
            BackupVault(
                name=str(item["BackupVaultName"]),
                arn=str(item.get("BackupVaultArn", "")),
                encryption_key_arn=str(item.get("EncryptionKeyArn", "")),
                locked=bool(item.get("Locked", False)),
                min_retention_days=days(item.get("MinRetentionDays")),
                max_retention_days=days(item.get("MaxRetentionDays")),
                number_of_recovery_points=int(item.get("NumberOfRecoveryPoints", 0) or 0),
                raw=json_safe(item),
            )
            for item in listing(response, "BackupVaultList")
        )

    return convert(ctx.call("backup", region, "ListBackupVaults", paginate=True), build)
