"""Hints lead somewhere that works: from "no profile" to a signed-in profile, following
only what the messages say (it used to loop: `profiles` suggested `audit-binder login`,
which said the profile did not exist and suggested `profiles`)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws.setup_hints import CONNECT_COMMAND, EXAMPLE_REGION, EXAMPLE_START_URL
from tests.cli.helpers import one_clear_line, run_cli
from tests.fakes.sso_server import FakeSsoServer, first_connection_env


@pytest.fixture
def fake() -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
        server.state.interval = 0
        yield server


def _profiles_hint(capsys: pytest.CaptureFixture[str]) -> str:
    ran = run_cli(capsys, "profiles")
    assert ran.code == 0
    assert "No profiles in" in ran.out
    return ran.out


@pytest.mark.parametrize(
    "argv",
    [["scan", "--regions", "us-east-1"], ["login", "--profile", "ghost", "--no-browser"]],
)
def test_every_dead_end_points_to_profiles_which_points_to_a_way_out(
    argv: list[str],
    fake: FakeSsoServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    if argv[0] == "scan":
        argv = [*argv, "--db", str(tmp_path / "db.sqlite3")]

    first = run_cli(capsys, *argv)

    assert first.code == 1
    assert "`audit-binder profiles`" in one_clear_line(first.err)
    assert "audit-binder login --profile" not in first.err  # needs a profile: not a first step

    # `profiles` names a first connection that needs no profile (nor the AWS CLI).
    hint = _profiles_hint(capsys)
    assert CONNECT_COMMAND in hint
    assert "`aws configure sso`" in hint  # the AWS CLI's way, for those who have it
    config = Path(os.environ["AWS_CONFIG_FILE"])
    assert str(config) in hint

    # Doing exactly that, with the user's own start URL (here: the fake Identity Center's,
    # allowed through the test seam) and region; one account and role to choose from.
    fake.state.accounts = [{"accountId": "222222222222", "accountName": "audit"}]
    start_url = first_connection_env(monkeypatch, fake.endpoint)
    command = CONNECT_COMMAND.replace(EXAMPLE_START_URL, start_url)
    command = command.replace(EXAMPLE_REGION, "eu-west-1")
    connected = run_cli(capsys, *command.split()[1:], "--no-browser")

    assert connected.code == 0, connected.err
    follow = re.search(r"Scan with: (audit-binder scan --profile \S+)", connected.out)
    assert follow is not None, connected.out
    listed = run_cli(capsys, "profiles")
    assert "SecurityAudit-222222222222  sso" in listed.out
