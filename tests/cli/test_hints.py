"""Hints lead somewhere that works: from "no profile" to a signed-in profile, following
only what the messages say (it used to loop: `profiles` suggested `audit-binder login`,
which said the profile did not exist and suggested `profiles`)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws.setup_hints import EXAMPLE_CONFIG, EXAMPLE_PROFILE
from tests.cli.helpers import one_clear_line, run_cli
from tests.fakes.sso_server import FakeSsoServer, services_section


@pytest.fixture
def fake() -> Iterator[FakeSsoServer]:
    with FakeSsoServer() as server:
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
    assert "audit-binder login --" not in first.err  # needs a profile: not a first step

    # `profiles` names a set-up that needs no profile yet, and what to run after it.
    hint = _profiles_hint(capsys)
    assert "`aws configure sso`" in hint
    config = Path(os.environ["AWS_CONFIG_FILE"])
    assert str(config) in hint
    assert all(line in hint for line in EXAMPLE_CONFIG.splitlines() if line)
    follow = re.search(r"`(audit-binder login --profile \S+)`", hint)
    assert follow is not None and follow.group(1).endswith(EXAMPLE_PROFILE)

    # Doing exactly that (with the user's own start URL and the fake Identity Center):
    written = EXAMPLE_CONFIG.replace("https://YOUR-ORG.awsapps.com/start", "https://acme.test/")
    # (Only for the test: the profile's SSO calls go to the fake Identity Center.)
    written = written.replace("\n\n", "\nservices = fake-sso\n\n", 1)
    config.write_text(f"{written}\n{services_section(fake.endpoint)}")
    signed_in = run_cli(capsys, *follow.group(1).split()[1:], "--no-browser")

    assert signed_in.code == 0, signed_in.err
    assert "111111111111  prod" in signed_in.out  # the accounts to pick from
