"""Connect with IAM Identity Center from the Sign-in screen, as a new user with no `~/.aws`:
start URL and region, the browser (the test plays it) or a code, account and role,
profile name, saved and signed in. Cancel at any step leaves the config file as it was."""

from __future__ import annotations

import os
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.aws.profiles import ProfileKind, get_profile
from app.ui.connect_dialog import ConnectDialog
from app.ui.context import AppContext
from app.ui.sign_in_panel import SignInPanel
from tests.fakes.sso_server import FakeSsoServer, first_connection_env
from tests.ui.conftest import FakePrompts, make_window, prompts

REGION = "eu-west-1"
MINE = b"# my own settings\r\n[default]\r\nregion = eu-west-1"  # CRLF, no final newline


class Browser(FakePrompts):
    """Opens nothing on the desktop: follows the sign-in page like a browser whose user
    approves at once (the fake portal redirects to the app's 127.0.0.1 listener)."""

    def open_url(self, url: str) -> bool:
        super().open_url(url)
        if "/authorize?" in url:
            threading.Thread(
                target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True
            ).start()
        return True


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, aws: str) -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        server.state.interval = 0
        first_connection_env(monkeypatch, server.endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws)  # who am I: moto
        yield server


def open_dialog(panel: SignInPanel, qtbot: QtBot) -> ConnectDialog:
    button = (
        panel.no_profiles.connect_button
        if panel.lists.currentWidget() is (panel.no_profiles)
        else panel.connect_button
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = panel.connect_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def fill(dialog: ConnectDialog, fake: FakeSsoServer, *, code: bool = False) -> None:
    dialog.form.url.setText(f"{fake.endpoint}/start")
    dialog.form.region.setCurrentText(REGION)
    dialog.form.device_code.setChecked(code)
    assert dialog.next_button.isEnabled()


def test_a_first_connection_from_nothing_to_signed_in(
    ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer
) -> None:
    shutil.rmtree(Path.home() / ".aws")
    ctx.prompts = Browser()
    window = make_window(ctx, qtbot)
    panel = window.sign_in
    assert panel.lists.currentWidget() is panel.no_profiles
    dialog = open_dialog(panel, qtbot)

    # Nothing to act on yet: the button waits for a URL of the right form and a region.
    assert not dialog.next_button.isEnabled()
    dialog.form.url.setText("https://acme.awsapps.co/start")
    dialog.form.url.editingFinished.emit()
    assert "not an AWS access portal host" in dialog.form.problem.text()
    dialog.form.url.setText("https://acme.awsapps.com/start#/")
    assert dialog.form.problem.text() == "" and not dialog.next_button.isEnabled()
    regions = [dialog.form.region.itemText(i) for i in range(4)]
    assert regions == ["us-east-1", "us-east-2", "us-west-2", "eu-west-1"]  # common first
    fill(dialog, fake)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)

    # The browser flow ran through a real 127.0.0.1 listener; then the pickers.
    assert any("/authorize?" in url for url in prompts(ctx).opened_urls)
    assert dialog.pages.currentWidget() is dialog.picker, dialog.message.text()
    picker = dialog.picker
    accounts = [picker.accounts.itemData(i) for i in range(picker.accounts.count())]
    assert accounts == ["222222222222", "333333333333", "111111111111"]
    picker.accounts.setCurrentIndex(2)
    picker.roles.setCurrentText("SecurityAudit")
    assert picker.profile_name.text() == "SecurityAudit-111111111111"
    assert dialog.next_button.text().replace("&", "") == "Save profile"
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)

    config = Path(os.environ["AWS_CONFIG_FILE"])
    assert config.read_text() == (
        "[profile SecurityAudit-111111111111]\nsso_session = test\n"
        "sso_account_id = 111111111111\nsso_role_name = SecurityAudit\n"
        f"region = {REGION}\n[sso-session test]\nsso_start_url = {fake.endpoint}/start\n"
        f"sso_region = {REGION}\nsso_registration_scopes = sso:account:access\n"
    )
    assert get_profile("SecurityAudit-111111111111").kind is ProfileKind.SSO
    assert not dialog.isVisible()
    assert ctx.signed_in is not None, panel.message.text()
    assert ctx.signed_in.profile == "SecurityAudit-111111111111"
    assert panel.lists.currentWidget() is panel.table


