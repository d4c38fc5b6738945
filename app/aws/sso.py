"""IAM Identity Center sign-in: the device authorization flow, accounts and roles.

botocore can read and refresh an SSO token but cannot obtain one; this module runs
the OAuth device flow with the real `sso-oidc` client (unsigned; made and registered
by `sso_clients`), writes the token where the AWS CLI does (`sso_cache`), then lists
the accounts and roles the user may pick. Everything is plain and blocking, meant for a
worker thread: the code is handed to a callback, `cancel` (a `threading.Event`) stops
the wait promptly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions

from app.aws.login_errors import (
    AccessDeniedError,
    AuthorizationExpiredError,
    ProfileConfigError,
    SignInCancelled,
)
from app.aws.network import TRANSPORT_ERRORS
from app.aws.profiles import AwsConfig, ProfileKind, get_profile, load_config
from app.aws.sso_cache import Registration, SsoTarget, SsoToken, utc_now, write_token
from app.aws.sso_clients import (
    DEFAULT_SCOPES,
    SsoClients,
    make_clients,
    registration_for,
    sso_sign_in_required,
    start_refused,
    token_from_response,
    translate,
)

log = logging.getLogger(__name__)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def target_for_profile(profile_name: str, config: AwsConfig | None = None) -> SsoTarget:
    """The sso-session (or legacy start URL) behind an SSO profile."""
    config = config or load_config()
    profile = get_profile(profile_name, config)
    if profile.kind is ProfileKind.LOGIN:
        raise ProfileConfigError(
            profile_name,
            "it is an `aws login` profile, not an IAM Identity Center (SSO) one: "
            f"run `aws login --profile {profile_name}`",
        )
    if profile.kind is not ProfileKind.SSO:
        raise ProfileConfigError(
            profile_name,
            f"it is a {profile.kind.value} profile, not an IAM Identity Center (SSO) one",
        )
    if profile.problem or not profile.sso_start_url or not profile.sso_region:
        raise ProfileConfigError(profile_name, profile.problem or "missing sso settings")
    scopes: tuple[str, ...] = ()
    if profile.sso_session is not None:
        raw = config.sso_sessions.get(profile.sso_session, {}).get("sso_registration_scopes")
        scopes = tuple(s.strip() for s in str(raw or "").split(",") if s.strip())
        # A refresh token needs sso:account:access; `aws configure sso` writes it too.
        scopes = scopes or DEFAULT_SCOPES
    return SsoTarget(
        start_url=profile.sso_start_url,
        region=profile.sso_region,
        session_name=profile.sso_session,
        scopes=scopes,
        profile=profile_name,
    )


@dataclass(frozen=True)
class DeviceCode:
    """What the user needs: the code to confirm and the page to confirm it on."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: datetime


@dataclass(frozen=True)
class PollTiming:
    """Polling cadence. `interval` None: the server's (RFC 8628 default 5 s)."""

    interval: float | None = None
    slow_down_increment: float = 5.0  # RFC 8628 section 3.5


def device_login(
    target: SsoTarget,
    on_code: Callable[[DeviceCode], None],
    *,
    cancel: threading.Event | None = None,
    clients: SsoClients | None = None,
    timing: PollTiming | None = None,
    wait: Callable[[float], bool] | None = None,
    now: Callable[[], datetime] = utc_now,
    cache_dir: Path | None = None,
    write_cache: bool = True,
) -> SsoToken:
    """Run the device flow to a token; write it to the shared cache unless told not to.

    `wait(seconds) -> cancelled` defaults to `cancel.wait`; tests inject one that
    records the intervals without sleeping.
    """
    cancel = cancel or threading.Event()
    wait = wait or cancel.wait
    timing = timing or PollTiming()
    clients = clients or make_clients(target)
    registration = registration_for(clients, target, cache_dir=cache_dir, now=now)
    _check(cancel)
    try:
        started = clients.oidc.start_device_authorization(
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            startUrl=target.start_url,
        )
    except (*TRANSPORT_ERRORS, botocore.exceptions.ClientError) as exc:
        raise start_refused(target, exc) or translate("the device authorization", exc) from exc
    code = DeviceCode(
        user_code=started["userCode"],
        verification_uri=started["verificationUri"],
        verification_uri_complete=started.get("verificationUriComplete")
        or started["verificationUri"],
        expires_at=now() + timedelta(seconds=started["expiresIn"]),
    )
    on_code(code)
    interval = timing.interval if timing.interval is not None else started.get("interval", 5)
    token = _poll(
        clients,
        target,
        registration,
        started["deviceCode"],
        code,
        interval,
        timing,
        cancel,
        wait,
        now,
    )
    if write_cache:
        write_token(target, token, cache_dir)
    return token


