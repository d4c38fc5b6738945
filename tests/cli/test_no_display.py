"""`audit-binder` (the desktop app) where no window can be opened: one line, exit 1,
instead of Qt aborting the process (exit 134, "could not connect to display")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.gui_preflight import display_problem


def test_the_app_without_a_display_says_so_in_one_line_and_exits_1() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)

    done = subprocess.run(
        [sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "no display" in lines[0] and "DISPLAY" in lines[0]
    assert "audit-binder demo" in lines[0] and "audit-binder --demo" in lines[0]


@pytest.mark.parametrize(
    ("environ", "platform", "usable"),
    [
        ({}, "linux", False),
        ({"DISPLAY": ":0"}, "linux", True),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
        ({"QT_QPA_PLATFORM": "minimal"}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}, "linux", True),
        ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":1"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"}, "linux", True),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux", True),
        ({}, "freebsd14", False),
        ({}, "darwin", True),
        ({}, "win32", True),
    ],
)
def test_when_a_window_can_be_opened(environ: dict[str, str], platform: str, usable: bool) -> None:
    problem = display_problem(environ, platform)

    assert (problem is None) == usable
    if problem is not None:
        assert "\n" not in problem and "DISPLAY" in problem
