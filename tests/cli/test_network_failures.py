"""Every command that talks to AWS, through every way the network path fails: one line
with the reason, exit 1, never a traceback.

All on loopback: a closed port (connection refused), a proxy variable naming a closed
port (proxy failure), a host under `.invalid` (DNS failure: resolution fails before any
connect), and a socket that accepts and never answers (timeout, made short through the
clients' timeout settings).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws import clients
from tests.cli.helpers import (
    closed_port,
    fake_web_server,
    one_clear_line,
    run_cli,
    silent_endpoint,
)

SSO_PROFILE = (
    "[profile corp]\nsso_session = corp\n\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = eu-west-1\n"
)


@pytest.fixture
def silent() -> Iterator[str]:
    with silent_endpoint() as endpoint:
        yield endpoint


FAILURES = {
    "refused": "refused the connection",
    "proxy": "proxy",
    "dns": "could not be resolved",
    "timeout": "did not answer",
}


@pytest.fixture(params=sorted(FAILURES))
def failure(request: pytest.FixtureRequest, silent: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)  # no backoff
    for knob in ("CONNECT_TIMEOUT_S", "READ_TIMEOUT_S", "IDENTITY_READ_TIMEOUT_S"):
        monkeypatch.setattr(clients, knob, 0.3)
    kind = str(request.param)
    endpoint = {
        "refused": f"http://127.0.0.1:{closed_port()}",
        "proxy": f"http://127.0.0.1:{closed_port()}",
        "dns": "http://aws.nowhere.invalid",
        "timeout": silent,
    }[kind]
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    if kind == "proxy":
        proxy = f"http://127.0.0.1:{closed_port()}"
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    return kind


COMMANDS = {
    "scan": ["scan", "--regions", "us-east-1"],
    "scan --org-role": ["scan", "--org-role", "AuditBinderReadOnly"],
    "login": ["login", "--profile", "corp", "--no-browser"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_failing_network_path_is_one_line_with_the_reason(
    command: str, failure: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(SSO_PROFILE)
    argv = COMMANDS[command]
    if argv[0] == "scan":
        argv = [*argv, "--db", str(tmp_path / "db.sqlite3")]

    ran = run_cli(capsys, *argv)

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert FAILURES[failure] in line, line
    assert "could not be reached" in line


def test_a_first_connection_through_a_failing_network_path_is_one_line(
    failure: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The portal page answers (a plain web server, allowed through the test seam); the
    # path to IAM Identity Center's API is what fails (the proxy fails for both).
    with fake_web_server(200, b"<title>AWS access portal</title>") as portal:
        monkeypatch.setenv("AUDIT_BINDER_TEST_SSO_ENDPOINT", portal)
        ran = run_cli(
            capsys, "login", "--start-url", f"{portal}/start", "--sso-region", "eu-west-1"
        )

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert FAILURES[failure] in line, line
    assert "could not be reached" in line
    assert not Path(os.environ["AWS_CONFIG_FILE"]).exists()
