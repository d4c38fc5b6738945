"""Which inventory parts each control's check reads, so a partial scan fetches no more.

Keys are `app.aws.inventory.collect` part names; a part a check reads but that is
missing here is reported "not collected" (an ERROR row), never silently passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.aws.inventory.collect import ALL_PARTS

_BUCKETS = "s3.buckets"
_DATABASES = frozenset({"db_instances", "db_clusters"})
_DATA_STORES = _DATABASES | {"dynamodb_tables", "file_systems"}

NEEDS: Mapping[str, frozenset[str]] = {
    "default-vpcs": frozenset({"vpcs", "subnets", "security_groups", "network_acls"}),
    "vpc-flow-logs": frozenset({"vpcs", "flow_logs"}),
    "cloudtrail": frozenset({"trails"}),
    "encryption-at-rest": frozenset(
        {"ebs_encryption_by_default", "volumes", "snapshots", "kms_keys", "kms_aliases", _BUCKETS}
    )
    | _DATA_STORES,
    "no-iam-access-keys": frozenset(
        {"iam.authorization", "iam.account_summary", "iam.credential_report"}
    ),
    "no-ssh": frozenset({"security_groups", "instances", "managed_instances"}),
    "sg-inbound": frozenset({"security_groups"}),
    "nacls": frozenset({"network_acls"}),
    "deletion-protection": frozenset(
        {"kms_keys", "kms_aliases", "snapshots", "snapshot_locks", _BUCKETS, "dynamodb_tables"}
    )
    | _DATABASES,
    "least-privilege": frozenset({"iam.authorization"}),
    "backups": frozenset(
        {"backup_plans", "backup_vaults", "protected_resources", "volumes", "instances", _BUCKETS}
    )
    | _DATA_STORES,
    "root-account": frozenset(
        {"iam.account_summary", "iam.credential_report", "iam.organizations_features"}
    ),
    # The credential report only adds each user's last console sign-in.
    "console-mfa": frozenset({"iam.console_users", "iam.credential_report"}),
    "password-policy": frozenset({"iam.password_policy", "iam.console_users"}),
    "threat-detection": frozenset({"guardduty_detectors"}),
    "s3-public-access": frozenset({"s3.account_public_access", "s3.bucket_public_access"}),
    "config-recording": frozenset({"config_recorders", "config_delivery_channels"}),
}


def parts_for(controls: Iterable[str]) -> frozenset[str]:
    """The inventory parts the given controls' checks read."""
    wanted: set[str] = set()
    for control in controls:
        wanted |= NEEDS.get(control, ALL_PARTS)
    return frozenset(wanted)
