"""`aws login` profiles, expired sign-ins, identity: typed errors that say what to run."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import botocore.exceptions
import pytest

from app.aws.identity import Identity, whoami
from app.aws.login import (
    HandedRoleSignIn,
    ProfileSignIn,
    TemporaryKeysSignIn,
    session_for_profile,
    sign_in_from_json,
    sign_in_to_json,
    translate_error,
)
from app.aws.login_errors import (
    NoCredentialsError,
    OfflineError,
    ProfileConfigError,
    ProfileNotFoundError,
    SignInRequired,
)
from tests.fakes.login_cache import LOGIN_SESSION, write_login_cache
from tests.fakes.sso_server import (
    LOGIN_KEY_ID,
    FakeSsoServer,
    point_botocore_at_home,
    services_section,
)


@pytest.fixture(autouse=True)
def _sso_cache_in_home(monkeypatch: pytest.MonkeyPatch) -> None:
    point_botocore_at_home(monkeypatch)


@pytest.fixture
def fake() -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        yield server


@pytest.fixture
def config(fake: FakeSsoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AWS_LOGIN_CACHE_DIRECTORY", str(tmp_path / "login-cache"))
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.write_text(
        "[profile console]\n"
        f"login_session = {LOGIN_SESSION}\n"
        "region = eu-west-1\n"
        "services = fake-sso\n\n"
        "[profile sso]\n"
        "sso_session = corp\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = SecurityAudit\n"
        "services = fake-sso\n\n"
        "[profile role-on-sso]\n"
        "role_arn = arn:aws:iam::444444444444:role/Audit\n"
        "source_profile = sso\n\n"
        "[profile loop]\n"
        "role_arn = arn:aws:iam::444444444444:role/Audit\n"
        "source_profile = loop\n\n"
        "[profile fake-sts]\n"
        "aws_access_key_id = AKIAFAKESTS\n"
        "aws_secret_access_key = fake-secret\n"
        "region = us-east-1\n"
        "services = fake-sso\n\n"
        "[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n\n" + services_section(fake.endpoint)
    )
    return path


def test_aws_login_without_a_cached_session_names_the_command(config: Path) -> None:
    with pytest.raises(SignInRequired) as caught:
        session_for_profile("console")
    assert caught.value.commands == ("aws login --profile console",)
    assert "`aws login --profile console`" in str(caught.value)


def test_aws_login_session_resolves_through_botocores_provider(config: Path) -> None:
    write_login_cache(datetime.now(UTC) + timedelta(hours=1))
    session = session_for_profile("console")
    credentials = session.get_credentials()
    assert credentials is not None and credentials.method == "login"
    assert credentials.get_frozen_credentials().access_key == "ASIACACHEDLOGIN"


def test_aws_login_refreshes_when_near_expiry(config: Path, fake: FakeSsoServer) -> None:
    path = write_login_cache(datetime.now(UTC) + timedelta(minutes=2))
    session = session_for_profile("console")
    assert session.get_credentials().get_frozen_credentials().access_key == LOGIN_KEY_ID  # type: ignore[union-attr]
    assert fake.state.operations()[-1] == "POST /v1/token"
    assert json.loads(path.read_text())["accessToken"]["accessKeyId"] == LOGIN_KEY_ID


def test_aws_login_refused_refresh_means_sign_in_again(config: Path, fake: FakeSsoServer) -> None:
    write_login_cache(datetime.now(UTC) - timedelta(minutes=1))
    fake.state.signin_answer = "expired"
    with pytest.raises(SignInRequired) as caught:
        session_for_profile("console")
    assert caught.value.commands == ("aws login --profile console",)
    assert fake.state.operations()[-1] == "POST /v1/token"


def test_sso_profile_without_token_says_how_to_sign_in(config: Path) -> None:
    with pytest.raises(SignInRequired) as caught:
        session_for_profile("sso")
    assert caught.value.commands == (
        "aws sso login --profile sso",
        "audit-binder login --profile sso",
    )


def test_role_chained_on_sso_names_the_root_profile(config: Path) -> None:
    with pytest.raises(SignInRequired) as caught:
        session_for_profile("role-on-sso")
    assert caught.value.profile == "role-on-sso"
    assert "aws sso login --profile sso" in caught.value.commands


def test_unknown_profile_and_loops_are_typed(config: Path) -> None:
    with pytest.raises(ProfileNotFoundError, match="nope"):
        session_for_profile("nope")
    with pytest.raises(ProfileConfigError):
        session_for_profile("loop")


def test_whoami_against_moto(aws: str) -> None:
    identity = whoami(boto3.Session())
    assert identity == Identity("123456789012", identity.caller_arn, identity.user_id)
    assert identity.caller_arn.startswith("arn:aws:")
    assert identity.partition == "aws"


def test_whoami_without_credentials() -> None:
    with pytest.raises(NoCredentialsError, match="No AWS credentials"):
        whoami(boto3.Session(region_name="us-east-1"))


def test_whoami_with_expired_credentials_says_sign_in(config: Path, fake: FakeSsoServer) -> None:
    fake.state.sts_answer = "expired"
    session = session_for_profile("fake-sts")
    with pytest.raises(SignInRequired, match="expired"):
        whoami(session)
    assert fake.state.requests[-1][2] == {"Action": "GetCallerIdentity"}


def test_whoami_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    session = boto3.Session(
        aws_access_key_id="AKIAX", aws_secret_access_key="x", region_name="us-east-1"
    )
    with pytest.raises(OfflineError, match="could not be reached"):
        whoami(session)


def test_unrelated_errors_are_not_swallowed() -> None:
    error = botocore.exceptions.ClientError(
        {"Error": {"Code": "Throttling", "Message": "slow"}}, "GetCallerIdentity"
    )
    assert translate_error(error, None) is None


@pytest.mark.parametrize(
    "sign_in",
    [
        ProfileSignIn("acme", "eu-west-1"),
        ProfileSignIn(None),
        HandedRoleSignIn(7, "consultant", "us-east-1"),
        TemporaryKeysSignIn("acme-2026"),
    ],
)
def test_sign_in_round_trips_through_json(
    sign_in: ProfileSignIn | HandedRoleSignIn | TemporaryKeysSignIn,
) -> None:
    data = json.loads(json.dumps(sign_in_to_json(sign_in)))
    assert sign_in_from_json(data) == sign_in
