"""IAM inventory, fetched once per scan: authorization details, keys, summary, report.

`GetAccountAuthorizationDetails` is the batch call for every user, group, role and
policy with their documents. Access keys have no batch call: while it runs,
`ListUsers` then `ListAccessKeys` for all users at once, then `GetAccessKeyLastUsed`
for all keys at once.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Mapping
from typing import Any

from app.aws.calls import ScanCancelled, convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import GLOBAL, FetchContext, listing, utc
from app.aws.inventory.model import (
    AccessKey,
    AccessKeyLastUsed,
    AttachedPolicy,
    AuthorizationDetails,
    CredentialReportRow,
    IamGroup,
    IamInventory,
    IamRole,
    IamUser,
    InlinePolicy,
    ManagedPolicy,
)

REPORT_WAIT_S = 60.0


def iam_call(
    ctx: FetchContext,
    operation: str,
    params: Mapping[str, Any] | None = None,
    *,
    paginate: bool = False,
    absent_codes: frozenset[str] = frozenset(),
) -> Fetched[dict[str, Any]]:
    """One IAM call (a global service: sent to the partition's main region)."""
    return ctx.call(
        "iam",
        ctx.global_region,
        operation,
        params,
        paginate=paginate,
        evidence_region=GLOBAL,
        absent_codes=absent_codes,
    )


def _inline(items: Any) -> tuple[InlinePolicy, ...]:
    return tuple(
        InlinePolicy(name=str(p["PolicyName"]), document=p.get("PolicyDocument") or {})
        for p in items or []
    )


def _attached(items: Any) -> tuple[AttachedPolicy, ...]:
    return tuple(
        AttachedPolicy(name=str(p.get("PolicyName", "")), arn=str(p["PolicyArn"]))
        for p in items or []
    )


def _boundary(item: Mapping[str, Any]) -> str | None:
    boundary = item.get("PermissionsBoundary") or {}
    arn = boundary.get("PermissionsBoundaryArn")
    return None if arn is None else str(arn)


def _last_used(response: Mapping[str, Any]) -> AccessKeyLastUsed:
    item = response.get("AccessKeyLastUsed") or {}
    return AccessKeyLastUsed(
        last_used=utc(item.get("LastUsedDate")),
        service_name=str(item.get("ServiceName", "")),
        region=str(item.get("Region", "")),
        raw=json_safe(item),
    )


def _access_keys(ctx: FetchContext, user_names: list[str]) -> dict[str, Fetched[Any]]:
    listed = ctx.fan_out(
        lambda name: iam_call(ctx, "ListAccessKeys", {"UserName": name}, paginate=True), user_names
    )
    key_items = [
        (name, item)
        for name, fetched in zip(user_names, listed, strict=True)
        if fetched.ok and fetched.value is not None
        for item in fetched.value.get("AccessKeyMetadata") or []
    ]
    last_used = ctx.fan_out(
        lambda pair: convert(
            iam_call(ctx, "GetAccessKeyLastUsed", {"AccessKeyId": pair[1]["AccessKeyId"]}),
            _last_used,
        ),
        key_items,
    )
    keys_by_user: dict[str, list[AccessKey]] = {name: [] for name in user_names}
    for (name, item), used in zip(key_items, last_used, strict=True):
        keys_by_user[name].append(
            AccessKey(
                access_key_id=str(item["AccessKeyId"]),
                status=str(item.get("Status", "")),
                create_date=utc(item.get("CreateDate")),
                last_used=used,
                raw=json_safe(item),
            )
        )

    def keys_of(name: str) -> Callable[[Any], tuple[AccessKey, ...]]:
        return lambda _: tuple(keys_by_user[name])

    return {
        name: convert(fetched, keys_of(name))
        for name, fetched in zip(user_names, listed, strict=True)
    }


def _policy(item: Mapping[str, Any]) -> ManagedPolicy:
    arn = str(item["Arn"])
    default_version = str(item.get("DefaultVersionId", ""))
    document = None
    for version in item.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion") or version.get("VersionId") == default_version:
            document = version.get("Document")
            break
    return ManagedPolicy(
        # moto omits PolicyName: the ARN ends with it.
        name=str(item.get("PolicyName") or arn.rsplit("/", 1)[-1]),
        arn=arn,
        path=str(item.get("Path", "/")),
        default_version_id=default_version,
        default_document=document,
        attachment_count=int(item.get("AttachmentCount", 0) or 0),
        raw=json_safe(item),
    )


def _keys_for(
    ctx: FetchContext, listed_users: Fetched[dict[str, Any]], wanted: list[str]
) -> dict[str, Fetched[Any]]:
    """Each wanted user's keys; a user missing from `ListUsers` (created meanwhile) or a
    failed listing gives that user an error, never "no keys"."""
    if not listed_users.ok or listed_users.value is None:
        return {name: Fetched(call=listed_users.call, error=listed_users.error) for name in wanted}
    known = [str(u["UserName"]) for u in listed_users.value.get("Users", [])]
    keys = _access_keys(ctx, known)
    missing = f"the user was not in the {listed_users.call.operation} answer (created meanwhile?)"
    return {
        name: keys.get(name) or Fetched(call=listed_users.call, error=missing) for name in wanted
    }


def authorization(ctx: FetchContext) -> Fetched[AuthorizationDetails]:
    # The batch call is often the slowest of a scan (many pages): list users and walk
    # their keys meanwhile, so the key calls are not chained behind it.
    pending = ctx.leaf_pool.submit(iam_call, ctx, "GetAccountAuthorizationDetails", paginate=True)
    users = iam_call(ctx, "ListUsers", paginate=True)
    listed = pending.result()
    user_list = convert(listed, lambda response: listing(response, "UserDetailList"))
    if not user_list.ok or listed.value is None or user_list.value is None:
        return convert(user_list, lambda response: AuthorizationDetails())
    response = listed.value
    user_items: list[Mapping[str, Any]] = user_list.value
    keys = _keys_for(ctx, users, [str(u["UserName"]) for u in user_items])

    def build(_: Any) -> AuthorizationDetails:
        users = tuple(
            IamUser(
                name=str(u["UserName"]),
                user_id=str(u.get("UserId", "")),
                arn=str(u["Arn"]),
                path=str(u.get("Path", "/")),
                access_keys=keys[str(u["UserName"])],
                create_date=utc(u.get("CreateDate")),
                group_names=tuple(str(g) for g in listing(u, "GroupList")),
                inline_policies=_inline(listing(u, "UserPolicyList")),
                attached_policies=_attached(listing(u, "AttachedManagedPolicies")),
                permissions_boundary_arn=_boundary(u),
                raw=json_safe(u),
            )
            for u in user_items
        )
        groups = tuple(
            IamGroup(
                name=str(g["GroupName"]),
                group_id=str(g.get("GroupId", "")),
                arn=str(g["Arn"]),
                path=str(g.get("Path", "/")),
                inline_policies=_inline(listing(g, "GroupPolicyList")),
                attached_policies=_attached(listing(g, "AttachedManagedPolicies")),
                raw=json_safe(g),
            )
            for g in listing(response, "GroupDetailList")
        )
        roles = tuple(
            IamRole(
                name=str(r["RoleName"]),
                role_id=str(r.get("RoleId", "")),
                arn=str(r["Arn"]),
                path=str(r.get("Path", "/")),
                inline_policies=_inline(listing(r, "RolePolicyList")),
                attached_policies=_attached(listing(r, "AttachedManagedPolicies")),
                assume_role_policy=r.get("AssumeRolePolicyDocument"),
                last_used=utc((r.get("RoleLastUsed") or {}).get("LastUsedDate")),
                permissions_boundary_arn=_boundary(r),
                raw=json_safe(r),
            )
            for r in listing(response, "RoleDetailList")
        )
        policies = tuple(_policy(p) for p in listing(response, "Policies"))
        return AuthorizationDetails(users=users, groups=groups, roles=roles, policies=policies)

    return convert(listed, build)


def account_summary(ctx: FetchContext) -> Fetched[Mapping[str, int]]:
    return convert(
        iam_call(ctx, "GetAccountSummary"),
        lambda response: {str(k): int(v) for k, v in response["SummaryMap"].items()},
    )


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


# Columns whose absence must not read as "off" or "never used" (see CredentialReportRow).
STATED_COLUMNS = (
    "mfa_active",
    "password_last_used",
    "access_key_1_last_used_date",
    "access_key_2_last_used_date",
)


def _report_rows(response: Mapping[str, Any]) -> tuple[CredentialReportRow, ...]:
    content = response["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        missing = tuple(c for c in STATED_COLUMNS if row.get(c) is None)
        rows.append(
            CredentialReportRow(
                user=row["user"],
                arn=row.get("arn", ""),
                mfa_active=None if "mfa_active" in missing else _flag(row["mfa_active"]),
                password_last_used=utc(row.get("password_last_used")),
                access_key_1_active=_flag(row.get("access_key_1_active", "")),
                access_key_1_last_rotated=utc(row.get("access_key_1_last_rotated")),
                access_key_1_last_used=utc(row.get("access_key_1_last_used_date")),
                access_key_2_active=_flag(row.get("access_key_2_active", "")),
                access_key_2_last_rotated=utc(row.get("access_key_2_last_rotated")),
                access_key_2_last_used=utc(row.get("access_key_2_last_used_date")),
                missing=missing,
                raw=dict(row),
            )
        )
    return tuple(rows)


def credential_report(ctx: FetchContext) -> Fetched[tuple[CredentialReportRow, ...]]:
    """Generate (IAM builds it asynchronously; poll until COMPLETE), then read it."""
    deadline = time.monotonic() + REPORT_WAIT_S
    pause = 0.25  # IAM usually finishes within seconds: poll soon, then back off
    while True:
        generated = iam_call(ctx, "GenerateCredentialReport")
        if not generated.ok or generated.value is None:
            return convert(generated, lambda response: ())
        if generated.value.get("State") == "COMPLETE":
            break
        if time.monotonic() > deadline:
            return Fetched(
                call=generated.call,
                error=f"IAM did not finish the credential report within {REPORT_WAIT_S:.0f} s.",
            )
        if ctx.cancel.wait(pause):
            raise ScanCancelled()
        pause = min(pause * 2, 2.0)
    return convert(iam_call(ctx, "GetCredentialReport"), _report_rows)


def iam_inventory_parts() -> dict[str, Any]:
    """Field name of `IamInventory` → fetcher, for the collector."""
    return {
        "authorization": authorization,
        "account_summary": account_summary,
        "credential_report": credential_report,
    }


__all__ = ["IamInventory", "account_summary", "authorization", "credential_report"]
