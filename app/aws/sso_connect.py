"""A first IAM Identity Center connection: from a start URL to a saved profile, Qt-free.

The steps the app's "Connect with IAM Identity Center…" dialog and `audit-binder login
--start-url` share: check the start URL and region (`prepare_connection`), see that the
URL answers, sign in in the browser (PKCE, falling back to the device code when no
loopback port can be opened) or with a device code, list accounts and roles, suggest a
profile name that is free, then `save_connection`.

Nothing is written to `~/.aws/config` before `save_connection`: cancelling at any step
leaves it as it was. The sign-in itself goes where `aws sso login` puts it (the token
and the client registration in `~/.aws/sso/cache`), so a second attempt with the same
URL and region within the token's life skips the browser (`reusable_token`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.aws.login_errors import SignInCancelled
from app.aws.profiles import AwsConfig, load_config
from app.aws.sso import device_login
from app.aws.sso_cache import SsoTarget, SsoToken, read_token, utc_now
from app.aws.sso_clients import DEFAULT_SCOPES, SsoClients
from app.aws.sso_config import SavedProfile, save_sso_profile
from app.aws.sso_pkce import LoopbackUnavailable, pkce_login
from app.aws.sso_registration import EXPIRY_WINDOW
from app.aws.sso_start import (
    StartUrl,
    check_sso_region,
    parse_start_url,
    probe_start_url,
    sso_test_endpoint,
)

log = logging.getLogger(__name__)

_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9_.@+=,:/-]+")


@dataclass(frozen=True)
class Connection:
    """A checked start URL and region, and the sso-session the profile will name."""

    target: SsoTarget
    new_session: bool  # False: an existing [sso-session] with this URL and region is reused


@dataclass(frozen=True)
class BrowserPrompt:
    """The browser flow's page to open (and to show, should the browser not open)."""

    url: str


@dataclass(frozen=True)
class DeviceFallback:
    """The browser flow could not listen on 127.0.0.1; the device code follows."""

    reason: str


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/#").rstrip("/").lower() == b.rstrip("/#").rstrip("/").lower()


def _session_for(
    start: StartUrl, region: str, sessions: Mapping[str, Mapping[str, Any]]
) -> tuple[str, bool]:
    """(session name, whether it is new): an existing one for this URL and region, else
    the URL's name, numbered if that name is taken by another session."""
    for name, values in sorted(sessions.items()):
        url = str(values.get("sso_start_url", ""))
        if _same_url(url, start.url) and values.get("sso_region") == region:
            return name, False
    base = _NOT_IN_NAMES.sub("-", start.name).strip("-") or "sso"
    name, counter = base, 2
    while name in sessions:
        name, counter = f"{base}-{counter}", counter + 1
    return name, True


def prepare_connection(
    start_url: str,
    sso_region: str,
    *,
    config: AwsConfig | None = None,
    test_endpoint: str | None = None,
) -> Connection:
    """Check the URL and region (no network); `StartUrlError` / `UnknownSsoRegion` if wrong."""
    endpoint = test_endpoint if test_endpoint is not None else sso_test_endpoint()
    start = parse_start_url(start_url, test_endpoint=endpoint)
    region = check_sso_region(sso_region)
    config = config or load_config()
    name, new = _session_for(start, region, config.sso_sessions)
    if new:
        target = SsoTarget(start.url, region, name, DEFAULT_SCOPES)
    else:
        existing = config.sso_sessions[name]
        raw = str(existing.get("sso_registration_scopes") or "")
        scopes = tuple(s.strip() for s in raw.split(",") if s.strip()) or DEFAULT_SCOPES
        target = SsoTarget(str(existing["sso_start_url"]), region, name, scopes)
    return Connection(target, new)


def check_answers(connection: Connection) -> None:
    """`StartUrlUnreachable` (one line) when the start URL does not answer at all."""
    probe_start_url(connection.target.start_url)


def reusable_token(connection: Connection) -> SsoToken | None:
    """A cached sign-in to this very URL and region with 15 minutes left, or None."""
    target = connection.target
    token = read_token(target)
    if token is None or not _same_url(token.start_url, target.start_url):
        return None
    if token.region != target.region or utc_now() + EXPIRY_WINDOW >= token.expires_at:
        return None
    return token


def sign_in(
    connection: Connection,
    on_prompt: Callable[[object], None],
    *,
    device_code: bool = False,
    cancel: threading.Event | None = None,
    clients: SsoClients | None = None,
) -> SsoToken:
    """Sign in and cache the token as `aws sso login` does.

    `on_prompt` gets a `BrowserPrompt`, or a `DeviceCode` (after a `DeviceFallback` when
    the browser flow could not listen on 127.0.0.1). It must not block.
    """
    target = connection.target
    if not device_code:
        try:
            return pkce_login(
                target, lambda url: on_prompt(BrowserPrompt(url)), cancel=cancel, clients=clients
            )
        except LoopbackUnavailable as exc:
            log.info("browser sign-in unavailable, using the device code: %s", exc)
            on_prompt(DeviceFallback(str(exc)))
    return device_login(target, on_prompt, cancel=cancel, clients=clients)


def signed_in(
    connection: Connection,
    on_prompt: Callable[[object], None],
    *,
    device_code: bool = False,
    cancel: threading.Event | None = None,
) -> tuple[SsoToken, bool]:
    """See that the start URL answers, then reuse a cached sign-in to it or sign in:
    (token, whether it was reused)."""
    check_answers(connection)
    token = reusable_token(connection)
    if token is not None:
        return token, True
    if cancel is not None and cancel.is_set():
        raise SignInCancelled()
    return sign_in(connection, on_prompt, device_code=device_code, cancel=cancel), False


def taken_profile_names(config: AwsConfig | None = None) -> frozenset[str]:
    return frozenset((config or load_config()).profiles)


def suggest_profile_name(account_id: str, role_name: str, taken: frozenset[str]) -> str:
    """`aws configure sso`'s suggestion, `<role>-<account>`, numbered when it is taken."""
    role = _NOT_IN_NAMES.sub("-", role_name).strip("-")[:100]
    base = f"{role}-{account_id}" if role else account_id
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base}-{counter}", counter + 1
    return name


def save_connection(
    connection: Connection,
    account_id: str,
    role_name: str,
    profile_name: str,
    *,
    region: str | None = None,
) -> SavedProfile:
    """Write the profile (and the sso-session if new) after a backup of the file.

    The profile's region defaults to the IAM Identity Center region, so `scan` and the
    AWS CLI have one to start from.
    """
    target = connection.target
    return save_sso_profile(
        profile_name, target, account_id, role_name, region=region or target.region
    )
