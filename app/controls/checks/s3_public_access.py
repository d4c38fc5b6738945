"""s3-public-access: S3 Block Public Access is on for the account (all four settings), and
each bucket is covered by it or has all four on itself; a bucket whose policy S3 reports
as public fails whatever blocks it.

The account row is judged on `s3control:GetPublicAccessBlock`; each bucket row on the
account's block, the bucket's own (`s3:GetPublicAccessBlock`) and its policy status
(`s3:GetBucketPolicyStatus`, no policy: not public).
"""

from __future__ import annotations

from app.aws.fetched import Fetched
from app.aws.inventory.model import BucketPublicAccess, Inventory, PublicAccessBlock
from app.controls.checks.encryption import bucket_region
from app.controls.checks.rows import Rows
from app.controls.checks.settings import CheckSettings
from app.controls.results import CheckResult, Status
from app.evidence import Evidence

CONTROL = "s3-public-access"
ACCOUNT_CHECK = "s3-account-public-access-block"
BUCKET_CHECK = "s3-bucket-public-access"


def check(inventory: Inventory, settings: CheckSettings) -> list[CheckResult]:
    account = Rows(CONTROL, ACCOUNT_CHECK, inventory, settings.now)
    buckets = Rows(CONTROL, BUCKET_CHECK, inventory, settings.now)
    return [_account_row(account), *_bucket_rows(buckets)]


def _verdict(block: PublicAccessBlock | None, whose: str) -> tuple[Status, str]:
    """PASS when all four settings are on; FAIL naming those off; ERROR when unsaid."""
    if block is None:
        return Status.FAIL, f"{whose} has no Block Public Access configuration"
    settings = block.settings()
    off = [name for name, value in settings.items() if value is False]
    if off:
        return Status.FAIL, f"{whose} Block Public Access leaves off {', '.join(off)}"
    unsaid = [name for name, value in settings.items() if value is None]
    if unsaid:
        return Status.ERROR, f"the answer for {whose} does not say {', '.join(unsaid)}"
    return Status.PASS, f"{whose} Block Public Access has all four settings on"


def _block_evidence(rows: Rows, fetched: Fetched[PublicAccessBlock | None]) -> Evidence:
    value = fetched.value
    return rows.evidence(fetched, dict(value.raw) if value is not None else None)


def _account_row(rows: Rows) -> CheckResult:
    account = rows.inventory.account_id
    fetched = rows.inventory.s3.account_public_access
    if not fetched.ok:
        return rows.error("global", account, "the account's S3 Block Public Access", fetched)
    status, detail = _verdict(fetched.value, "the account")
    return rows.row("global", account, status, detail, (_block_evidence(rows, fetched),))


def _bucket_rows(rows: Rows) -> list[CheckResult]:
    listing = rows.inventory.s3.bucket_public_access
    return rows.per_bucket(listing, lambda bucket: _bucket_row(rows, bucket))


def _bucket_row(rows: Rows, bucket: BucketPublicAccess) -> CheckResult:
    region = bucket_region(bucket)
    arn = bucket.arn(rows.inventory.partition)
    policy = bucket.policy_status
    if not policy.ok:
        return rows.error(region, arn, f"the policy status of {bucket.name}", policy)
    status_value = policy.value
    evidence = [rows.evidence(policy, dict(status_value.raw) if status_value else None)]
    if status_value is not None and status_value.is_public is None:
        detail = f"the policy status of {bucket.name} does not say IsPublic"
        return rows.row(region, arn, Status.ERROR, detail, evidence)
    if status_value is not None and status_value.is_public:
        detail = f"{bucket.name}: S3 reports its bucket policy as public"
        return rows.row(region, arn, Status.FAIL, detail, evidence)
    account = rows.inventory.s3.account_public_access
    if account.ok and account.value is not None and account.value.all_on:
        evidence.append(_block_evidence(rows, account))
        detail = f"{bucket.name} is covered by the account's Block Public Access (all four on)"
        return rows.row(region, arn, Status.PASS, detail, evidence)
    own = bucket.block
    if not own.ok:
        return rows.error(region, arn, f"the Block Public Access of {bucket.name}", own)
    evidence.append(_block_evidence(rows, own))
    status, words = _verdict(own.value, bucket.name)
    if status is Status.PASS:
        return rows.row(region, arn, status, words, evidence)
    if not account.ok:
        detail = f"{words}; whether the account's block covers it could not be read"
        return rows.row(region, arn, Status.ERROR, f"{detail}: {account.error}", evidence)
    evidence.append(_block_evidence(rows, account))
    _, cover = _verdict(account.value, "the account")
    return rows.row(region, arn, status, f"{words}, and {cover}", evidence)
