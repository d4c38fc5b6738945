"""The front door: --version, --help of every command, unknown commands and options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import COMMANDS, main


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_documents_itself(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: audit-binder {command}")
    assert len(out.splitlines()) > 4  # a description and the options, not just usage


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert f"    {command}  " in out or f"    {command}\n" in out


@pytest.mark.parametrize(
    "argv",
    [["bogus"], ["scan", "--bogus"], ["export"], ["verify"], ["login"], ["export", "--pdf"]],
)
def test_wrong_usage_is_a_usage_error_not_a_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)

    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: audit-binder" in err and "error:" in err
    assert "Traceback" not in err


def test_the_installed_script_answers_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0
    assert done.stdout.strip() == f"audit-binder {__version__}"


def test_ctrl_c_in_any_command_is_exit_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(path: object, *rest: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("app.report.verify.verify_binder", interrupted)

    assert main(["verify", str(tmp_path / "binder.pdf")]) == 130
    assert capsys.readouterr().err.strip() == "audit-binder verify: interrupted."
