"""Sign-in as a user does it: pick a profile, sign in, see who you are; SSO with the code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.aws.login_errors import SignInRequired
from app.ui.context import AppContext, SignedIn
from app.ui.main_window import Screen
from tests.fakes.sso_server import FakeSsoServer, point_botocore_at_home, services_section
from tests.ui.conftest import make_window, prompts


def test_profiles_are_listed_with_their_kinds(
    ctx: AppContext, qtbot: QtBot, moto_profile: str
) -> None:
    window = make_window(ctx, qtbot)
    panel = window.sign_in
    assert window.current_screen is Screen.SIGN_IN
    rows = {
        panel.table.item(r, 0).text(): panel.table.item(r, 1).text()
        for r in range(panel.table.rowCount())
    }
    assert rows[moto_profile] == "Access keys (long-term)"
    assert rows["broken-role"] == "Assume role"
    notes = panel.table.item(list(rows).index("broken-role"), 3).text()
    assert "neither source_profile nor credential_source" in notes


def test_sign_in_with_a_static_keys_profile_shows_account_and_arn(
    ctx: AppContext, qtbot: QtBot, moto_profile: str
) -> None:
    window = make_window(ctx, qtbot)
    assert window.header.account_label.text() == "Not signed in"
    assert window.sign_in.select_profile(moto_profile)
    qtbot.mouseClick(window.sign_in.sign_in_button, Qt.MouseButton.LeftButton)

    assert ctx.signed_in is not None
    assert ctx.signed_in.account_id == "123456789012"
    assert "123456789012" in window.header.account_label.text()
    assert window.header.arn_label.text() == "arn:aws:sts::123456789012:user/moto"
    # Signed in without an engagement: the app moves on to the engagements.
    assert window.current_screen is Screen.ENGAGEMENTS
    assert ctx.settings.last_profile() == moto_profile


def test_a_broken_profile_says_why_and_stays_signed_out(
    ctx: AppContext, qtbot: QtBot, moto_profile: str
) -> None:
    window = make_window(ctx, qtbot)
    window.sign_in.select_profile("broken-role")
    window.sign_in.table.setFocus()
    qtbot.keyClick(window.sign_in.table, Qt.Key.Key_Return)
    assert ctx.signed_in is None
    assert "cannot be used" in window.sign_in.message.text()
    assert window.current_screen is Screen.SIGN_IN


def test_an_expired_session_leads_back_to_sign_in_with_the_reason(
    ctx: AppContext, qtbot: QtBot, moto_profile: str
) -> None:
    def expired() -> object:
        raise SignInRequired(
            "acme", "the IAM Identity Center token has expired", ("aws sso login",)
        )

    window = make_window(ctx, qtbot)
    from tests.ui.helpers import create_via_dialog

    create_via_dialog(window, qtbot, "Expired Co")
    ctx.set_signed_in(
        SignedIn("123456789012", "arn:aws:sts::123456789012:user/x", "acme", make_session=expired)
    )
    window.go_to(Screen.DASHBOARD)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.current_screen is Screen.SIGN_IN
    assert "expired" in window.sign_in.message.text()
    assert "aws sso login" in window.sign_in.message.text()


@pytest.fixture
def fake_sso(monkeypatch: pytest.MonkeyPatch, aws: str) -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        point_botocore_at_home(monkeypatch)
        # The role credentials come from the fake portal; GetCallerIdentity from moto.
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws)
        Path(os.environ["AWS_CONFIG_FILE"]).write_text(
            "[profile picker]\nsso_session = corp\nservices = fake-sso\n\n"
            "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
            "sso_region = eu-west-1\n\n" + services_section(server.endpoint),
            encoding="utf-8",
        )
        yield server


def test_sso_login_shows_the_code_opens_the_browser_and_offers_accounts_and_roles(
    ctx: AppContext, qtbot: QtBot, fake_sso: FakeSsoServer
) -> None:
    fake_sso.state.device_answers = ["pending", "ok"]
    fake_sso.state.interval = 0
    window = make_window(ctx, qtbot)
    panel = window.sign_in
    assert panel.select_profile("picker")
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)

    code = panel.device.code_label
    assert code.text()  # the user code the fake issued
    assert code.font().pointSizeF() >= 24  # shown large
    assert prompts(ctx).opened_urls and prompts(ctx).opened_urls[0].startswith("http")
    picker = panel.picker
    assert not picker.isHidden()
    accounts = [picker.accounts.itemData(i) for i in range(picker.accounts.count())]
    assert accounts == ["222222222222", "333333333333", "111111111111"]  # by name
    picker.accounts.setCurrentIndex(accounts.index("111111111111"))
    roles = [picker.roles.itemText(i) for i in range(picker.roles.count())]
    assert roles == ["AdministratorAccess", "SecurityAudit", "ViewOnlyAccess"]
    picker.roles.setCurrentIndex(1)
    # `aws configure sso`'s suggestion; a taken name is refused as it is typed.
    assert picker.profile_name.text() == "SecurityAudit-111111111111"
    picker.profile_name.setText("picker")
    assert not picker.use_button.isEnabled() and "already exists" in picker.name_problem.text()
    picker.profile_name.setText("bad name")
    assert not picker.use_button.isEnabled() and "letters, digits" in picker.name_problem.text()
    picker.profile_name.setText("SecurityAudit-111111111111")
    qtbot.mouseClick(picker.use_button, Qt.MouseButton.LeftButton)

    config = Path(os.environ["AWS_CONFIG_FILE"]).read_text(encoding="utf-8")
    assert "[profile SecurityAudit-111111111111]" in config
    assert "sso_role_name = SecurityAudit" in config
    assert ctx.signed_in is not None, panel.message.text()
    assert ctx.signed_in.profile == "SecurityAudit-111111111111"


def test_sso_login_can_be_cancelled(
    threaded_ctx: AppContext, qtbot: QtBot, fake_sso: FakeSsoServer
) -> None:
    fake_sso.state.device_answers = ["pending"]
    fake_sso.state.interval = 1
    window = make_window(threaded_ctx, qtbot)
    panel = window.sign_in
    panel.select_profile("picker")
    qtbot.mouseClick(panel.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(panel.device.code_label.text()), timeout=15000)
    assert panel.device.isVisible()
    qtbot.mouseClick(panel.device.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_busy, timeout=15000)
    assert panel.message.text() == "Sign-in cancelled."
    assert panel.device.isHidden()
    assert threaded_ctx.signed_in is None


def test_with_no_profiles_connecting_is_the_main_action(ctx: AppContext, qtbot: QtBot) -> None:
    window = make_window(ctx, qtbot)
    panel = window.sign_in
    assert panel.table.rowCount() == 0
    assert panel.lists.currentWidget() is panel.no_profiles
    text = panel.no_profiles.text.text()
    assert panel.no_profiles.isVisibleTo(panel)
    assert "“Connect with IAM Identity Center…”" in text and "access portal URL" in text
    assert "`aws configure sso`" in text  # the AWS CLI's way, for those who have it
    assert "audit-binder login --profile" not in text  # needs a profile: not a first step
    # No button that cannot act: nothing to sign in with; connecting is the default.
    assert not panel.sign_in_button.isEnabled()
    big = panel.no_profiles.connect_button
    assert big.isEnabled() and big.isDefault() and panel.connect_button.isHidden()
    assert not panel.sign_out_button.isEnabled()
    assert panel.aws_login.button.isHidden()
    if os.environ.get("AUDIT_BINDER_SHOTS"):
        window.grab().save(os.environ["AUDIT_BINDER_SHOTS"])
