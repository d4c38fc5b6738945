"""root-account: the root user has MFA, no access keys, and was not used for 90 days.

MFA comes from the account summary (`AccountMFAEnabled`, fresh) and, where the summary
cannot say, the credential report's root row. A member account whose root credentials
were removed under Organizations' centralised root access has no MFA because it has
nothing to protect: it passes with that reason, but only when IAM confirms the
organization manages root credentials centrally (otherwise the password could be
recovered by email). Last use comes from the credential report's root row (password
and both access keys); moto's report has none, so that row is ERROR there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.aws.inventory.model import CredentialReportRow, Inventory
from app.controls.checks.access_keys import root_arn, root_keys_row, root_report_row
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "root-account"
UNUSED_DAYS = 90
_CREDENTIAL_KEYS = (
    "AccountMFAEnabled",
    "AccountPasswordPresent",
    "AccountAccessKeysPresent",
    "AccountSigningCertificatesPresent",
)
_USAGE_COLUMNS = {
    "password_last_used": "password sign-in",
    "access_key_1_last_used_date": "access key 1",
    "access_key_2_last_used_date": "access key 2",
}
_NOT_MANAGEMENT = "AccountNotManagementOrDelegatedAdministrator"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    def rows(check_id: str) -> Rows:
        return Rows(CONTROL, check_id, inventory, settings.now)

    return [
        _mfa_row(rows("root-mfa")),
        root_keys_row(rows("root-account-access-keys")),
        _usage_row(rows("root-not-used"), settings.now),
    ]


def _report_evidence(rows: Rows, row: CredentialReportRow) -> Evidence:
    excerpt = pick(row.raw, "user", "mfa_active", *_USAGE_COLUMNS)
    return rows.evidence(rows.inventory.iam.credential_report, excerpt)


def _mfa_row(rows: Rows) -> CheckResult:
    inventory = rows.inventory
    resource = root_arn(inventory)
    summary = inventory.iam.account_summary
    values: Mapping[str, int] = summary.require() if summary.ok else {}
    enabled = values.get("AccountMFAEnabled")
    if enabled is None:
        return _mfa_from_report(rows, resource)
    evidence = [rows.evidence(summary, {k: values[k] for k in _CREDENTIAL_KEYS if k in values})]
    if enabled:
        return rows.row(
            "global", resource, Status.PASS, "the root user has MFA (AccountMFAEnabled 1)", evidence
        )
    credentials = [values.get(k) for k in _CREDENTIAL_KEYS[1:]]
    if credentials == [0, 0, 0]:
        return _without_credentials(rows, resource, evidence)
    detail = "the root user has no MFA (AccountMFAEnabled 0)"
    if values.get("AccountPasswordPresent") == 1:
        detail += " and has a password: it can sign in to the console with the password alone"
    return rows.row("global", resource, Status.FAIL, detail, evidence)


def _mfa_from_report(rows: Rows, resource: str) -> CheckResult:
    """When the summary cannot say: the credential report's root row, or ERROR."""
    summary = rows.inventory.iam.account_summary
    report_row = root_report_row(rows.inventory)
    if report_row is None or report_row.mfa_active is None:
        if not summary.ok:
            return rows.error("global", resource, "whether the root user has MFA", summary)
        detail = (
            "could not read whether the root user has MFA: the account summary has no "
            "AccountMFAEnabled and the credential report no root row"
        )
        evidence = (rows.evidence(summary, dict(summary.value or {})),)
        return rows.row("global", resource, Status.ERROR, detail, evidence)
    why = summary.error if not summary.ok else "it has no AccountMFAEnabled"
    status = Status.PASS if report_row.mfa_active else Status.FAIL
    words = "has MFA" if report_row.mfa_active else "has no MFA"
    detail = f"the root user {words} (credential report; the account summary could not say: {why})"
    return rows.row("global", resource, status, detail, (_report_evidence(rows, report_row),))


def _without_credentials(rows: Rows, resource: str, evidence: list[Evidence]) -> CheckResult:
    """No MFA, but no password, access keys or signing certificates either: it passes
    only when the organization manages root credentials centrally."""
    features = rows.inventory.iam.organizations_features
    bare = "the root user has no password, access keys, signing certificates or MFA"
    if not features.ok:
        if _NOT_MANAGEMENT in (features.error or ""):
            detail = (
                f"{bare}; whether its organization manages root credentials centrally (so the "
                "password cannot be recovered by email) only the management account or IAM's "
                "delegated administrator can tell: scan it, or attach its setting "
                f"({features.error})"
            )
            fact = rows.evidence(features, {"error": features.error})
            return rows.row("global", resource, Status.ERROR, detail, [*evidence, fact])
        return rows.error("global", resource, "whether root access is managed centrally", features)
    value = features.value
    fact = rows.evidence(features, dict(value.raw) if value else None)
    if value is not None and value.enabled is None:
        detail = f"{bare}; the ListOrganizationsFeatures answer does not say EnabledFeatures"
        return rows.row("global", resource, Status.ERROR, detail, [*evidence, fact])
    if value is not None and value.manages_root_credentials:
        detail = (
            f"root credentials removed: {bare}, and organization {value.organization_id} "
            "manages member accounts' root credentials centrally (RootCredentialsManagement), "
            "so they cannot be recovered"
        )
        return rows.row("global", resource, Status.PASS, detail, [*evidence, fact])
    why = (
        "centralised root access is not available to this account"
        if value is None
        else "the organization does not manage root credentials centrally"
    )
    detail = f"{bare}, but {why}: its password can be recovered by email and then has no MFA"
    return rows.row("global", resource, Status.FAIL, detail, [*evidence, fact])


def _usage_row(rows: Rows, now: datetime) -> CheckResult:
    inventory = rows.inventory
    resource = root_arn(inventory)
    report = inventory.iam.credential_report
    if not report.ok:
        return rows.error(
            "global", resource, "the root user's last use (credential report)", report
        )
    row = root_report_row(inventory)
    if row is None:
        detail = (
            "could not tell when the root user was last used: the credential report has no "
            "<root_account> row"
        )
        evidence = (rows.evidence(report, [r.user for r in report.require()]),)
        return rows.row("global", resource, Status.ERROR, detail, evidence)
    evidence = (_report_evidence(rows, row),)
    missing = [c for c in _USAGE_COLUMNS if c in row.missing]
    if missing:
        detail = f"could not tell when the root user was last used: the report has no {missing[0]}"
        return rows.row("global", resource, Status.ERROR, detail, evidence)
    uses = [
        (moment, what)
        for moment, what in (
            (row.password_last_used, _USAGE_COLUMNS["password_last_used"]),
            (row.access_key_1_last_used, _USAGE_COLUMNS["access_key_1_last_used_date"]),
            (row.access_key_2_last_used, _USAGE_COLUMNS["access_key_2_last_used_date"]),
        )
        if moment is not None
    ]
    if not uses:
        detail = "the root user has not been used since the credential report began tracking"
        return rows.row("global", resource, Status.PASS, detail, evidence)
    moment, what = max(uses)
    days = (now - moment).days
    words = f"last used {moment.date().isoformat()} ({what}, {days} days ago)"
    if days < UNUSED_DAYS:
        detail = f"the root user was used within the last {UNUSED_DAYS} days: {words}"
        return rows.row("global", resource, Status.FAIL, detail, evidence)
    detail = f"the root user has not been used in the last {UNUSED_DAYS} days: {words}"
    return rows.row("global", resource, Status.PASS, detail, evidence)
