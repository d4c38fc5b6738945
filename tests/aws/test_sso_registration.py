"""The sso-oidc client registration is cached as the AWS CLI caches it, and reused."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.aws.sso import device_login
from app.aws.sso_cache import SsoTarget, cache_path, token_cache_dir
from app.aws.sso_pkce import pkce_login
from app.aws.sso_registration import registration_cache_key, registration_path
from tests.fakes.sso_server import FakeSsoServer

CORP = SsoTarget("https://corp.awsapps.com/start", "eu-west-1", "corp", ("sso:account:access",))
LEGACY = SsoTarget("https://legacy.awsapps.com/start", "us-east-1")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        server.state.interval = 0
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.endpoint)
        yield server


def _device(target: SsoTarget) -> None:
    device_login(target, lambda code: None, wait=lambda seconds: False)
    cache_path(target).unlink()  # signed out: only the registration stays


def _browser(url: str) -> None:
    threading.Thread(
        target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True
    ).start()


def registrations(fake: FakeSsoServer) -> int:
    return fake.state.operations().count("POST /client/register")


def test_the_key_is_the_clis() -> None:
    # botocore (CLI v2) BaseSSOTokenFetcher._registration_cache_key, spelled out.
    expected = hashlib.sha1(
        b'{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "corp", '
        b'"startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}'
    ).hexdigest()
    assert registration_cache_key(CORP) == expected
    legacy = hashlib.sha1(
        b'{"region": "us-east-1", "scopes": null, "session_name": null, '
        b'"startUrl": "https://legacy.awsapps.com/start", "tool": "botocore"}'
    ).hexdigest()
    assert registration_cache_key(LEGACY) == legacy
    assert registration_path(CORP) == token_cache_dir() / f"{expected}.json"


def test_the_device_flow_registers_once_and_reuses_it(fake: FakeSsoServer) -> None:
    _device(CORP)
    cached = json.loads(registration_path(CORP).read_text())
    assert set(cached) == {"clientId", "clientSecret", "expiresAt", "scopes"}
    assert cached["scopes"] == ["sso:account:access"]
    assert cached["expiresAt"].endswith("Z") and len(cached["expiresAt"]) == 20
    assert registration_path(CORP).stat().st_mode & 0o077 == 0

    _device(CORP)
    assert registrations(fake) == 1
    starts = [body for _, path, body in fake.state.requests if path == "/device_authorization"]
    assert [s["clientId"] for s in starts] == [cached["clientId"]] * 2


def test_a_registration_the_aws_cli_left_is_used(fake: FakeSsoServer) -> None:
    expires = datetime.now(UTC) + timedelta(days=80)
    path = registration_path(CORP)
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {
                "clientId": "cli-client",
                "clientSecret": "cli-secret",
                "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "scopes": ["sso:account:access"],
            }
        )
    )
    _device(CORP)
    assert registrations(fake) == 0
    start = next(body for _, p, body in fake.state.requests if p == "/device_authorization")
    assert start["clientId"] == "cli-client"


@pytest.mark.parametrize("left", [timedelta(minutes=14), timedelta(minutes=-1)])
def test_one_about_to_expire_is_replaced(fake: FakeSsoServer, left: timedelta) -> None:
    _device(CORP)
    data = json.loads(registration_path(CORP).read_text())
    data["expiresAt"] = (datetime.now(UTC) + left).strftime("%Y-%m-%dT%H:%M:%SZ")
    registration_path(CORP).write_text(json.dumps(data))
    _device(CORP)
    assert registrations(fake) == 2
    assert json.loads(registration_path(CORP).read_text())["clientId"] != data["clientId"]


def test_an_unreadable_cache_file_is_replaced(fake: FakeSsoServer) -> None:
    path = registration_path(CORP)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    _device(CORP)
    assert registrations(fake) == 1 and json.loads(path.read_text())["clientId"]


def test_browser_and_device_registrations_are_not_mixed(fake: FakeSsoServer) -> None:
    _device(CORP)
    pkce_login(CORP, _browser)
    browser = json.loads(registration_path(CORP).read_text())
    assert browser["grantTypes"] == ["authorization_code", "refresh_token"]
    pkce_login(CORP, _browser)
    assert registrations(fake) == 2  # the device one was not used for the browser
    _device(CORP)
    assert registrations(fake) == 3  # nor the browser one for the device code


def test_legacy_profiles_cache_without_scopes(fake: FakeSsoServer) -> None:
    _device(LEGACY)
    _device(LEGACY)
    assert registrations(fake) == 1
    assert "scopes" not in json.loads(registration_path(LEGACY).read_text())