def _poll(
    clients: SsoClients,
    target: SsoTarget,
    registration: Registration,
    device_code: str,
    code: DeviceCode,
    interval: float,
    timing: PollTiming,
    cancel: threading.Event,
    wait: Callable[[float], bool],
    now: Callable[[], datetime],
) -> SsoToken:
    oidc = clients.oidc
    # Ask once right away (the user may have approved already), then every interval.
    while True:
        if cancel.is_set():
            raise SignInCancelled()
        if now() >= code.expires_at:
            raise AuthorizationExpiredError()
        try:
            response = oidc.create_token(
                grantType=DEVICE_GRANT,
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                deviceCode=device_code,
            )
            return token_from_response(target, registration, response, now())
        except oidc.exceptions.AuthorizationPendingException:
            pass
        except oidc.exceptions.SlowDownException:
            interval += timing.slow_down_increment
            log.info("sso-oidc asked to slow down; polling every %.0f s", interval)
        except oidc.exceptions.ExpiredTokenException as exc:
            raise AuthorizationExpiredError() from exc
        except oidc.exceptions.AccessDeniedException as exc:
            raise AccessDeniedError("The sign-in request was denied in the browser.") from exc
        except (*TRANSPORT_ERRORS, botocore.exceptions.ClientError) as exc:
            raise translate("the token request", exc) from exc
        if wait(interval):
            raise SignInCancelled()


def _check(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise SignInCancelled()


@dataclass(frozen=True)
class SsoAccount:
    account_id: str
    name: str
    email: str


@dataclass(frozen=True)
class SsoRole:
    account_id: str
    role_name: str


def list_accounts(
    token: SsoToken, target: SsoTarget, *, clients: SsoClients | None = None
) -> list[SsoAccount]:
    """The accounts the signed-in user may enter (every page), sorted by name."""
    clients = clients or make_clients(target)
    pages = clients.portal.get_paginator("list_accounts").paginate(accessToken=token.access_token)
    items = _portal_pages(target, "the account list", lambda: [p for p in pages])
    accounts = [
        SsoAccount(a["accountId"], a.get("accountName", ""), a.get("emailAddress", ""))
        for page in items
        for a in page.get("accountList", [])
    ]
    return sorted(accounts, key=lambda a: (a.name.lower(), a.account_id))


def list_account_roles(
    token: SsoToken, target: SsoTarget, account_id: str, *, clients: SsoClients | None = None
) -> list[SsoRole]:
    """The roles the user may assume in one account (every page), sorted."""
    clients = clients or make_clients(target)
    pages = clients.portal.get_paginator("list_account_roles").paginate(
        accessToken=token.access_token, accountId=account_id
    )
    items = _portal_pages(target, "the role list", lambda: [p for p in pages])
    roles = [
        SsoRole(r.get("accountId", account_id), r["roleName"])
        for page in items
        for r in page.get("roleList", [])
    ]
    return sorted(roles, key=lambda r: r.role_name.lower())


def _portal_pages(target: SsoTarget, what: str, fetch: Callable[[], list[Any]]) -> list[Any]:
    try:
        return fetch()
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("UnauthorizedException", "ForbiddenException"):
            raise sso_sign_in_required(target, "the IAM Identity Center token has expired") from exc
        raise translate(what, exc) from exc
    except TRANSPORT_ERRORS as exc:
        raise translate(what, exc) from exc
