"""A stand-in for systemctl/loginctl, shared by the scheduler tests and the GUI's schedule
tests: `Recorder` answers as they would and keeps what was asked (the `systemctl_on_path`
fixture, in tests/conftest.py, makes `shutil.which("systemctl")` find one)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


class Recorder:
    """Answers like systemctl/loginctl would on a machine with a user manager."""

    def __init__(self, failing: str = "") -> None:
        self.calls: list[list[str]] = []
        self.failing = failing

    def __call__(self, argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(argv))
        if self.failing and self.failing in argv:
            return subprocess.CompletedProcess(list(argv), 1, "", "Unit file is masked.")
        out = ""
        if "show" in argv and any(a.endswith(".timer") for a in argv):
            out = "NextElapseUSecRealtime=Sat 2026-12-05 03:07:00 UTC\nActiveState=active\n"
        return subprocess.CompletedProcess(list(argv), 0, out, "")
