"""console-mfa: every IAM user who can sign in to the console with a password has MFA.

The population is the IAM users with a console password (`GetLoginProfile`); users
without one are not judged (no password, no console sign-in to protect). With no such
user at all the control is NOT_APPLICABLE, saying how many users there are. The
credential report adds each user's last console sign-in to the row (not decisive).
"""

from __future__ import annotations

from app.aws.inventory.model import ConsoleUser, CredentialReportRow, Inventory
from app.controls.checks.rows import Rows, pick
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "console-mfa"
CHECK = "console-user-mfa"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, CHECK, inventory, settings.now)
    users = inventory.iam.console_users
    if not users.ok:
        return [rows.error("global", inventory.account_id, "the IAM users", users)]
    listed = users.require()
    judged = [row for user in listed if (row := _user_row(rows, user)) is not None]
    if judged:
        return judged
    detail = (
        f"no IAM user has a console password ({len(listed)} IAM users, none with a password)"
        if listed
        else "no IAM users, so nobody signs in to the console with an IAM password"
    )
    excerpt = [{"UserName": u.name, "LoginProfile": None} for u in listed]
    evidence = (rows.evidence(users, excerpt),)
    return [rows.row("global", inventory.account_id, Status.NOT_APPLICABLE, detail, evidence)]


def _report_rows(inventory: Inventory) -> dict[str, CredentialReportRow]:
    report = inventory.iam.credential_report
    return {row.user: row for row in report.require()} if report.ok else {}


def _last_sign_in(inventory: Inventory, name: str) -> str:
    row = _report_rows(inventory).get(name)
    if row is None or "password_last_used" in row.missing:
        return ""
    if row.password_last_used is None:
        return "; no console sign-in recorded in the credential report"
    return f"; last console sign-in {row.password_last_used.date().isoformat()}"


def _user_row(rows: Rows, user: ConsoleUser) -> CheckResult | None:
    """The user's row, or None for a user without a console password."""
    profile = user.login_profile
    if not profile.ok:
        return rows.error(
            "global", user.arn, f"whether {user.name} has a console password", profile
        )
    if profile.value is None:
        return None
    evidence: list[Evidence] = [
        rows.evidence(profile, pick(profile.value.raw, "UserName", "CreateDate"))
    ]
    devices = user.mfa_devices
    if not devices.ok:
        return rows.error("global", user.arn, f"the MFA devices of {user.name}", devices)
    found = devices.require()
    evidence.append(
        rows.evidence(devices, [pick(d.raw, "SerialNumber", "EnableDate") for d in found])
    )
    seen = _last_sign_in(rows.inventory, user.name)
    if found:
        serials = ", ".join(d.serial_number for d in found)
        detail = f"{user.name} signs in to the console with MFA ({serials}){seen}"
        return rows.row("global", user.arn, Status.PASS, detail, evidence)
    detail = f"{user.name} has a console password and no MFA device{seen}"
    return rows.row("global", user.arn, Status.FAIL, detail, evidence)
