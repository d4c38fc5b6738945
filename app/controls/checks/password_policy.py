"""password-policy: where any IAM user signs in with a password, the account's password
policy asks for at least 14 characters and blocks reuse of the last 24 passwords.

The thresholds are CIS AWS Foundations' (1.8 and 1.9) and are stated in the control. A
policy meeting them passes whoever has a password; a missing or weaker one fails only
if some IAM user has a console password, and is NOT_APPLICABLE (saying so) otherwise.
"""

from __future__ import annotations

from app.aws.inventory.model import Inventory, PasswordPolicy
from app.controls.checks.rows import Rows
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status

CONTROL = "password-policy"
CHECK = "iam-password-policy"
MIN_LENGTH = 14
MIN_REUSE_PREVENTION = 24


def shortfalls(policy: PasswordPolicy | None) -> list[str]:
    """What keeps `policy` from the minimum, in words; empty when it meets it."""
    if policy is None:
        return ["the account has no password policy"]
    found = []
    if policy.minimum_length is None or policy.minimum_length < MIN_LENGTH:
        length = "not stated" if policy.minimum_length is None else policy.minimum_length
        found.append(f"minimum length {length} (needs {MIN_LENGTH} or more)")
    if policy.reuse_prevention is None or policy.reuse_prevention < MIN_REUSE_PREVENTION:
        reuse = "off" if policy.reuse_prevention is None else f"{policy.reuse_prevention}"
        found.append(f"reuse prevention {reuse} (needs the last {MIN_REUSE_PREVENTION})")
    return found


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    rows = Rows(CONTROL, CHECK, inventory, settings.now)
    account = inventory.account_id
    fetched = inventory.iam.password_policy
    if not fetched.ok:
        return [rows.error("global", account, "the IAM password policy", fetched)]
    policy = fetched.value
    evidence = [rows.evidence(fetched, dict(policy.raw) if policy else None)]
    missing = shortfalls(policy)
    if not missing and policy is not None:
        detail = (
            f"the password policy asks for at least {policy.minimum_length} characters and "
            f"blocks reuse of the last {policy.reuse_prevention} passwords"
        )
        return [rows.row("global", account, Status.PASS, detail, evidence)]
    short = "; ".join(missing)
    users = inventory.iam.console_users
    if not users.ok:
        detail = f"{short}, and whether any IAM user has a console password could not be read"
        return [rows.row("global", account, Status.ERROR, f"{detail}: {users.error}", evidence)]
    listed = users.require()
    with_password = [u.name for u in listed if u.login_profile.ok and u.login_profile.value]
    unknown = [u.name for u in listed if not u.login_profile.ok]
    evidence.append(rows.evidence(users, [{"UserName": u.name} for u in listed]))
    if with_password:
        detail = f"{short}; IAM users with a console password: {', '.join(with_password)}"
        return [rows.row("global", account, Status.FAIL, detail, evidence)]
    if unknown:
        detail = f"{short}; whether {', '.join(unknown)} have a console password could not be read"
        return [rows.row("global", account, Status.ERROR, detail, evidence)]
    detail = (
        f"no IAM user has a console password, so the policy protects nobody yet ({short}: "
        "it matters as soon as one gets a password)"
    )
    return [rows.row("global", account, Status.NOT_APPLICABLE, detail, evidence)]
