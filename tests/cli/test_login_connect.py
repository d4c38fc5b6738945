"""`audit-binder login --start-url URL --sso-region R`: a first connection from a machine
with no `~/.aws` at all, against the fake IAM Identity Center, through to a scan."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.aws.sso_cache import SsoTarget, cache_path
from app.demo.moto_server import LocalMotoServer
from tests.cli.helpers import Ran, closed_port, one_clear_line, run_cli
from tests.fakes.sso_server import ROLE_KEY_ID, FakeSsoServer, first_connection_env

REGION = "eu-west-1"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        server.state.interval = 0
        first_connection_env(monkeypatch, server.endpoint)
        yield server


@pytest.fixture
def empty_home() -> Path:
    """No ~/.aws at all, as on a new laptop."""
    shutil.rmtree(Path.home() / ".aws")
    return Path(os.environ["AWS_CONFIG_FILE"])


class Terminal(io.StringIO):
    """stdin as a terminal the user types `answers` into (Ctrl-C: "^C")."""

    def isatty(self) -> bool:
        return True

    def readline(self, *args: Any) -> str:
        line = super().readline(*args)
        if line.strip() == "^C":
            raise KeyboardInterrupt
        if not line:
            raise EOFError
        return line


def login(capsys: pytest.CaptureFixture[str], fake: FakeSsoServer, *extra: str) -> Ran:
    start = f"{fake.endpoint}/start"
    return run_cli(
        capsys, "login", "--start-url", start, "--sso-region", REGION, "--no-browser", *extra
    )


def cli_written(endpoint: str, name: str = "SecurityAudit-111111111111") -> str:
    """What `aws configure sso` appends for session "test" and this account and role: its
    ConfigFileWriter puts the profile first, then the new sso-session, `key = value` in the
    order it asked, with no blank line between the sections."""
    return (
        f"[profile {name}]\n"
        "sso_session = test\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = SecurityAudit\n"
        f"region = {REGION}\n"
        "[sso-session test]\n"
        f"sso_start_url = {endpoint}/start\n"
        f"sso_region = {REGION}\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def test_first_connection_from_an_empty_home_to_a_scan(
    fake: FakeSsoServer,
    empty_home: Path,
    moto_server: LocalMotoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran = login(capsys, fake, "--account-id", "111111111111", "--role-name", "SecurityAudit")

    assert ran.code == 0, ran.err
    assert "WDJB-MJHT" in ran.out  # the device code, shown in the terminal
    assert "Saved profile SecurityAudit-111111111111" in ran.out
    assert empty_home.read_text() == cli_written(fake.endpoint)  # byte for byte the CLI's
    assert empty_home.stat().st_mode & 0o077 == 0
    assert "audit-binder scan --profile SecurityAudit-111111111111" in ran.out

    # The profile as `profiles` sees it, beside the same profile written by the AWS CLI.
    ours = json.loads(run_cli(capsys, "profiles", "--json").out)["profiles"]
    theirs_file = tmp_path / "cli-config"
    theirs_file.write_text(cli_written(fake.endpoint))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(theirs_file))
    theirs = json.loads(run_cli(capsys, "profiles", "--json").out)["profiles"]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty_home))
    assert ours == theirs and ours[0]["kind"] == "sso"
    table = run_cli(capsys, "profiles").out
    assert "SecurityAudit-111111111111  sso" in table and "111111111111 / SecurityAudit" in table

    # Scan-ready: botocore's own SSO provider gets the role's keys from the fake portal
    # with the token we cached; the scan then runs against moto with them.
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    scanned = run_cli(
        capsys,
        "scan",
        "--profile",
        "SecurityAudit-111111111111",
        "--regions",
        "us-east-1",
        "--controls",
        "cloudtrail",
        "--db",
        str(tmp_path / "scan.sqlite3"),
        "--json",
        str(tmp_path / "scan.json"),
    )
    assert scanned.code == 0, scanned.err
    credentials = [r for r in fake.state.requests if r[1] == "/federation/credentials"]
    assert credentials and credentials[-1][2] == {
        "role_name": "SecurityAudit",
        "account_id": "111111111111",
    }
    assert json.loads((tmp_path / "scan.json").read_text())["results"]
    assert ROLE_KEY_ID not in scanned.out + scanned.err


def test_several_accounts_without_a_terminal_name_the_options(
    fake: FakeSsoServer, empty_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = login(capsys, fake)

    assert ran.code == 2
    line = one_clear_line(ran.err)
    assert "--account-id" in line and "--role-name" in line
    assert "111111111111 prod" in line and "222222222222 audit" in line
    assert not empty_home.exists()


def test_a_single_account_and_role_are_taken_without_asking(
    fake: FakeSsoServer, empty_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.state.accounts = [{"accountId": "222222222222", "accountName": "audit"}]
    ran = login(capsys, fake, "--profile", "audit", "--region", "us-east-2")

    assert ran.code == 0, ran.err
    assert "Using the only account you may use: 222222222222" in ran.out
    assert "Using the only role you may use: SecurityAudit" in ran.out
    assert (
        "[profile audit]\nsso_session = test\nsso_account_id = 222222222222\n"
        "sso_role_name = SecurityAudit\nregion = us-east-2\n"
    ) in empty_home.read_text()


def test_numbered_choices_in_a_terminal(
    fake: FakeSsoServer,
    empty_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Accounts are listed by name (audit, dev, prod): 9 is no choice, 3 is prod; then the
    # second role; then the suggested profile name (Enter).
    monkeypatch.setattr("sys.stdin", Terminal("9\n3\n2\n\n"))
    ran = login(capsys, fake)

    assert ran.code == 0, ran.err
    assert "  3. 111111111111  prod" in ran.out
    assert "Type a number from 1 to 3." in ran.out
    assert "  2. SecurityAudit" in ran.out
    assert "[profile SecurityAudit-111111111111]" in empty_home.read_text()


def test_the_suggested_name_never_replaces_a_profile(
    fake: FakeSsoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text("[profile SecurityAudit-111111111111]\nregion = us-east-1\n")
    ran = login(capsys, fake, "--account-id", "111111111111", "--role-name", "SecurityAudit")
    assert ran.code == 0, ran.err
    assert "Saved profile SecurityAudit-111111111111-2" in ran.out


@pytest.mark.parametrize("where", ["waiting for approval", "choosing the account"])
def test_ctrl_c_leaves_the_config_byte_identical(
    where: str,
    fake: FakeSsoServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_bytes(b"# mine\r\n[default]\r\nregion = eu-west-1")
    before = config.read_bytes()
    if where == "waiting for approval":
        fake.state.device_answers = ["pending"]

        def interrupt(url: str, new: int = 0) -> bool:
            raise KeyboardInterrupt  # the user presses Ctrl-C once the code is shown

        monkeypatch.setattr("webbrowser.open", interrupt)
        ran = run_cli(
            capsys, "login", "--start-url", f"{fake.endpoint}/start", "--sso-region", REGION
        )
    else:
        monkeypatch.setattr("sys.stdin", Terminal("^C\n"))
        ran = login(capsys, fake)

    assert ran.code == 130
    assert "the AWS config file was not changed" in ran.err
    assert config.read_bytes() == before
    assert list(config.parent.glob("config.audit-binder-backup-*")) == []


def test_pkce_with_the_test_as_the_browser(
    fake: FakeSsoServer,
    empty_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    followed: list[str] = []

    def browser(url: str, new: int = 0) -> bool:
        # A real listener on 127.0.0.1 waits for the redirect the fake portal answers with.
        followed.append(url)
        threading.Thread(
            target=lambda: urllib.request.urlopen(url, timeout=10).read(), daemon=True
        ).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    ran = run_cli(
        capsys,
        "login",
        "--start-url",
        f"{fake.endpoint}/start",
        "--sso-region",
        REGION,
        "--pkce",
        "--account-id",
        "222222222222",
        "--role-name",
        "SecurityAudit",
    )

    assert ran.code == 0, ran.err
    assert followed and "/authorize?" in followed[0]
    grants = [body.get("grantType") for _, path, body in fake.state.requests if path == "/token"]
    assert grants == ["authorization_code"]
    assert "POST /device_authorization" not in fake.state.operations()
    assert "[profile SecurityAudit-222222222222]" in empty_home.read_text()


def test_a_second_connection_reuses_the_sign_in_and_the_registration(
    fake: FakeSsoServer, empty_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--account-id", "111111111111", "--role-name")
    assert login(capsys, fake, *args, "SecurityAudit").code == 0
    assert fake.state.operations().count("POST /client/register") == 1
    # Within the token's life: no new sign-in at all.
    fake.state.requests.clear()
    assert login(capsys, fake, *args, "ViewOnlyAccess").code == 0
    assert not {"POST /client/register", "POST /device_authorization"} & set(
        fake.state.operations()
    )
    # Signed out (the token gone), the cached client registration is still used.
    target = SsoTarget(f"{fake.endpoint}/start", REGION, "test")
    cache_path(target).unlink()
    fake.state.requests.clear()
    assert login(capsys, fake, *args, "AdministratorAccess").code == 0
    posts = [op for op in fake.state.operations() if op.startswith("POST")]
    assert posts == ["POST /device_authorization", "POST /token"]
    assert empty_home.read_text().count("[sso-session test]") == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--start-url", "https://acme.awsapps.com/start"], "--sso-region"),
        (["--sso-region", REGION], "--start-url"),
        (["--start-url", "http://acme.awsapps.com/start", "--sso-region", REGION], "https://"),
        (["--start-url", "https://acme.example.com/start", "--sso-region", REGION], "host"),
        (["--start-url", "https://acme.awsapps.com/start", "--sso-region", "mars-1"], "mars-1"),
        (
            [
                *("--start-url", "https://acme.awsapps.com/start", "--sso-region", REGION),
                *("--account-id", "12345"),
            ],
            "12-digit",
        ),
    ],
)
def test_usage_mistakes_exit_2_before_any_network(
    argv: list[str], says: str, fake: FakeSsoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(capsys, "login", *argv)
    assert ran.code == 2
    assert says in one_clear_line(ran.err)
    assert fake.state.requests == []


def test_first_connection_options_without_a_start_url_are_argparse_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_cli(capsys, "login", "--account-id", "111111111111")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: audit-binder login" in err and "--account-id only go with --start-url" in err


def test_a_taken_profile_name_is_refused_before_signing_in(
    fake: FakeSsoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text("[profile audit]\nregion = us-east-1\n")
    ran = login(capsys, fake, "--profile", "audit")
    assert ran.code == 2
    assert "already exists" in one_clear_line(ran.err)
    assert fake.state.requests == []


def test_a_start_url_that_does_not_answer_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("AUDIT_BINDER_TEST_SSO_ENDPOINT", closed)
    ran = run_cli(capsys, "login", "--start-url", f"{closed}/start", "--sso-region", REGION)
    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert f"{closed}/start did not answer" in line and "refused the connection" in line


def test_a_start_url_the_region_does_not_know_is_said_so(
    fake: FakeSsoServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.state.start_url_known = False
    ran = login(capsys, fake, "--account-id", "111111111111")
    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert f"IAM Identity Center in {REGION} did not accept the start URL" in line
