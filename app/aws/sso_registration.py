"""The sso-oidc client registration, cached where and as the AWS CLI caches it.

`RegisterClient` hands out a client id and secret valid for about 90 days. The AWS CLI
keeps them in `~/.aws/sso/cache/<sha1(key)>.json`, the key being the JSON (sorted keys)
of `{"tool": "botocore", "startUrl", "region", "scopes", "session_name"}`, and reuses
them until 15 minutes before they expire. A registration for the browser flow (its
`grantTypes` hold `authorization_code`) is not reused for the device code, nor the
reverse. Reading and writing the same file, the app and the CLI share one registration
instead of registering a new client at every sign-in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.aws.sso_cache import (
    Registration,
    SsoTarget,
    format_time,
    parse_time,
    token_cache_dir,
    utc_now,
    write_private_json,
)

# botocore's BaseSSOTokenFetcher._EXPIRY_WINDOW: never start a sign-in on a client that
# is about to expire.
EXPIRY_WINDOW = timedelta(minutes=15)
AUTH_CODE_GRANT = "authorization_code"


def registration_cache_key(target: SsoTarget) -> str:
    """The CLI's key: sha1 of the sorted JSON of tool, start URL, region, scopes, session."""
    args = {
        "tool": "botocore",
        "startUrl": target.start_url,
        "region": target.region,
        # The scopes as configured: None for a legacy profile, as the CLI passes them.
        "scopes": list(target.scopes) or None,
        "session_name": target.session_name,
    }
    return hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()


def registration_path(target: SsoTarget, cache_dir: Path | None = None) -> Path:
    return (cache_dir or token_cache_dir()) / f"{registration_cache_key(target)}.json"


def read_registration(
    target: SsoTarget,
    *,
    for_auth_code: bool,
    cache_dir: Path | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Registration | None:
    """The cached registration for this flow, unless missing, unreadable or expiring."""
    try:
        data = json.loads(registration_path(target, cache_dir).read_text(encoding="utf-8"))
        registration = Registration(
            client_id=str(data["clientId"]),
            client_secret=str(data["clientSecret"]),
            expires_at=parse_time(str(data["expiresAt"])),
        )
        grants = data.get("grantTypes") or []
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (AUTH_CODE_GRANT in grants) != for_auth_code:
        return None
    if now() + EXPIRY_WINDOW >= registration.expires_at:
        return None
    return registration


def write_registration(
    target: SsoTarget,
    registration: Registration,
    *,
    scopes: tuple[str, ...],
    grant_types: tuple[str, ...],
    cache_dir: Path | None = None,
) -> Path:
    """Write the registration in the CLI's fields (`expiresAt` in its UTC "Z" format)."""
    data: dict[str, Any] = {
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "expiresAt": format_time(registration.expires_at),
    }
    if scopes:
        data["scopes"] = list(scopes)
    if grant_types:
        data["grantTypes"] = list(grant_types)
    return write_private_json(registration_path(target, cache_dir), data)
