"""The IAM Identity Center token cache, shared with the AWS CLI and botocore.

The file is `~/.aws/sso/cache/<sha1(key)>.json`, the key being the sso-session name
(or the start URL for legacy profiles), with the CLI's fields and timestamp format.
botocore's SSO credential provider reads it, and refreshes it with the refresh token,
so one login serves the app, the CLI and every SDK. Written atomically, mode 0600.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The CLI's format (botocore.tokens._serialize_utc_timestamp): UTC, seconds, "Z".
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(value: str) -> datetime:
    # The CLI writes "...Z"; older tools wrote "+00:00" or "UTC" suffixes.
    text = value.strip().replace("UTC", "").replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SsoTarget:
    """What to sign in to: an sso-session (or a legacy start URL) and its region."""

    start_url: str
    region: str
    session_name: str | None = None  # None: legacy profile keyed by start URL
    scopes: tuple[str, ...] = ()
    profile: str | None = None  # the profile it came from: endpoint config, messages

    @property
    def cache_key(self) -> str:
        source = self.session_name if self.session_name is not None else self.start_url
        return hashlib.sha1(source.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Registration:
    """An sso-oidc client registration (RegisterClient)."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True)
class SsoToken:
    """An IAM Identity Center access token. Secrets are kept out of repr and logs."""

    start_url: str
    region: str
    access_token: str = field(repr=False)
    expires_at: datetime
    registration: Registration
    refresh_token: str | None = field(default=None, repr=False)

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utc_now()) >= self.expires_at

    def to_cache_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "startUrl": self.start_url,
            "region": self.region,
            "accessToken": self.access_token,
            "expiresAt": format_time(self.expires_at),
            "clientId": self.registration.client_id,
            "clientSecret": self.registration.client_secret,
            "registrationExpiresAt": format_time(self.registration.expires_at),
        }
        if self.refresh_token:
            data["refreshToken"] = self.refresh_token
        return data

    @classmethod
    def from_cache_json(cls, data: dict[str, Any]) -> SsoToken:
        registration = Registration(
            client_id=str(data.get("clientId", "")),
            client_secret=str(data.get("clientSecret", "")),
            expires_at=parse_time(str(data.get("registrationExpiresAt", data["expiresAt"]))),
        )
        return cls(
            start_url=str(data["startUrl"]),
            region=str(data["region"]),
            access_token=str(data["accessToken"]),
            expires_at=parse_time(str(data["expiresAt"])),
            registration=registration,
            refresh_token=data.get("refreshToken"),
        )


def token_cache_dir() -> Path:
    """`~/.aws/sso/cache`, resolved now (botocore resolves it once, at import)."""
    return Path(os.path.expanduser(os.path.join("~", ".aws", "sso", "cache")))


def cache_path(target: SsoTarget, cache_dir: Path | None = None) -> Path:
    return (cache_dir or token_cache_dir()) / f"{target.cache_key}.json"


def write_private_json(path: Path, data: dict[str, Any]) -> Path:
    """Write `data` to `path` atomically, readable by the user only (like the CLI)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600, like the CLI's JSONFileCache.
    fd, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def write_token(target: SsoTarget, token: SsoToken, cache_dir: Path | None = None) -> Path:
    """Write the token where the CLI would, atomically and readable by the user only."""
    return write_private_json(cache_path(target, cache_dir), token.to_cache_json())


def read_token(target: SsoTarget, cache_dir: Path | None = None) -> SsoToken | None:
    """The cached token for `target`, or None when absent or unreadable."""
    path = cache_path(target, cache_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SsoToken.from_cache_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
