"""`audit-binder login --profile P` in a terminal, against the fake Identity Center."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws.sso import target_for_profile
from app.aws.sso_cache import read_token
from app.cli import main
from tests.fakes.sso_server import (
    ROLE_KEY_ID,
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
def config(fake: FakeSsoServer) -> Path:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.write_text(
        "[profile picker]\nsso_session = corp\nservices = fake-sso\n\n"
        "[profile audit]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = SecurityAudit\nregion = us-east-1\nservices = fake-sso\n\n"
        "[profile keys]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n\n"
        "[profile console]\nlogin_session = arn:aws:iam::123456789012:user/alice\n\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
        "sso_region = eu-west-1\n\n" + services_section(fake.endpoint)
    )
    return path


def test_login_prints_the_code_and_lists_accounts(
    fake: FakeSsoServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["login", "--profile", "picker", "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert "WDJB-MJHT" in out and f"{fake.endpoint}/device" in out
    assert "111111111111  prod" in out and "SecurityAudit, ViewOnlyAccess" in out
    assert "333333333333  dev" in out and "(no roles)" in out
    assert read_token(target_for_profile("picker")) is not None


def test_login_then_says_who_is_signed_in(
    fake: FakeSsoServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.sts_answer = "expired"  # the fake has no real STS: the error proves the call
    assert main(["login", "--profile", "audit", "--no-browser"]) == 1
    captured = capsys.readouterr()
    assert "WDJB-MJHT" in captured.out
    # GetRoleCredentials ran with our token; STS then answered with the role keys' expiry.
    assert ("GET", "/federation/credentials") in [r[:2] for r in fake.state.requests]
    assert "Sign in again" in captured.err
    assert ROLE_KEY_ID not in captured.out + captured.err


def test_login_refuses_a_non_sso_profile(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["login", "--profile", "keys"]) == 1
    assert "not an IAM Identity Center" in capsys.readouterr().err


def test_login_denied(
    fake: FakeSsoServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.device_answers = ["denied"]
    assert main(["login", "--profile", "picker", "--no-browser"]) == 1
    assert "denied" in capsys.readouterr().err


def test_login_points_aws_login_profiles_to_aws_login(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["login", "--profile", "console"]) == 1
    assert "`aws login --profile console`" in capsys.readouterr().err
