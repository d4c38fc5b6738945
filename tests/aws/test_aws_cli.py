"""Finding the AWS CLI and running `aws login` with it (a stand-in script on PATH)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from app.aws.aws_cli import AwsCli, find_aws_cli, login_help, run_aws_login
from app.aws.login_errors import SignInCancelled, SignInError


def _script(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> AwsCli:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "aws"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return AwsCli(str(script), (2, 33, 0))


@pytest.mark.parametrize(
    ("said", "version"),
    [
        ("echo 'aws-cli/2.32.0 Python/3.13.7 Linux/6.8 exe/x86_64'", (2, 32, 0)),
        ("echo 'aws-cli/1.18.69 Python/2.7.18 Linux/5.4 botocore/1.16.19' >&2", (1, 18, 69)),
        ("echo 'something else'", None),
    ],
)
def test_the_version_comes_from_aws_version(
    said: str, version: tuple[int, int, int] | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _script(tmp_path, said + "\n", monkeypatch)
    cli = find_aws_cli()
    assert cli is not None and cli.version == version
    assert cli.can_login is (version is not None and version >= (2, 32, 0))


def test_no_aws_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_aws_cli() is None
    assert "was not found: install it" in login_help("p", None)


def test_a_failed_aws_login_says_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = _script(
        tmp_path, "echo 'Opening browser'\necho 'Error: access denied' >&2\nexit 3\n", monkeypatch
    )
    with pytest.raises(SignInError, match=r"failed \(exit 3\): Error: access denied"):
        run_aws_login(cli, "console")


def test_aws_login_is_stopped_when_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = _script(tmp_path, "exec sleep 60\n", monkeypatch)
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    with pytest.raises(SignInCancelled):
        run_aws_login(cli, "console", cancel=cancel, timeout=30)


def test_aws_login_that_never_ends_times_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = _script(tmp_path, "exec sleep 60\n", monkeypatch)
    with pytest.raises(SignInError, match="not approved in time"):
        run_aws_login(cli, "console", timeout=0.5)
