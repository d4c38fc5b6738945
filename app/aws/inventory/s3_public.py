"""S3 Block Public Access: the account's block (S3 Control), and per bucket its own block
and whether its policy is public.

The bucket part shares the scan's bucket listing with the `s3.buckets` part (whichever
runs first lists them; see `FetchContext.once`), so a scan of this control alone lists
the buckets itself and a full scan lists them once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import GLOBAL, FetchContext
from app.aws.inventory.model import (
    BucketPublicAccess,
    PolicyStatus,
    PublicAccessBlock,
)
from app.aws.inventory.model_security import BLOCK_SETTINGS
from app.aws.inventory.s3 import bucket_call, list_buckets

NO_BLOCK = frozenset({"NoSuchPublicAccessBlockConfiguration"})
NO_POLICY = frozenset({"NoSuchBucketPolicy"})


def _block(response: Mapping[str, Any]) -> PublicAccessBlock:
    config = response["PublicAccessBlockConfiguration"]

    def setting(name: str) -> bool | None:
        value = config.get(name)
        return None if value is None else bool(value)

    return PublicAccessBlock(
        **{attribute: setting(name) for name, attribute in BLOCK_SETTINGS},
        raw=json_safe(config),
    )


def _policy_status(response: Mapping[str, Any]) -> PolicyStatus:
    status = response["PolicyStatus"]
    public = status.get("IsPublic")
    return PolicyStatus(is_public=None if public is None else bool(public), raw=json_safe(status))


def account_block(ctx: FetchContext) -> Fetched[PublicAccessBlock | None]:
    fetched = ctx.call(
        "s3control",
        ctx.global_region,
        "GetPublicAccessBlock",
        {"AccountId": ctx.account_id},
        evidence_region=GLOBAL,
        absent_codes=NO_BLOCK,
    )
    return convert(fetched, _block)


def bucket_public_access(ctx: FetchContext) -> Fetched[tuple[BucketPublicAccess, ...]]:
    listed, items, regions = list_buckets(ctx)
    if not listed.ok:
        return convert(listed, lambda response: ())
    names = [str(item["Name"]) for item in items]
    calls = (
        ("GetPublicAccessBlock", _block, NO_BLOCK),
        ("GetBucketPolicyStatus", _policy_status, NO_POLICY),
    )
    jobs = [(i, call) for i in range(len(items)) for call in calls]
    done = ctx.fan_out(lambda job: bucket_call(ctx, regions[job[0]], names[job[0]], *job[1]), jobs)
    by_job = {(i, call[0]): fetched for (i, call), fetched in zip(jobs, done, strict=True)}
    return convert(
        listed,
        lambda _: tuple(
            BucketPublicAccess(
                name=name,
                region=regions[i],
                block=by_job[(i, "GetPublicAccessBlock")],
                policy_status=by_job[(i, "GetBucketPolicyStatus")],
            )
            for i, name in enumerate(names)
        ),
    )
