"""The AWS access portal URL ("start URL") and the IAM Identity Center region of a new
connection: what is accepted, which regions are offered, and whether the URL answers.

Accepted, in the forms the IAM Identity Center console shows and `aws configure sso` takes:

- `https://<name>.awsapps.com/start` (China: `.awsapps.cn`), with an optional trailing
  `/`, `#` or `#/` (what the browser's address bar shows on the portal);
- the issuer URL `https://identitycenter.amazonaws.com/ssoins-<16 hex digits>` (also the
  China and GovCloud hosts);
- the dual-stack portal `https://ssoins-<16 hex digits>.portal.<region>.app.aws`.

Anything else is refused with the forms it could take. A loopback URL is accepted only
when it is the explicit test endpoint (`AUDIT_BINDER_TEST_SSO_ENDPOINT`, which the test
suite sets for its fake IAM Identity Center): it never loosens the rule for a real URL.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.session

from app import __version__
from app.aws.login_errors import SignInError
from app.aws.network import describe_url_failure
from app.aws.setup_hints import EXAMPLE_START_URL

TEST_ENDPOINT_VARIABLE = "AUDIT_BINDER_TEST_SSO_ENDPOINT"
PROBE_TIMEOUT_S = 10.0
# Where IAM Identity Center instances most often live; the rest follow, sorted.
COMMON_SSO_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
)
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

_PORTAL_HOST = re.compile(r"^(?P<name>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.awsapps\.(?:com|cn)$")
_ISSUER_HOSTS = frozenset(
    {
        "identitycenter.amazonaws.com",
        "identitycenter.amazonaws.com.cn",
        "identitycenter.us-gov.amazonaws.com",
    }
)
_INSTANCE = r"ssoins-[0-9a-f]{16}"
_ISSUER_PATH = re.compile(rf"^/(?P<name>{_INSTANCE})/?$")
_DUAL_STACK_HOST = re.compile(rf"^(?P<name>{_INSTANCE})\.portal\.(?P<region>[a-z0-9-]+)\.app\.aws$")


class StartUrlError(SignInError):
    """The text is not an AWS access portal URL (a usage mistake: nothing was sent)."""

    def __init__(self, text: str, why: str) -> None:
        shown = text.strip() or "(empty)"
        super().__init__(
            f"“{shown}” is not an AWS access portal URL: {why}. It looks like "
            f"{EXAMPLE_START_URL} (the IAM Identity Center console's dashboard shows it "
            "under Settings summary), or https://identitycenter.amazonaws.com/ssoins-…"
        )
        self.text = text


class UnknownSsoRegion(SignInError):
    def __init__(self, region: str) -> None:
        super().__init__(
            f"“{region}” is not a region IAM Identity Center runs in; for example "
            f"{', '.join(COMMON_SSO_REGIONS[:5])} (the IAM Identity Center console's "
            "dashboard shows it under Settings summary)."
        )
        self.region = region


class StartUrlUnreachable(SignInError):
    """The start URL did not answer at all (no HTTP response)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"The AWS access portal URL {url} did not answer: {reason}. Check the URL and "
            "the network connection (or proxy settings), then try again."
        )
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class StartUrl:
    """A checked start URL: its normal form, a session name to suggest, a region hint."""

    url: str
    name: str
    region_hint: str | None = None


def parse_start_url(text: str, *, test_endpoint: str | None = None) -> StartUrl:
    """The start URL in its normal form, or `StartUrlError` saying why not."""
    raw = text.strip()
    if not raw:
        raise StartUrlError(text, "it is empty")
    parts = urlsplit(raw)
    if test_endpoint is not None and _origin(raw) == _origin(test_endpoint):
        return StartUrl(raw.rstrip("/#").rstrip("/"), "test")
    if parts.scheme != "https":
        raise StartUrlError(text, "it must start with https://")
    if parts.query or parts.username or parts.password or parts.port is not None:
        raise StartUrlError(text, "it has parts a portal URL does not have")
    if parts.fragment not in ("", "/"):
        raise StartUrlError(text, "it has parts a portal URL does not have")
    host = (parts.hostname or "").lower()
    path = parts.path
    portal = _PORTAL_HOST.match(host)
    if portal:
        if path.rstrip("/") != "/start":
            raise StartUrlError(text, "the portal's address ends with /start")
        return StartUrl(f"https://{host}/start", portal.group("name"))
    if host in _ISSUER_HOSTS:
        issuer = _ISSUER_PATH.match(path.lower())
        if not issuer:
            raise StartUrlError(text, "an issuer URL ends with /ssoins- and 16 hex digits")
        return StartUrl(f"https://{host}/{issuer.group('name')}", issuer.group("name"))
    dual = _DUAL_STACK_HOST.match(host)
    if dual and path.rstrip("/") in ("", "/start"):
        return StartUrl(f"https://{host}{path.rstrip('/')}", dual.group("name"), dual["region"])
    raise StartUrlError(text, f"{host or 'its host'} is not an AWS access portal host")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def sso_test_endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The fake IAM Identity Center the tests run (`AUDIT_BINDER_TEST_SSO_ENDPOINT`).

    Only a loopback `http://127.0.0.1:PORT` (or localhost, ::1) is honoured; anything
    else is refused outright rather than ignored.
    """
    value = (environ if environ is not None else os.environ).get(TEST_ENDPOINT_VARIABLE, "")
    if not value:
        return None
    scheme, host, port = _origin(value)
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if scheme not in ("http", "https") or not loopback or port is None:
        raise SignInError(
            f"{TEST_ENDPOINT_VARIABLE} may only name a loopback test endpoint "
            f"(http://127.0.0.1:PORT), not {value!r}; unset it."
        )
    return value.rstrip("/")


def sso_regions() -> list[str]:
    """Every region with IAM Identity Center (botocore's endpoint data), common ones first."""
    session = botocore.session.Session()
    known: set[str] = set()
    for partition in _PARTITIONS:
        known.update(session.get_available_regions("sso-oidc", partition_name=partition))
    common = [r for r in COMMON_SSO_REGIONS if r in known]
    return common + sorted(known - set(common))


def check_sso_region(region: str) -> str:
    name = region.strip().lower()
    if name not in sso_regions():
        raise UnknownSsoRegion(region)
    return name


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer: the portal is there; nothing else is fetched."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def probe_start_url(url: str, *, timeout: float = PROBE_TIMEOUT_S) -> None:
    """One GET of the start URL; any HTTP answer will do. `StartUrlUnreachable` if none."""
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={"User-Agent": f"audit-binder/{__version__}"})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1)
    except urllib.error.HTTPError:
        return  # 3xx/4xx/5xx: the host answered; the sign-in itself says the rest
    except (OSError, http.client.HTTPException) as exc:
        raise StartUrlUnreachable(url, describe_url_failure(url, exc)) from exc
