"""S3 inventory, fetched once per scan: buckets and, in each bucket's home region, their
encryption, Object Lock and replication (versioning is not read: no check needs it).
The bucket listing (with each bucket's region) is shared with the Block Public Access
part (`s3_public`).

`ListBuckets` is sent with a page size (`MaxBuckets`): AWS includes each bucket's
`BucketRegion` only when the request carries a parameter, and pages with a
`ContinuationToken` then. Where the answer still has no `BucketRegion` (older endpoints,
moto) `GetBucketLocation` runs for those buckets, all at once. Then the three detail
calls run for all buckets at once, each through a client of the bucket's own region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.aws.calls import convert, json_safe, utc_now
from app.aws.fetched import Call, Fetched
from app.aws.inventory.context import GLOBAL, FetchContext, listing, utc
from app.aws.inventory.model import (
    Bucket,
    BucketEncryption,
    EncryptionRule,
    ObjectLock,
    Replication,
    ReplicationRule,
    Versioning,
)

# "No such configuration" answers: the sub-fetch is ok with value None.
ABSENT = {
    "GetBucketEncryption": frozenset({"ServerSideEncryptionConfigurationNotFoundError"}),
    "GetObjectLockConfiguration": frozenset({"ObjectLockConfigurationNotFoundError"}),
    "GetBucketReplication": frozenset({"ReplicationConfigurationNotFoundError"}),
}


# The largest page AWS allows: an account has at most 10,000 buckets by default, so one
# request usually lists them all (moto ignores pagination and truncates to this size).
LIST_BUCKETS_PAGE = 10_000


def _location(response: Mapping[str, Any]) -> str:
    constraint = response.get("LocationConstraint") or "us-east-1"
    # The API's legacy names for two regions.
    return {"EU": "eu-west-1"}.get(str(constraint), str(constraint))


def _encryption(response: Mapping[str, Any]) -> BucketEncryption:
    config = response["ServerSideEncryptionConfiguration"]
    rules = []
    for rule in config.get("Rules", []):
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        rules.append(
            EncryptionRule(
                sse_algorithm=None if algorithm is None else str(algorithm),
                kms_master_key_id=default.get("KMSMasterKeyID"),
                bucket_key_enabled=bool(rule.get("BucketKeyEnabled", False)),
            )
        )
    return BucketEncryption(rules=tuple(rules), raw=json_safe(config))


def _object_lock(response: Mapping[str, Any]) -> ObjectLock:
    config = response.get("ObjectLockConfiguration") or {}
    retention = (config.get("Rule") or {}).get("DefaultRetention") or {}
    return ObjectLock(
        enabled=config.get("ObjectLockEnabled") == "Enabled",
        mode=retention.get("Mode"),
        days=None if retention.get("Days") is None else int(retention["Days"]),
        years=None if retention.get("Years") is None else int(retention["Years"]),
        raw=json_safe(config),
    )


def _replication_only(rule: Mapping[str, Any]) -> str | None:
    """What a rule is limited to, in words; None when it covers the whole bucket.

    A V2 rule scopes by `Filter` (`Prefix`, `Tag`, or `And` of a prefix and tags; an
    empty filter or prefix means every object); a V1 rule by its top-level `Prefix`.
    """
    if "Filter" in rule:
        scope = rule.get("Filter") or {}
        both = scope.get("And") or {}
        prefix = scope.get("Prefix") or both.get("Prefix") or ""
        tags = [scope["Tag"]] if scope.get("Tag") else list(both.get("Tags") or [])
    else:
        prefix, tags = rule.get("Prefix") or "", []
    parts = [f"prefix {prefix}"] if prefix else []
    parts += [f"tag {t.get('Key', '?')}={t.get('Value', '')}" for t in tags]
    return " and ".join(parts) or None


def _replication(response: Mapping[str, Any]) -> Replication:
    config = response["ReplicationConfiguration"]
    return Replication(
        role=str(config.get("Role", "")),
        rules=tuple(
            ReplicationRule(
                rule_id=str(rule.get("ID", "")),
                status=str(rule.get("Status", "")),
                destination_bucket_arn=str((rule.get("Destination") or {}).get("Bucket", "")),
                destination_account=(rule.get("Destination") or {}).get("Account"),
                only=_replication_only(rule),
                scope_stated="Filter" in rule or "Prefix" in rule,
                priority=None if rule.get("Priority") is None else int(rule["Priority"]),
            )
            for rule in config.get("Rules", [])
        ),
        raw=json_safe(config),
    )


def _versioning_not_read(region: Fetched[str], name: str) -> Fetched[Versioning]:
    # No check reads versioning yet, so the scan does not ask (one call per bucket saved,
    # one permission fewer); a check that starts reading it gets ERROR rows, not PASS.
    call = Call("s3", "GetBucketVersioning", region.value or GLOBAL, {"Bucket": name}, utc_now())
    return Fetched(call=call, error="Not collected: no check of this version reads it.")


BUILDERS: Mapping[str, Any] = {
    "GetBucketEncryption": _encryption,
    "GetObjectLockConfiguration": _object_lock,
    "GetBucketReplication": _replication,
}


Listing = tuple[Fetched[dict[str, Any]], list[Mapping[str, Any]], list[Fetched[str]]]


def list_buckets(ctx: FetchContext) -> Listing:
    """`ListBuckets` (all pages), its bucket items and each bucket's region, once per scan
    (the bucket parts share it). When the listing cannot be used, the first value carries
    the error and there are no items."""
    return ctx.once("s3:ListBuckets", lambda: _list_buckets(ctx))


def _list_buckets(ctx: FetchContext) -> Listing:
    listed = ctx.call(
        "s3",
        ctx.global_region,
        "ListBuckets",
        {"MaxBuckets": LIST_BUCKETS_PAGE},
        paginate=True,
        evidence_region=GLOBAL,
    )
    names = convert(listed, lambda response: [b["Name"] for b in listing(response, "Buckets")])
    if not names.ok or listed.value is None:
        return Fetched(call=listed.call, error=names.error), [], []
    items: list[Mapping[str, Any]] = listing(listed.value, "Buckets")

    def region_of(item: Mapping[str, Any]) -> Fetched[str]:
        if item.get("BucketRegion"):
            return Fetched(call=listed.call, value=str(item["BucketRegion"]))
        fetched = ctx.call(
            "s3",
            ctx.global_region,
            "GetBucketLocation",
            {"Bucket": item["Name"]},
            evidence_region=GLOBAL,
        )
        return convert(fetched, _location)

    return listed, items, ctx.fan_out(region_of, items)


def bucket_call(
    ctx: FetchContext,
    region: Fetched[str],
    name: str,
    operation: str,
    build: Callable[[Any], Any],
    absent_codes: frozenset[str] = frozenset(),
) -> Fetched[Any]:
    """One per-bucket call, sent to the bucket's own region (an error when that is unknown)."""
    if not region.ok or region.value is None:
        return Fetched(
            call=region.call, error=f"The region of bucket {name} is unknown: {region.error}"
        )
    fetched = ctx.call("s3", region.value, operation, {"Bucket": name}, absent_codes=absent_codes)
    return convert(fetched, build)


def buckets(ctx: FetchContext) -> Fetched[tuple[Bucket, ...]]:
    listed, items, regions = list_buckets(ctx)
    if not listed.ok:
        return convert(listed, lambda response: ())

    def detail(job: tuple[int, str]) -> Fetched[Any]:
        index, operation = job
        name = str(items[index]["Name"])
        return bucket_call(
            ctx, regions[index], name, operation, BUILDERS[operation], ABSENT[operation]
        )

    jobs = [(i, op) for i in range(len(items)) for op in BUILDERS]
    done = dict(zip(jobs, ctx.fan_out(detail, jobs), strict=True))

    def build(_: Any) -> tuple[Bucket, ...]:
        return tuple(
            Bucket(
                name=str(item["Name"]),
                region=regions[i],
                encryption=done[(i, "GetBucketEncryption")],
                object_lock=done[(i, "GetObjectLockConfiguration")],
                replication=done[(i, "GetBucketReplication")],
                versioning=_versioning_not_read(regions[i], str(item["Name"])),
                creation_date=utc(item.get("CreationDate")),
                raw=json_safe(item),
            )
            for i, item in enumerate(items)
        )

    return convert(listed, build)
