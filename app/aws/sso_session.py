"""A boto3 session straight from an IAM Identity Center sign-in and a picked account/role.

For a user who signs in inside the app and picks an account and role without saving
a profile: `sso:GetRoleCredentials` with the access token, renewed by botocore before
the role credentials expire. Each renewal re-reads the shared token cache first, in
case the CLI or botocore refreshed the token meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.credentials
import botocore.exceptions

from app.aws.login import session_with_credentials
from app.aws.sso_cache import SsoTarget, SsoToken, read_token, utc_now
from app.aws.sso_clients import SsoClients, make_clients, sso_sign_in_required, translate


def session_for_sso_role(
    token: SsoToken,
    target: SsoTarget,
    account_id: str,
    role_name: str,
    *,
    region: str | None = None,
    clients: SsoClients | None = None,
) -> boto3.Session:
    """A session as `role_name` in `account_id`; `SignInRequired` once the token is stale."""
    portal = (clients or make_clients(target)).portal

    def fetch() -> dict[str, Any]:
        current = read_token(target)
        usable = current if current is not None and not current.expired() else token
        if usable.expired(utc_now()):
            raise sso_sign_in_required(target, "the IAM Identity Center token has expired")
        try:
            response = portal.get_role_credentials(
                roleName=role_name, accountId=account_id, accessToken=usable.access_token
            )
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "UnauthorizedException":
                raise sso_sign_in_required(
                    target, "the IAM Identity Center token has expired"
                ) from exc
            raise translate(f"credentials for {role_name} in {account_id}", exc) from exc
        except botocore.exceptions.BotoCoreError as exc:
            raise translate(f"credentials for {role_name} in {account_id}", exc) from exc
        role = response["roleCredentials"]
        expiry = datetime.fromtimestamp(role["expiration"] / 1000, UTC)
        return {
            "access_key": role["accessKeyId"],
            "secret_key": role["secretAccessKey"],
            "token": role["sessionToken"],
            "expiry_time": expiry.isoformat(),
        }

    credentials = botocore.credentials.DeferredRefreshableCredentials(
        method="sso", refresh_using=fetch
    )
    return session_with_credentials(credentials, region)
