"""IAM account settings, fetched once per scan: who can sign in to the console (and with
what MFA), the password policy, and whether the organization manages root centrally.

Console sign-in is read fresh, user by user (`GetLoginProfile`, then `ListMFADevices` for
the users with a password), rather than from the credential report, which IAM may hand
out up to four hours old: a password added since would otherwise go unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.aws.calls import convert, json_safe
from app.aws.fetched import Fetched
from app.aws.inventory.context import FetchContext, listing, utc
from app.aws.inventory.iam import iam_call
from app.aws.inventory.model import (
    ConsoleUser,
    LoginProfile,
    MfaDevice,
    OrganizationsFeatures,
    PasswordPolicy,
)

NO_SUCH_ENTITY = frozenset({"NoSuchEntity", "NoSuchEntityException"})
# Centralised root access needs an organization with all features and IAM trusted access;
# without them it is not available (the error names come with and without the suffix).
_NO_ROOT_ACCESS_FEATURES = frozenset(
    name + suffix
    for name in (
        "OrganizationNotFound",
        "OrganizationNotInAllFeaturesMode",
        "ServiceAccessNotEnabled",
    )
    for suffix in ("", "Exception")
)
NOT_ASKED = "Not asked: the user has no console password."


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _login_profile(response: Mapping[str, Any]) -> LoginProfile:
    item = response["LoginProfile"]
    return LoginProfile(
        create_date=utc(item.get("CreateDate")),
        password_reset_required=_optional_bool(item.get("PasswordResetRequired")),
        raw=json_safe(item),
    )


def _devices(response: Mapping[str, Any]) -> tuple[MfaDevice, ...]:
    return tuple(
        MfaDevice(
            serial_number=str(item["SerialNumber"]),
            enable_date=utc(item.get("EnableDate")),
            raw=json_safe(item),
        )
        for item in listing(response, "MFADevices")
    )


def console_users(ctx: FetchContext) -> Fetched[tuple[ConsoleUser, ...]]:
    """Every IAM user, whether it has a console password, and the MFA devices of those
    that have one; all users' profiles at once, then all console users' devices."""
    listed = iam_call(ctx, "ListUsers", paginate=True)
    users = convert(listed, lambda response: listing(response, "Users"))
    if not users.ok or users.value is None:
        return convert(users, lambda _: ())
    items: list[Mapping[str, Any]] = users.value
    try:
        names = [str(item["UserName"]) for item in items]
    except KeyError as exc:
        return Fetched(call=listed.call, error=f"Unexpected response from iam:ListUsers: {exc}")
    profiles: list[Fetched[LoginProfile | None]] = ctx.fan_out(
        lambda name: convert(
            iam_call(ctx, "GetLoginProfile", {"UserName": name}, absent_codes=NO_SUCH_ENTITY),
            _login_profile,
        ),
        names,
    )
    console = [i for i, profile in enumerate(profiles) if profile.ok and profile.value]
    devices = dict(
        zip(
            console,
            ctx.fan_out(
                lambda i: convert(
                    iam_call(ctx, "ListMFADevices", {"UserName": names[i]}, paginate=True),
                    _devices,
                ),
                console,
            ),
            strict=True,
        )
    )

    def build(_: Any) -> tuple[ConsoleUser, ...]:
        return tuple(
            ConsoleUser(
                name=names[i],
                arn=str(item["Arn"]),
                login_profile=profiles[i],
                mfa_devices=devices.get(i) or Fetched(call=profiles[i].call, error=NOT_ASKED),
                raw=json_safe(item),
            )
            for i, item in enumerate(items)
        )

    return convert(listed, build)


def _password_policy(response: Mapping[str, Any]) -> PasswordPolicy:
    item = response["PasswordPolicy"]
    return PasswordPolicy(
        minimum_length=_optional_int(item.get("MinimumPasswordLength")),
        reuse_prevention=_optional_int(item.get("PasswordReusePrevention")),
        require_symbols=_optional_bool(item.get("RequireSymbols")),
        require_numbers=_optional_bool(item.get("RequireNumbers")),
        require_uppercase=_optional_bool(item.get("RequireUppercaseCharacters")),
        require_lowercase=_optional_bool(item.get("RequireLowercaseCharacters")),
        max_age_days=_optional_int(item.get("MaxPasswordAge")),
        raw=json_safe(item),
    )


def password_policy(ctx: FetchContext) -> Fetched[PasswordPolicy | None]:
    fetched = iam_call(ctx, "GetAccountPasswordPolicy", absent_codes=NO_SUCH_ENTITY)
    return convert(fetched, _password_policy)


def _features(response: Mapping[str, Any]) -> OrganizationsFeatures:
    enabled = response.get("EnabledFeatures")
    return OrganizationsFeatures(
        organization_id=response.get("OrganizationId"),
        enabled=None if enabled is None else tuple(str(f) for f in enabled),
        raw=json_safe(response),
    )


def organizations_features(ctx: FetchContext) -> Fetched[OrganizationsFeatures | None]:
    """Only the management account and IAM's delegated administrator get an answer; a
    member account gets `AccountNotManagementOrDelegatedAdministrator` (an error here)."""
    fetched = iam_call(ctx, "ListOrganizationsFeatures", absent_codes=_NO_ROOT_ACCESS_FEATURES)
    return convert(fetched, _features)
