"""IAM Identity Center sign-in against the fake sso-oidc / portal, through real boto3 clients."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from app.aws.login_errors import (
    AccessDeniedError,
    AuthorizationExpiredError,
    SignInCancelled,
    SignInError,
    SignInRequired,
)
from app.aws.sso import (
    DeviceCode,
    PollTiming,
    device_login,
    list_account_roles,
    list_accounts,
    target_for_profile,
)
from app.aws.sso_cache import Registration, SsoToken, read_token, token_cache_dir, write_token
from app.aws.sso_clients import make_clients
from app.aws.sso_pkce import REGISTERED_REDIRECT, pkce_login, s256
from app.aws.sso_session import session_for_sso_role
from tests.fakes.sso_server import ROLE_KEY_ID, FakeSsoServer, services_section

CACHE_FIELDS = {
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
}


@pytest.fixture
def fake() -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        yield server


@pytest.fixture
def config(fake: FakeSsoServer) -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.write_text(
        "[profile audit]\n"
        "sso_session = corp\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = SecurityAudit\n"
        "region = eu-west-1\n"
        "services = fake-sso\n\n"
        "[profile picker]\n"
        "sso_session = corp\n"
        "services = fake-sso\n\n"
        "[profile legacy]\n"
        "sso_start_url = https://legacy.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 222222222222\n"
        "sso_role_name = SecurityAudit\n"
        "services = fake-sso\n\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n\n" + services_section(fake.endpoint)
    )
    return path


def no_wait(record: list[float]) -> Callable[[float], bool]:
    def wait(seconds: float) -> bool:
        record.append(seconds)
        return False

    return wait


def test_device_flow_honours_pending_and_slow_down_and_writes_the_cli_cache(
    fake: FakeSsoServer, config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="app")
    fake.state.device_answers = ["pending", "slow_down", "pending", "ok"]
    target = target_for_profile("audit")
    shown: list[DeviceCode] = []
    waits: list[float] = []

    token = device_login(target, shown.append, wait=no_wait(waits))

    assert [c.user_code for c in shown] == ["WDJB-MJHT"]
    assert shown[0].verification_uri_complete.endswith("user_code=WDJB-MJHT")
    # The server's 1 s interval, then +5 s after slow_down (RFC 8628 3.5).
    assert waits == [1, 6, 6]
    assert fake.state.operations() == [
        "POST /client/register",
        "POST /device_authorization",
        *["POST /token"] * 4,
    ]
    register = fake.state.requests[0][2]
    assert register["clientType"] == "public"
    assert register["scopes"] == ["sso:account:access"]
    path = token_cache_dir() / f"{hashlib.sha1(b'corp').hexdigest()}.json"
    assert path.parent == Path(os.environ["HOME"]) / ".aws" / "sso" / "cache"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cached = json.loads(path.read_text())
    assert set(cached) == CACHE_FIELDS
    assert cached["startUrl"] == "https://corp.awsapps.com/start"
    assert cached["region"] == "eu-west-1"
    assert cached["accessToken"] == token.access_token
    assert cached["expiresAt"].endswith("Z") and len(cached["expiresAt"]) == 20
    assert cached["accessToken"] in fake.state.access_tokens
    assert "access-token" not in repr(token)  # secrets stay out of repr
    assert "slow down" in caplog.text  # the log is captured...
    for secret in (token.access_token, token.refresh_token, cached["clientSecret"]):
        assert secret and secret not in caplog.text  # ...and holds no secret


def test_legacy_profile_caches_under_the_start_url_hash(fake: FakeSsoServer, config: Path) -> None:
    target = target_for_profile("legacy")
    assert target.session_name is None and target.scopes == ()
    device_login(target, lambda code: None, wait=no_wait([]))
    digest = hashlib.sha1(b"https://legacy.awsapps.com/start").hexdigest()
    assert (token_cache_dir() / f"{digest}.json").exists()
    assert "scopes" not in fake.state.requests[0][2]


@pytest.mark.parametrize(
    ("answer", "error"),
    [("expired", AuthorizationExpiredError), ("denied", AccessDeniedError)],
)
def test_device_flow_stops_on_expired_or_denied(
    fake: FakeSsoServer, config: Path, answer: str, error: type[Exception]
) -> None:
    fake.state.device_answers = ["pending", answer]
    with pytest.raises(error):
        device_login(target_for_profile("audit"), lambda c: None, wait=no_wait([]))
    assert read_token(target_for_profile("audit")) is None  # no token; the registration stays


def test_device_flow_is_cancellable_while_waiting(fake: FakeSsoServer, config: Path) -> None:
    fake.state.device_answers = ["pending"]
    cancel = threading.Event()
    polls_before_cancel = 3

    def wait(seconds: float) -> bool:
        token_calls = fake.state.operations().count("POST /token")
        if token_calls >= polls_before_cancel:
            cancel.set()
        return cancel.is_set()

    with pytest.raises(SignInCancelled):
        device_login(target_for_profile("audit"), lambda c: None, cancel=cancel, wait=wait)
    assert fake.state.operations().count("POST /token") == polls_before_cancel
    assert read_token(target_for_profile("audit")) is None


def test_device_flow_gives_up_when_the_code_expires_locally(
    fake: FakeSsoServer, config: Path
) -> None:
    fake.state.device_answers = ["pending"]
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]

    def wait(seconds: float) -> bool:
        clock[0] += timedelta(minutes=11)  # the fake's code lives 10 minutes
        return False

    with pytest.raises(AuthorizationExpiredError):
        device_login(target_for_profile("audit"), lambda c: None, wait=wait, now=lambda: clock[0])
    assert fake.state.operations().count("POST /token") == 1


def test_injected_interval_replaces_the_servers(fake: FakeSsoServer, config: Path) -> None:
    fake.state.device_answers = ["slow_down", "pending", "ok"]
    waits: list[float] = []
    timing = PollTiming(interval=0.5, slow_down_increment=2)
    device_login(target_for_profile("audit"), lambda c: None, timing=timing, wait=no_wait(waits))
    assert waits == [2.5, 2.5]


def _resolve_in_fresh_python(profile: str) -> str:
    """Resolve credentials in a new interpreter: botocore fixes ~/.aws/sso/cache at import,
    so a fresh process with this test's HOME is the honest check of interoperability."""
    code = (
        f"import boto3; c = boto3.Session(profile_name={profile!r}).get_credentials()"
        ".get_frozen_credentials(); print(c.access_key)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_botocore_own_sso_provider_reads_the_token_we_wrote(
    fake: FakeSsoServer, config: Path
) -> None:
    device_login(target_for_profile("audit"), lambda c: None, wait=no_wait([]))
    assert _resolve_in_fresh_python("audit") == ROLE_KEY_ID
    credentials_call = fake.state.requests[-1]
    assert credentials_call[:2] == ("GET", "/federation/credentials")
    assert credentials_call[2] == {"role_name": "SecurityAudit", "account_id": "111111111111"}


