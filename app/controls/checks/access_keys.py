"""no-iam-access-keys: no IAM user holds an access key, and the root user has none.

People sign in through IAM Identity Center or `aws login`; workloads assume roles
(instance profiles, OIDC). Inactive keys fail too: they can be re-activated and are
still long-lived secrets lying around; the detail says which state each key is in.
"""

from __future__ import annotations

from datetime import datetime

from app.aws.inventory.model import AccessKey, CredentialReportRow, IamUser, Inventory
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "no-iam-access-keys"
ROOT_ROW = "<root_account>"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    users = Rows(CONTROL, "iam-user-access-keys", inventory, settings.now)
    root = Rows(CONTROL, "root-access-keys", inventory, settings.now)
    return [*_user_rows(users, settings.now), root_keys_row(root)]


def _user_rows(rows: Rows, now: datetime) -> list[CheckResult]:
    inventory = rows.inventory
    authorization = inventory.iam.authorization
    if not authorization.ok:
        return [rows.error("global", inventory.account_id, "IAM users", authorization)]
    users = authorization.require().users
    if not users:
        return [rows.none_in_region("global", "IAM users", authorization)]
    return [_user_row(rows, user, now) for user in users]


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "age unknown"
    days = (now - moment).days
    return f"{days} days old"


def _key_words(key: AccessKey, now: datetime) -> str:
    if not key.last_used.ok:
        used = f"last use unknown ({key.last_used.error})"
    elif key.last_used.value is None or key.last_used.value.last_used is None:
        used = "never used"
    else:
        last = key.last_used.value
        when = key.last_used.value.last_used.date().isoformat()
        where = f" ({last.service_name} in {last.region})" if last.service_name else ""
        used = f"last used {when}{where}"
    return f"{key.access_key_id} {key.status.lower()}, {_age(key.create_date, now)}, {used}"


def _user_row(rows: Rows, user: IamUser, now: datetime) -> CheckResult:
    if not user.access_keys.ok:
        return rows.error("global", user.arn, f"the access keys of {user.name}", user.access_keys)
    keys = user.access_keys.require()
    evidence: list[Evidence] = [
        rows.evidence(
            user.access_keys,
            [pick(k.raw, "AccessKeyId", "Status", "CreateDate") for k in keys],
        )
    ]
    evidence.extend(
        rows.evidence(k.last_used, dict(k.last_used.value.raw) if k.last_used.value else None)
        for k in keys
    )
    if not keys:
        return rows.row(
            "global", user.arn, Status.PASS, f"{user.name} has no access keys", evidence
        )
    words = "; ".join(_key_words(k, now) for k in keys)
    detail = f"{user.name} has {len(keys)} access key{'s' if len(keys) > 1 else ''}: {words}"
    return rows.row("global", user.arn, Status.FAIL, detail, evidence)


def root_report_row(inventory: Inventory) -> CredentialReportRow | None:
    """The credential report's root row; None when the report or the row is missing."""
    report = inventory.iam.credential_report
    if not report.ok:
        return None
    return next((r for r in report.require() if r.user == ROOT_ROW), None)


def root_arn(inventory: Inventory) -> str:
    return f"arn:{inventory.partition}:iam::{inventory.account_id}:root"


def root_keys_row(rows: Rows) -> CheckResult:
    """Whether the root user has access keys (also a check of root-account)."""
    inventory = rows.inventory
    resource = root_arn(inventory)
    summary = inventory.iam.account_summary
    report_row = root_report_row(inventory)
    if summary.ok:
        present = int(summary.require().get("AccountAccessKeysPresent", 0))
        evidence = [rows.evidence(summary, {"AccountAccessKeysPresent": present})]
        if present:
            detail = "the root user has access keys"
            if report_row is not None:
                detail += ": " + _report_words(report_row)
                evidence.append(
                    rows.evidence(inventory.iam.credential_report, dict(report_row.raw))
                )
            return rows.row("global", resource, Status.FAIL, detail, evidence)
        return rows.row(
            "global", resource, Status.PASS, "the root user has no access keys", evidence
        )
    if report_row is not None:
        evidence = [rows.evidence(inventory.iam.credential_report, dict(report_row.raw))]
        has_keys = report_row.access_key_1_last_rotated or report_row.access_key_2_last_rotated
        if report_row.access_key_1_active or report_row.access_key_2_active or has_keys:
            detail = "the root user has access keys: " + _report_words(report_row)
            return rows.row("global", resource, Status.FAIL, detail, evidence)
        detail = (
            "the root user has no access keys (credential report; the account summary "
            f"was unreadable: {summary.error})"
        )
        return rows.row("global", resource, Status.PASS, detail, evidence)
    return rows.error("global", resource, "the root user's access keys (account summary)", summary)


def _report_words(row: CredentialReportRow) -> str:
    parts = []
    for number, active, used in (
        (1, row.access_key_1_active, row.access_key_1_last_used),
        (2, row.access_key_2_active, row.access_key_2_last_used),
    ):
        if active:
            when = used.date().isoformat() if used else "never"
            parts.append(f"key {number} active, last used {when}")
    return "; ".join(parts) or "keys present but inactive"
