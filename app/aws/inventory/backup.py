"""AWS Backup inventory of one region: plans with rules and selections, vaults.

A plan's rules (`GetBackupPlan`) and selections (`ListBackupSelections`) are fetched
for all plans at once, one round trip after the listing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext
from app.aws.inventory.model import BackupPlan, BackupRule, BackupSelection, BackupVault


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


def _selections(response: Mapping[str, Any]) -> tuple[BackupSelection, ...]:
    return tuple(
        BackupSelection(
            selection_id=str(item["SelectionId"]),
            selection_name=str(item.get("SelectionName", "")),
            iam_role_arn=str(item.get("IamRoleArn", "")),
            raw=json_safe(item),
        )
        for item in response.get("BackupSelectionsList", [])
    )


def backup_plans(ctx: FetchContext, region: str) -> Fetched[tuple[BackupPlan, ...]]:
    listed = ctx.call("backup", region, "ListBackupPlans", paginate=True)
    if not listed.ok or listed.value is None:
        return convert(listed, lambda response: ())
    items: list[Mapping[str, Any]] = list(listed.value.get("BackupPlansList", []))

    def detail(job: tuple[str, str]) -> Fetched[Any]:
        plan_id, operation = job
        if operation == "GetBackupPlan":
            return convert(ctx.call("backup", region, operation, {"BackupPlanId": plan_id}), _rules)
        fetched = ctx.call("backup", region, operation, {"BackupPlanId": plan_id}, paginate=True)
        return convert(fetched, _selections)

    jobs = [
        (str(item["BackupPlanId"]), op)
        for item in items
        for op in ("GetBackupPlan", "ListBackupSelections")
    ]
    done = dict(zip(jobs, ctx.fan_out(detail, jobs), strict=True))

    def build(_: Any) -> tuple[BackupPlan, ...]:
        return tuple(
            BackupPlan(
                plan_id=str(item["BackupPlanId"]),
                arn=str(item.get("BackupPlanArn", "")),
                name=str(item.get("BackupPlanName", "")),
                rules=done[(str(item["BackupPlanId"]), "GetBackupPlan")],
                selections=done[(str(item["BackupPlanId"]), "ListBackupSelections")],
                version_id=str(item.get("VersionId", "")),
                raw=json_safe(item),
            )
            for item in items
        )

    return convert(listed, build)


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
            for item in response.get("BackupVaultList", [])
        )

    return convert(ctx.call("backup", region, "ListBackupVaults", paginate=True), build)
