"""Read-only towards AWS, by construction: the allowlist of read calls and the guard.

`ALLOWED` is the one list of operations a scan may send. `guard_client` hooks a
botocore client so that any other operation raises `MutationRefused` at the very
first event of a call (`provide-client-params`, before parameters are validated,
serialised, signed or sent). `policy_document()` turns the same list into the
least-privilege IAM policy `audit-binder policy` prints, so the permission the
user grants and the calls the app can make never drift apart. `ORGANIZATION_ALLOWED`
does the same for the management account's own calls in `scan --org-role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# boto3 service name -> API operation names. Only Describe*/List*/Get* plus the calls
# in `_NOT_NAMED_AS_READS` (each justified there).
ALLOWED: Mapping[str, frozenset[str]] = {
    "sts": frozenset({"GetCallerIdentity"}),
    "ec2": frozenset(
        {
            "DescribeRegions",
            "DescribeVpcs",
            "DescribeSubnets",
            "DescribeSecurityGroups",
            "DescribeNetworkAcls",
            "DescribeFlowLogs",
            "DescribeInstances",
            "DescribeVolumes",
            "DescribeSnapshots",
            "DescribeLockedSnapshots",
            "GetEbsEncryptionByDefault",
        }
    ),
    "cloudtrail": frozenset({"DescribeTrails", "GetTrailStatus", "GetEventSelectors"}),
    "kms": frozenset({"ListKeys", "DescribeKey", "GetKeyRotationStatus", "ListAliases"}),
    "s3": frozenset(
        {
            "ListBuckets",
            "GetBucketLocation",
            "GetBucketEncryption",
            "GetObjectLockConfiguration",
            "GetBucketReplication",
            "GetPublicAccessBlock",
            "GetBucketPolicyStatus",
        }
    ),
    # The account-level S3 Block Public Access.
    "s3control": frozenset({"GetPublicAccessBlock"}),
    "iam": frozenset(
        {
            "GetAccountAuthorizationDetails",
            "GetAccountSummary",
            "ListUsers",
            "ListAccessKeys",
            "GetAccessKeyLastUsed",
            "GenerateCredentialReport",
            "GetCredentialReport",
            "GetLoginProfile",
            "ListMFADevices",
            "GetAccountPasswordPolicy",
            "ListOrganizationsFeatures",
        }
    ),
    "backup": frozenset(
        {
            "ListBackupPlans",
            "GetBackupPlan",
            "ListBackupSelections",
            "GetBackupSelection",
            "ListBackupVaults",
            "ListProtectedResources",
        }
    ),
    "ssm": frozenset({"DescribeInstanceInformation"}),
    "rds": frozenset({"DescribeDBInstances", "DescribeDBClusters"}),
    "dynamodb": frozenset({"ListTables", "DescribeTable", "DescribeContinuousBackups"}),
    "efs": frozenset({"DescribeFileSystems"}),
    # Resource tags, read only when a backup selection assigns resources by tag.
    "resourcegroupstaggingapi": frozenset({"GetResources"}),
    "guardduty": frozenset({"ListDetectors", "GetDetector"}),
    "config": frozenset(
        {
            "DescribeConfigurationRecorders",
            "DescribeConfigurationRecorderStatus",
            "DescribeDeliveryChannels",
        }
    ),
}

# What `scan --org-role` sends from the management (or delegated administrator) account
# besides a scan's reads: the account list, then AssumeRole on the audit role in each
# member account (it creates no resource: it hands out that role's temporary keys).
ORGANIZATION_ALLOWED: Mapping[str, frozenset[str]] = {
    "organizations": frozenset({"ListAccounts"}),
    "sts": frozenset({"AssumeRole"}),
}
# Granted on the audit role's ARN only, not on every resource.
_ROLE_SCOPED = frozenset({("sts", "AssumeRole")})

# Operations whose names do not start with Describe/List/Get, and why each is a read.
_NOT_NAMED_AS_READS: Mapping[tuple[str, str], str] = {
    # Asks IAM to (re)build the account's credential report: no resource is created or
    # changed, IAM classifies the action as a read, and the report is the one batch call
    # giving every user's key age and last use (instead of two calls per user).
    ("iam", "GenerateCredentialReport"): "builds the read-only credential report",
}

READ_PREFIXES = ("Describe", "List", "Get")

# IAM action names that differ from the API operation name (S3's historic names).
_IAM_ACTION_OVERRIDES: Mapping[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}

# IAM action prefixes that differ from the boto3 service name.
_IAM_PREFIX: Mapping[str, str] = {
    "efs": "elasticfilesystem",
    "s3control": "s3",
    "resourcegroupstaggingapi": "tag",
}

# Needs no permission: every identity may call it (a Deny cannot stop it either).
_NO_PERMISSION_NEEDED = frozenset({("sts", "GetCallerIdentity")})


class MutationRefused(RuntimeError):
    """An operation outside the read allowlist was about to be sent; it was not."""

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        super().__init__(
            f"Refused {service}:{operation}: Audit Binder only sends the read calls of its "
            "allowlist (see `audit-binder policy`)."
        )


Allowlist = Mapping[str, frozenset[str]]


def is_allowed(service: str, operation: str, allowed: Allowlist = ALLOWED) -> bool:
    return operation in allowed.get(service, frozenset())


def justification(service: str, operation: str) -> str | None:
    """Why an allowlisted operation not named Describe/List/Get is still a read."""
    return _NOT_NAMED_AS_READS.get((service, operation))


GUARD_ID = "audit-binder-readonly-guard"


def guard_client(client: Any, allowed: Allowlist = ALLOWED) -> Any:
    """Hook `client` so every operation outside `allowed` raises before it is built or sent.

    `provide-client-params` is the first event botocore emits for an API call (also for
    each page of a paginator); nothing has been validated, serialised or sent yet.
    """

    def refuse_unlisted(model: Any, **_: Any) -> None:
        service = str(model.service_model.service_name)
        operation = str(model.name)
        if not is_allowed(service, operation, allowed):
            raise MutationRefused(service, operation)

    client.meta.events.register_first("provide-client-params", refuse_unlisted, unique_id=GUARD_ID)
    return client


def iam_action(service: str, operation: str) -> str:
    override = _IAM_ACTION_OVERRIDES.get((service, operation))
    if override:
        return override
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


def required_actions(allowed: Allowlist = ALLOWED) -> list[str]:
    """Every IAM action an allowlist needs, sorted, without duplicates."""
    actions = {
        iam_action(service, operation)
        for service, operations in allowed.items()
        for operation in operations
        if (service, operation) not in _NO_PERMISSION_NEEDED
    }
    return sorted(actions)


def policy_document(audit_role_arn: str | None = None) -> dict[str, Any]:
    """The least-privilege IAM policy for a scan: exactly the allowlist's actions.

    With `audit_role_arn` (a pattern such as `arn:aws:iam::*:role/NAME`), the policy of
    the management account for `scan --org-role`: the scan's reads, the organization's
    account list, and AssumeRole on that role only."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AuditBinderReadOnlyScan",
            "Effect": "Allow",
            "Action": required_actions(),
            # The read calls a scan makes are account-wide listings; most of them
            # do not support resource-level restriction.
            "Resource": "*",
        }
    ]
    if audit_role_arn is not None:
        on_role = sorted(iam_action(service, operation) for service, operation in _ROLE_SCOPED)
        listing = [a for a in required_actions(ORGANIZATION_ALLOWED) if a not in on_role]
        statements += [
            {
                "Sid": "AuditBinderListMemberAccounts",
                "Effect": "Allow",
                "Action": listing,
                "Resource": "*",
            },
            {
                "Sid": "AuditBinderAssumeAuditRole",
                "Effect": "Allow",
                "Action": on_role,
                "Resource": audit_role_arn,
            },
        ]
    return {"Version": "2012-10-17", "Statement": statements}
