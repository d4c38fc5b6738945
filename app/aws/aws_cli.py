"""The AWS CLI on this machine, for profiles that sign in with `aws login`.

botocore refreshes an `aws login` session by itself, but only the AWS CLI (2.32 or
later) can start one. When it is installed the app runs `aws login --profile P` for
the user (it opens the browser and waits for the approval); when it is missing or too
old, the message says what to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass

from app.aws.login_errors import SignInCancelled, SignInError

LOGIN_MIN_VERSION = (2, 32, 0)
INSTALL_URL = "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html"
LOGIN_TIMEOUT_S = 600.0
_VERSION = re.compile(r"aws-cli/(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class AwsCli:
    path: str
    version: tuple[int, int, int] | None  # None: `aws --version` said nothing we read

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version)) if self.version else "unknown version"

    @property
    def can_login(self) -> bool:
        return self.version is not None and self.version >= LOGIN_MIN_VERSION


def find_aws_cli(timeout: float = 15.0) -> AwsCli | None:
    """The `aws` on PATH and its version, or None when there is none."""
    path = shutil.which("aws")
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--version"],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return AwsCli(path, None)
    found = _VERSION.search(done.stdout + done.stderr)  # v1 printed it on stderr
    if found is None:
        return AwsCli(path, None)
    major, minor, patch = (int(part) for part in found.groups())
    return AwsCli(path, (major, minor, patch))


def login_command(profile: str) -> str:
    return f"aws login --profile {profile}"


def login_help(profile: str, cli: AwsCli | None) -> str:
    """What renews an `aws login` session, given which AWS CLI (if any) is installed."""
    wanted = ".".join(map(str, LOGIN_MIN_VERSION[:2]))
    if cli is None:
        return (
            f"`aws login` needs the AWS CLI {wanted} or later, which was not found: install "
            f"it ({INSTALL_URL}), then run `{login_command(profile)}`."
        )
    if not cli.can_login:
        return (
            f"`aws login` needs the AWS CLI {wanted} or later; {cli.path} is "
            f"{cli.version_text}: update it ({INSTALL_URL}), then run "
            f"`{login_command(profile)}`."
        )
    return f"Run `{login_command(profile)}` (AWS CLI {cli.version_text})."


def run_aws_login(
    cli: AwsCli,
    profile: str,
    *,
    cancel: threading.Event | None = None,
    timeout: float = LOGIN_TIMEOUT_S,
) -> None:
    """Run `aws login --profile P` and wait for it; `SignInError` with its last words if
    it fails, `SignInCancelled` when cancelled (the process is stopped)."""
    cancel = cancel or threading.Event()
    try:
        process = subprocess.Popen(
            [cli.path, "login", "--profile", profile],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "AWS_PAGER": ""},
        )
    except OSError as exc:
        raise SignInError(f"Could not run {cli.path}: {exc.strerror or exc}") from exc
    said: list[str] = []
    reader = threading.Thread(target=_collect, args=(process, said), daemon=True)
    reader.start()
    waited = 0.0
    while process.poll() is None:
        if cancel.wait(0.2):
            process.terminate()
            process.wait(10)
            raise SignInCancelled()
        waited += 0.2
        if waited >= timeout:
            process.terminate()
            process.wait(10)
            raise SignInError(f"`{login_command(profile)}` was not approved in time.")
    reader.join(5)
    if process.returncode != 0:
        last = next((line for line in reversed(said) if line.strip()), "")
        why = f": {last.strip()}" if last else ""
        raise SignInError(f"`{login_command(profile)}` failed (exit {process.returncode}){why}")


def _collect(process: subprocess.Popen[str], into: list[str]) -> None:
    if process.stdout is not None:
        with process.stdout:  # closed once the output ends, however the login ended
            into.extend(process.stdout)
