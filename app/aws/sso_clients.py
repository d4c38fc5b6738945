"""The two unsigned IAM Identity Center clients every sign-in flow shares (sso-oidc for
tokens, sso for the portal), the sso-oidc client registration they start with (the AWS
CLI's cached one when it is still good), the token a `CreateToken` answer makes, and
how their errors read. The flows: `sso` (device code), `sso_pkce` (browser), and
`sso_session` (role credentials).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.config import Config

from app.aws import clients as aws_clients
from app.aws.login_errors import OfflineError, SignInError, SignInRequired
from app.aws.network import TRANSPORT_ERRORS
from app.aws.sso_cache import Registration, SsoTarget, SsoToken, utc_now
from app.aws.sso_registration import AUTH_CODE_GRANT, read_registration, write_registration

if TYPE_CHECKING:
    from mypy_boto3_sso.client import SSOClient
    from mypy_boto3_sso_oidc.client import SSOOIDCClient

log = logging.getLogger(__name__)

DEFAULT_SCOPES = ("sso:account:access",)
CLIENT_NAME = "audit-binder"


@dataclass(frozen=True)
class SsoClients:
    """The two unsigned clients of a sign-in: sso-oidc (tokens) and sso (portal)."""

    oidc: SSOOIDCClient
    portal: SSOClient


def make_clients(target: SsoTarget) -> SsoClients:
    """Unsigned clients in the target's region; the profile's endpoint config applies."""
    session = boto3.session.Session(profile_name=target.profile) if target.profile else None
    session = session or boto3.session.Session()
    config = Config(
        signature_version=UNSIGNED,
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=aws_clients.CONNECT_TIMEOUT_S,
        read_timeout=aws_clients.READ_TIMEOUT_S,
    )
    return SsoClients(
        oidc=session.client("sso-oidc", region_name=target.region, config=config),
        portal=session.client("sso", region_name=target.region, config=config),
    )


def translate(what: str, exc: Exception) -> SignInError:
    """A transport or service error of an sso / sso-oidc call, as a typed error."""
    if isinstance(exc, TRANSPORT_ERRORS):
        return OfflineError.from_exception(exc)
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Unknown")
        detail = error.get("Message") or ""
        return SignInError(f"IAM Identity Center refused {what}: {code} {detail}".strip())
    return SignInError(f"IAM Identity Center: {what} failed: {exc}")


def start_refused(target: SsoTarget, exc: Exception) -> SignInError | None:
    """IAM Identity Center's answer to a start URL or region it does not know."""
    if not isinstance(exc, botocore.exceptions.ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code")
    if code != "InvalidRequestException":
        return None
    return SignInError(
        f"IAM Identity Center in {target.region} did not accept the start URL "
        f"{target.start_url} ({code}): check the URL, and that {target.region} is the "
        "region your IAM Identity Center runs in."
    )


def _registration_scopes(target: SsoTarget, grant_types: tuple[str, ...]) -> tuple[str, ...]:
    # The browser flow needs a scope; the CLI asks for sso:account:access when none is set.
    return target.scopes or (DEFAULT_SCOPES if grant_types else ())


def register_client(
    clients: SsoClients,
    target: SsoTarget,
    *,
    grant_types: tuple[str, ...] = (),
    redirect_uris: tuple[str, ...] = (),
) -> Registration:
    kwargs: dict[str, Any] = {"clientName": CLIENT_NAME, "clientType": "public"}
    scopes = _registration_scopes(target, grant_types)
    if scopes:
        kwargs["scopes"] = list(scopes)
    if grant_types:
        kwargs["grantTypes"] = list(grant_types)
        kwargs["issuerUrl"] = target.start_url
    if redirect_uris:
        kwargs["redirectUris"] = list(redirect_uris)
    try:
        response = clients.oidc.register_client(**kwargs)
    except (*TRANSPORT_ERRORS, botocore.exceptions.ClientError) as exc:
        # The browser flow sends the start URL here (as the issuer URL).
        refused = start_refused(target, exc) if grant_types else None
        raise refused or translate("the client registration", exc) from exc
    return Registration(
        client_id=response["clientId"],
        client_secret=response["clientSecret"],
        expires_at=datetime.fromtimestamp(response["clientSecretExpiresAt"], UTC),
    )


def registration_for(
    clients: SsoClients,
    target: SsoTarget,
    *,
    grant_types: tuple[str, ...] = (),
    redirect_uris: tuple[str, ...] = (),
    cache_dir: Path | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Registration:
    """The client registration the AWS CLI cached for this flow, else a new one (cached)."""
    for_auth_code = AUTH_CODE_GRANT in grant_types
    cached = read_registration(target, for_auth_code=for_auth_code, cache_dir=cache_dir, now=now)
    if cached is not None:
        log.info("reusing the cached sso-oidc client registration")
        return cached
    registration = register_client(
        clients, target, grant_types=grant_types, redirect_uris=redirect_uris
    )
    try:
        write_registration(
            target,
            registration,
            scopes=_registration_scopes(target, grant_types),
            grant_types=grant_types,
            cache_dir=cache_dir,
        )
    except OSError as exc:  # a read-only cache costs a registration next time, no more
        log.warning("could not cache the client registration: %s", exc)
    return registration


def token_from_response(
    target: SsoTarget, registration: Registration, response: Any, at: datetime
) -> SsoToken:
    return SsoToken(
        start_url=target.start_url,
        region=target.region,
        access_token=response["accessToken"],
        expires_at=at + timedelta(seconds=response["expiresIn"]),
        registration=registration,
        refresh_token=response.get("refreshToken"),
    )


def sso_sign_in_required(target: SsoTarget, reason: str) -> SignInRequired:
    if target.profile:
        commands: tuple[str, ...] = (
            f"audit-binder login --profile {target.profile}",
            f"aws sso login --profile {target.profile}",
        )
    elif target.session_name:
        commands = (f"aws sso login --sso-session {target.session_name}",)
    else:
        commands = ()
    return SignInRequired(target.profile, reason, commands)
