"""`aws login` profiles on the Sign-in screen: the app runs `aws login --profile P` when
the AWS CLI 2.32+ is there, and says what to install when it is not; an expired session
names the button (or command) that renews it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.aws.aws_cli import find_aws_cli
from app.ui.context import AppContext, SignedIn
from app.ui.main_window import Screen
from tests.fakes.login_cache import LOGIN_SESSION, write_login_cache
from tests.ui.conftest import make_window

FAKE_AWS = """#!/bin/sh
# A stand-in for the AWS CLI: its version line, and `aws login` leaving a session.
if [ "$1" = "--version" ]; then
  echo "aws-cli/$FAKE_AWS_VERSION Python/3.13.7 Linux/6.8 exe/x86_64"
  exit 0
fi
echo "$*" >> "$FAKE_AWS_LOG"
mkdir -p "$AWS_LOGIN_CACHE_DIRECTORY"
cp "$FAKE_AWS_SESSION" "$AWS_LOGIN_CACHE_DIRECTORY/"
echo "Updated profile console to use arn:aws:iam::123456789012:user/alice credentials."
"""


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws: str) -> Iterator[Path]:
    """An `aws login` profile, STS on moto, and a `bin/` for a fake AWS CLI on PATH."""
    monkeypatch.setenv("AWS_LOGIN_CACHE_DIRECTORY", str(tmp_path / "login-cache"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws)
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        f"[profile console]\nlogin_session = {LOGIN_SESSION}\nregion = eu-west-1\n\n"
        "[profile via-console]\nrole_arn = arn:aws:iam::123456789012:role/Audit\n"
        "source_profile = console\n"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    yield bin_dir


def install_fake_aws(bin_dir: Path, version: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = bin_dir / "aws"
    script.write_text(FAKE_AWS)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    session = write_login_cache(
        datetime.now(UTC) + timedelta(hours=1), directory=bin_dir.parent / "staged"
    )
    log = bin_dir.parent / "aws.log"
    monkeypatch.setenv("FAKE_AWS_VERSION", version)
    monkeypatch.setenv("FAKE_AWS_SESSION", str(session))
    monkeypatch.setenv("FAKE_AWS_LOG", str(log))
    return log


def test_the_app_runs_aws_login_and_signs_in(
    ctx: AppContext, qtbot: QtBot, console: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = install_fake_aws(console, "2.33.1", monkeypatch)
    window = make_window(ctx, qtbot)
    panel = window.sign_in
    assert panel.select_profile("console")
    button = panel.aws_login.button
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    assert "Press “Run aws login” to renew it here" in panel.message.text()
    assert "AWS CLI 2.33.1" in panel.message.text()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert log.read_text().split() == ["login", "--profile", "console"]
    assert ctx.signed_in is not None, panel.message.text()
    assert (ctx.signed_in.profile, ctx.signed_in.account_id) == ("console", "123456789012")
    assert window.current_screen is Screen.ENGAGEMENTS


def test_a_role_on_a_login_profile_renews_its_root(
    ctx: AppContext, qtbot: QtBot, console: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_aws(console, "2.32.0", monkeypatch)
    panel = make_window(ctx, qtbot).sign_in
    assert panel.select_profile("via-console")
    assert panel.aws_login.button.isEnabled()
    assert "aws login --profile console" in panel.aws_login.button.toolTip()


@pytest.mark.parametrize(
    ("version", "says"),
    [(None, "which was not found: install it"), ("2.31.9", "is 2.31.9: update it")],
)
def test_without_a_recent_aws_cli_it_says_what_to_install(
    version: str | None,
    says: str,
    ctx: AppContext,
    qtbot: QtBot,
    console: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if version is not None:
        install_fake_aws(console, version, monkeypatch)
    panel = make_window(ctx, qtbot).sign_in
    assert panel.select_profile("console")
    assert panel.aws_login.button.isVisible()
    assert not panel.aws_login.button.isEnabled()  # it could not act
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    text = panel.message.text()
    assert says in text and "AWS CLI 2.32 or later" in text
    assert "docs.aws.amazon.com/cli" in text and "`aws login --profile console`" in text


def test_the_button_is_only_for_login_profiles(
    ctx: AppContext, qtbot: QtBot, moto_profile: str
) -> None:
    panel = make_window(ctx, qtbot).sign_in
    assert panel.select_profile(moto_profile)
    assert panel.aws_login.button.isHidden()


def test_an_expired_sso_session_names_the_button_that_renews_it(
    ctx: AppContext, qtbot: QtBot
) -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        "[profile corp]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = SecurityAudit\n\n[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    window = make_window(ctx, qtbot)
    ctx.set_signed_in(SignedIn("111111111111", "arn:aws:sts::111111111111:x/y", "corp"))
    ctx.session_expired.emit("Sign in again: the IAM Identity Center token has expired.")
    assert window.current_screen is Screen.SIGN_IN
    text = window.sign_in.message.text()
    assert "press “Sign in with this profile” here for “corp”" in text
    assert window.sign_in.selected_profile() is not None
    assert window.sign_in.selected_profile().name == "corp"  # type: ignore[union-attr]


def test_the_version_is_read_from_aws_version(
    console: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_fake_aws(console, "2.32.4", monkeypatch)
    cli = find_aws_cli()
    assert cli is not None and cli.version == (2, 32, 4) and cli.can_login