def test_botocore_refreshes_our_token_with_its_refresh_token(
    fake: FakeSsoServer, config: Path
) -> None:
    target = target_for_profile("audit")
    token = device_login(target, lambda c: None, wait=no_wait([]))
    # Five minutes left: inside botocore's 15-minute refresh window.
    soon = datetime.now(UTC) + timedelta(minutes=5)
    write_token(
        target,
        SsoToken(
            token.start_url,
            token.region,
            token.access_token,
            soon,
            token.registration,
            token.refresh_token,
        ),
    )

    assert _resolve_in_fresh_python("audit") == ROLE_KEY_ID

    refreshed = read_token(target)
    assert refreshed is not None
    assert refreshed.access_token != token.access_token
    assert refreshed.expires_at > soon + timedelta(minutes=30)
    assert fake.state.requests[-2][2]["grantType"] == "refresh_token"


def test_without_a_token_botocore_says_sign_in(config: Path) -> None:
    code = (
        "import boto3; "
        "boto3.Session(profile_name='audit').get_credentials().get_frozen_credentials()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    assert done.returncode != 0 and "Token for corp does not exist" in done.stderr


def test_accounts_and_roles_are_listed_across_pages(fake: FakeSsoServer, config: Path) -> None:
    target = target_for_profile("picker")
    token = device_login(target, lambda c: None, wait=no_wait([]))
    clients = make_clients(target)
    accounts = list_accounts(token, target, clients=clients)
    roles = list_account_roles(token, target, "111111111111", clients=clients)

    assert [a.name for a in accounts] == ["audit", "dev", "prod"]
    assert fake.state.operations().count("GET /assignment/accounts") == 2  # page size 2
    assert [r.role_name for r in roles] == [
        "AdministratorAccess",
        "SecurityAudit",
        "ViewOnlyAccess",
    ]
    assert {r.account_id for r in roles} == {"111111111111"}
    assert list_account_roles(token, target, "333333333333", clients=clients) == []


def test_a_stale_token_asks_to_sign_in_again_with_the_command(
    fake: FakeSsoServer, config: Path
) -> None:
    target = target_for_profile("picker")
    stale = SsoToken(
        target.start_url,
        target.region,
        "revoked-token",
        datetime.now(UTC) + timedelta(hours=1),
        Registration("c", "s", datetime.now(UTC) + timedelta(days=1)),
    )
    with pytest.raises(SignInRequired) as caught:
        list_accounts(stale, target)
    assert "audit-binder login --profile picker" in str(caught.value)
    assert "aws sso login --profile picker" in caught.value.commands


def _browser(fake: FakeSsoServer, seen: list[str]) -> Callable[[str], None]:
    """Plays the user's browser: follows the authorize URL (the fake approves and
    redirects to the loopback server) from another thread, like a real browser."""

    def open_url(url: str) -> None:
        seen.append(url)
        threading.Thread(
            target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True
        ).start()

    return open_url


def test_pkce_flow_checks_state_and_verifier_and_writes_the_cache(
    fake: FakeSsoServer, config: Path
) -> None:
    target = target_for_profile("audit")
    seen: list[str] = []
    token = pkce_login(target, _browser(fake, seen))

    url = urlparse(seen[0])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}" == fake.endpoint and url.path == "/authorize"
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    assert query["redirect_uri"].endswith("/oauth/callback")
    assert len(query["state"]) >= 32
    register = fake.state.requests[0][2]
    assert register["grantTypes"] == ["authorization_code", "refresh_token"]
    assert register["redirectUris"] == [REGISTERED_REDIRECT]
    assert register["issuerUrl"] == "https://corp.awsapps.com/start"
    exchange = next(body for _, path, body in fake.state.requests if path == "/token")
    assert exchange["grantType"] == "authorization_code"
    assert s256(exchange["codeVerifier"]) == query["code_challenge"]
    assert exchange["redirectUri"] == query["redirect_uri"]
    assert read_token(target) is not None
    assert read_token(target).access_token == token.access_token  # type: ignore[union-attr]


