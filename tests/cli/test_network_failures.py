"""Every command that talks to AWS, through every way the network path fails: one line
with the reason, exit 1, never a traceback.

All on loopback: a closed port (connection refused), a proxy variable naming a closed
port (proxy failure), a host under `.invalid` (DNS failure: resolution fails before any
connect), and a socket that accepts and never answers (timeout, made short through the
clients' timeout settings).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws import clients
from tests.cli.helpers import one_clear_line, run_cli

SSO_PROFILE = (
    "[profile corp]\nsso_session = corp\n\n"
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = eu-west-1\n"
)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """Accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


FAILURES = {
    "refused": "refused the connection",
    "proxy": "proxy",
    "dns": "could not be resolved",
    "timeout": "did not answer",
}


@pytest.fixture(params=sorted(FAILURES))
def failure(
    request: pytest.FixtureRequest, silent_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> str:
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
        "refused": f"http://127.0.0.1:{_closed_port()}",
        "proxy": f"http://127.0.0.1:{_closed_port()}",
        "dns": "http://aws.nowhere.invalid",
        "timeout": silent_endpoint,
    }[kind]
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    if kind == "proxy":
        proxy = f"http://127.0.0.1:{_closed_port()}"
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
