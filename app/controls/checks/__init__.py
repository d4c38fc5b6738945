"""The automated checks: pure functions from an account inventory to result rows.

`CHECKS` maps each control id of the catalogue to its check; a check returns every
row of every check id of its control (`CHECK_IDS`, the catalogue's `checks[].id`).
Checks do no I/O and never call AWS: they read `Inventory` only.
"""

from __future__ import annotations

from collections.abc import Callable

from app.aws.inventory.model import Inventory
from app.controls.checks import (
    access_keys,
    backups,
    cloudtrail,
    config_recording,
    console_mfa,
    default_vpcs,
    deletion,
    encryption,
    flow_logs,
    least_privilege,
    nacls,
    password_policy,
    root_account,
    s3_public_access,
    sg_inbound,
    ssh,
    threat_detection,
)
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult

Check = Callable[[Inventory, CheckSettings], list[CheckResult]]

CHECKS: dict[str, Check] = {
    "default-vpcs": default_vpcs.check,
    "vpc-flow-logs": flow_logs.check,
    "cloudtrail": cloudtrail.check,
    "encryption-at-rest": encryption.check,
    "no-iam-access-keys": access_keys.check,
    "no-ssh": ssh.check,
    "sg-inbound": sg_inbound.check,
    "nacls": nacls.check,
    "deletion-protection": deletion.check,
    "least-privilege": least_privilege.check,
    "backups": backups.check,
    "root-account": root_account.check,
    "console-mfa": console_mfa.check,
    "password-policy": password_policy.check,
    "threat-detection": threat_detection.check,
    "s3-public-access": s3_public_access.check,
    "config-recording": config_recording.check,
}

# Every check id each control emits (the catalogue's `checks[].id`).
CHECK_IDS: dict[str, tuple[str, ...]] = {
    "default-vpcs": ("default-vpc-isolated", "default-sg-no-rules"),
    "vpc-flow-logs": ("vpc-flow-log-all-traffic",),
    "cloudtrail": ("multi-region-trail", "trail-logging"),
    "encryption-at-rest": (
        "ebs-encryption-by-default",
        "ebs-volume-encrypted",
        "ebs-snapshot-encrypted",
        "s3-default-encryption",
        "kms-key-rotation",
        "rds-storage-encrypted",
        "dynamodb-table-encrypted",
        "efs-encrypted",
    ),
    "no-iam-access-keys": ("iam-user-access-keys", "root-access-keys"),
    "no-ssh": ("sg-no-ssh", "instance-session-manager"),
    "sg-inbound": ("sg-inbound-restricted",),
    "nacls": ("nacl-restricted",),
    "deletion-protection": (
        "kms-key-deletion",
        "s3-object-lock",
        "ebs-snapshot-lock",
        "rds-deletion-protection",
        "dynamodb-deletion-protection",
    ),
    "least-privilege": ("iam-policy-unbounded", "iam-principal-admin"),
    "backups": ("backup-plan", "backup-coverage", "s3-replication"),
    "root-account": ("root-mfa", "root-account-access-keys", "root-not-used"),
    "console-mfa": ("console-user-mfa",),
    "password-policy": ("iam-password-policy",),
    "threat-detection": ("guardduty-enabled",),
    "s3-public-access": ("s3-account-public-access-block", "s3-bucket-public-access"),
    "config-recording": ("config-recorder-on",),
}


def run_checks(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    """Every control's rows for one account, in catalogue order."""
    return [row for check in CHECKS.values() for row in check(inventory, settings)]


__all__ = ["CHECKS", "CHECK_IDS", "Check", "CheckSettings", "run_checks"]