def test_the_device_code_is_shown_large(
    threaded_ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer
) -> None:
    fake.state.device_answers = ["pending"]
    panel = make_window(threaded_ctx, qtbot).sign_in
    dialog = open_dialog(panel, qtbot)
    fill(dialog, fake, code=True)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.wait.code_label.text() == "WDJB-MJHT", timeout=15000)
    assert dialog.wait.code_label.font().pointSizeF() >= 24
    assert prompts(threaded_ctx).opened_urls[-1].endswith("user_code=WDJB-MJHT")
    assert not dialog.next_button.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not threaded_ctx.workers.running, timeout=15000)


def test_no_loopback_port_falls_back_to_the_device_code(
    ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_port(*args: object, **kwargs: object) -> None:
        raise OSError(13, "Permission denied")  # e.g. a sandbox that forbids listening

    monkeypatch.setattr("app.aws.sso_pkce.HTTPServer", no_port)
    panel = make_window(ctx, qtbot).sign_in
    dialog = open_dialog(panel, qtbot)
    fill(dialog, fake)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)

    assert dialog.pages.currentWidget() is dialog.picker, dialog.message.text()
    assert prompts(ctx).opened_urls == [f"{fake.endpoint}/device?user_code=WDJB-MJHT"]
    register = next(body for _, p, body in fake.state.requests if p == "/client/register")
    assert "grantTypes" not in register  # a device-code client, nothing for the browser


def _cancel_at(step: str, dialog: ConnectDialog, fake: FakeSsoServer, qtbot: QtBot) -> None:
    if step == "start URL":
        dialog.form.url.setText("https://acme.awsapps.com/start")
    elif step == "browser":
        fill(dialog, fake)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "approval at" in dialog.wait.url_label.text(), timeout=15000)
    elif step == "device code":
        fake.state.device_answers = ["pending"]
        fill(dialog, fake, code=True)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(dialog.wait.code_label.text()), timeout=15000)
    else:  # account, role and name chosen, not saved
        fill(dialog, fake, code=True)
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.next_button.isEnabled(), timeout=15000)
        assert dialog.pages.currentWidget() is dialog.picker


@pytest.mark.parametrize("step", ["start URL", "browser", "device code", "account and role"])
def test_cancel_at_each_step_leaves_the_config_byte_identical(
    step: str, threaded_ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer
) -> None:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_bytes(MINE)
    panel = make_window(threaded_ctx, qtbot).sign_in
    dialog = open_dialog(panel, qtbot)
    _cancel_at(step, dialog, fake, qtbot)

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not threaded_ctx.workers.running, timeout=15000)

    assert panel.connect_dialog is None
    assert config.read_bytes() == MINE
    assert sorted(p.name for p in config.parent.iterdir() if p.is_file()) == ["config"]
    assert threaded_ctx.signed_in is None


def test_a_name_in_use_cannot_be_saved(ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer) -> None:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text("[profile SecurityAudit-222222222222]\nregion = us-east-1\n")
    panel = make_window(ctx, qtbot).sign_in
    dialog = open_dialog(panel, qtbot)
    fill(dialog, fake, code=True)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    picker = dialog.picker
    assert picker.accounts.currentData() == "222222222222"  # "audit", first by name
    assert picker.profile_name.text() == "SecurityAudit-222222222222-2"
    picker.profile_name.setText("SecurityAudit-222222222222")
    assert not dialog.next_button.isEnabled()
    assert "already exists" in picker.name_problem.text()


def test_trouble_is_one_line_on_the_first_page(
    ctx: AppContext, qtbot: QtBot, fake: FakeSsoServer
) -> None:
    fake.state.start_url_known = False
    panel = make_window(ctx, qtbot).sign_in
    dialog = open_dialog(panel, qtbot)
    fill(dialog, fake, code=True)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.form
    assert f"IAM Identity Center in {REGION} did not accept the start URL" in (
        dialog.message.text()
    )
    assert "\n" not in dialog.message.text() and dialog.next_button.isEnabled()