def test_pkce_refuses_an_answer_with_another_state(fake: FakeSsoServer, config: Path) -> None:
    fake.state.authorize_state = "forged-state"
    with pytest.raises(SignInError, match="unexpected state"):
        pkce_login(target_for_profile("audit"), _browser(fake, []))
    assert "POST /token" not in fake.state.operations()
    assert read_token(target_for_profile("audit")) is None


def test_pkce_denied_in_the_browser(fake: FakeSsoServer, config: Path) -> None:
    fake.state.authorize_error = "access_denied"
    with pytest.raises(AccessDeniedError, match="access_denied"):
        pkce_login(target_for_profile("audit"), _browser(fake, []))


def test_pkce_wait_is_cancellable(fake: FakeSsoServer, config: Path) -> None:
    cancel = threading.Event()
    with pytest.raises(SignInCancelled):
        pkce_login(target_for_profile("audit"), lambda url: cancel.set(), cancel=cancel)
    assert "POST /token" not in fake.state.operations()


def test_pkce_wait_is_bounded(fake: FakeSsoServer, config: Path) -> None:
    with pytest.raises(AuthorizationExpiredError):
        pkce_login(target_for_profile("audit"), lambda url: None, timeout=timedelta(0))


def test_a_picked_role_gives_a_session_without_saving_a_profile(
    fake: FakeSsoServer, config: Path
) -> None:
    target = target_for_profile("picker")
    token = device_login(target, lambda c: None, wait=no_wait([]))
    session = session_for_sso_role(token, target, "111111111111", "SecurityAudit")
    credentials = session.get_credentials()
    assert credentials is not None and credentials.access_key == ROLE_KEY_ID
    assert credentials.method == "sso"
    assert fake.state.requests[-1][2] == {
        "role_name": "SecurityAudit",
        "account_id": "111111111111",
    }

    fake.state.access_tokens.clear()  # the portal forgets the token: signed out elsewhere
    token_cache_dir().joinpath(f"{target.cache_key}.json").unlink()
    with pytest.raises(SignInRequired, match="audit-binder login --profile picker"):
        session_for_sso_role(token, target, "111111111111", "SecurityAudit")
