"""`audit-binder` (the desktop app) where Qt's xcb platform plugin cannot start: one line
naming the missing libraries and the apt line that installs them, exit 1, instead of Qt's
abort (exit 134, "could not load the Qt platform plugin xcb", naming one library at most).

What each test proves:
- the pure parts (which platform is checked, the message and packages for what is
  missing, `ldd`'s output read) with the loader and `ldd` replaced;
- the whole front door in a child process with only the loader's answer replaced
  (`ctypes.CDLL` refusing the plugin) and a fake `ldd`: that the app stops before Qt;
- the real check on this machine, in a child with a DISPLAY where nothing listens: exit 1,
  never Qt's abort, for missing libraries or for the absent X server, whichever is true
  here (a child's own dlopen of the plugin says which);
- with Xvfb and the plugin loadable (CI installs both): the check lets the app through
  and Qt does start on xcb, so the check refuses nothing that would have worked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gui_preflight import (
    PACKAGE_OF,
    QT_PACKAGES,
    XCB_PACKAGES,
    _ldd_missing,
    plugin_problem,
    xcb_only,
    xcb_plugin,
)

PLUGIN = Path("/qt/plugins/platforms/libqxcb.so")
ICCCM = "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
NOWHERE = ":4242"  # an X display number nothing listens on


def _refused(_: Path) -> str:
    return ICCCM


@pytest.mark.parametrize(
    ("environ", "checked"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),  # Qt may pick Wayland
        ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "WAYLAND_DISPLAY": "w"}, True),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0", "WAYLAND_DISPLAY": "w"}, False),
        ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":0"}, True),  # xcb the only one
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ],
)
def test_xcb_is_checked_only_when_qt_can_only_use_it(
    environ: dict[str, str], checked: bool
) -> None:
    assert xcb_only(environ) is checked


def test_every_missing_library_is_named_with_the_packages_that_install_them() -> None:
    missing = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"]

    problem = plugin_problem(PLUGIN, load=_refused, list_missing=lambda _: missing)

    assert problem is not None and "\n" not in problem
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libxkbcommon-x11.so.0 are missing" in problem
    assert problem.endswith(
        "apt-get install -y --no-install-recommends "
        "libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"
    )


def test_without_ldd_the_library_the_loader_named_is_used() -> None:
    problem = plugin_problem(PLUGIN, load=_refused, list_missing=lambda _: [])

    assert problem is not None
    assert "libxcb-icccm.so.4 is missing" in problem
    assert problem.endswith("--no-install-recommends libxcb-icccm4")


def test_a_library_we_do_not_know_brings_the_whole_list() -> None:
    problem = plugin_problem(PLUGIN, load=_refused, list_missing=lambda _: ["libfoo.so.9"])

    assert problem is not None and "libfoo.so.9 is missing" in problem
    for package in (*QT_PACKAGES, *XCB_PACKAGES):
        assert f" {package}" in problem


def test_a_loader_error_that_is_no_missing_library_is_quoted() -> None:
    problem = plugin_problem(
        PLUGIN, load=lambda _: "libqxcb.so: undefined symbol: _ZN3Foo", list_missing=lambda _: []
    )

    assert problem is not None and "undefined symbol: _ZN3Foo" in problem
    assert "apt-get" not in problem


def test_a_plugin_that_loads_is_no_problem_and_ldd_is_not_asked() -> None:
    asked: list[Path] = []

    def list_missing(path: Path) -> list[str]:
        asked.append(path)
        return ["libxcb-icccm.so.4"]

    assert plugin_problem(PLUGIN, load=lambda _: None, list_missing=list_missing) is None
    assert asked == []


def test_every_xcb_library_has_its_debian_package() -> None:
    assert set(XCB_PACKAGES) <= set(PACKAGE_OF.values())
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0"} <= set(
        XCB_PACKAGES
    )
    assert "libxkbcommon-x11-0" in XCB_PACKAGES


def _fake_ldd(folder: Path, missing: list[str]) -> Path:
    """An `ldd` that reports `missing` as not found, among found libraries."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["\tlinux-vdso.so.1 (0x00007ffd)", "\tlibQt6Gui.so.6 => /qt/lib/libQt6Gui.so.6 (0x1)"]
    lines += [f"\t{name} => not found" for name in [*missing, missing[0]]]  # ldd repeats
    (folder / "ldd").write_text("#!/bin/sh\ncat <<'EOF'\n" + "\n".join(lines) + "\nEOF\n")
    (folder / "ldd").chmod(0o755)
    return folder


def test_ldd_output_is_read_for_every_library_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _fake_ldd(tmp_path / "bin", ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    assert _ldd_missing(PLUGIN) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def _app_env(display: str, path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
    env.update(QT_QPA_PLATFORM="xcb", DISPLAY=display)
    if path is not None:
        env["PATH"] = path
    return env


# The front door as `audit-binder --demo` runs it, with the loader refusing the plugin;
# exit 99 if Qt was imported all the same.
CHILD = f"""
import ctypes, sys
real = ctypes.CDLL
def refusing(name, *args, **kwargs):
    if str(name).endswith("libqxcb.so"):
        raise OSError({ICCCM!r})
    return real(name, *args, **kwargs)
ctypes.CDLL = refusing
from app.cli import main
code = main(["--demo"])
sys.exit(99 if "PySide6" in sys.modules else code)
"""


def test_the_app_stops_before_qt_with_the_apt_line(tmp_path: Path) -> None:
    folder = _fake_ldd(tmp_path / "bin", ["libxcb-icccm.so.4", "libxcb-cursor.so.0"])
    env = _app_env(NOWHERE, f"{folder}{os.pathsep}{os.environ['PATH']}")

    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("audit-binder: Qt's xcb platform plugin (the window on X11)")
    assert "libxcb-icccm.so.4, libxcb-cursor.so.0 are missing" in line
    assert line.endswith("--no-install-recommends libxcb-icccm4 libxcb-cursor0")


def _plugin_loads() -> bool:
    """Whether this machine's loader loads the xcb plugin (in a child: no trace here)."""
    plugin = xcb_plugin({})
    assert plugin is not None, "PySide6 ships libqxcb.so"
    code = f"import ctypes, os; ctypes.CDLL({str(plugin)!r}, mode=os.RTLD_LAZY)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_the_real_check_exits_1_never_with_qts_abort() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "--demo"],
        env=_app_env(NOWHERE),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1, done.stderr  # Qt's abort is 134
    [line] = done.stderr.strip().splitlines()
    if _plugin_loads():
        assert f"no X server answers at DISPLAY={NOWHERE}" in line
    else:
        assert "are missing" in line or "is missing" in line
        assert "apt-get install -y --no-install-recommends lib" in line


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A real X server (Xvfb) on a display it chose; its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (CI installs it: .ci/run)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as answer:
        number = answer.readline().strip()
    try:
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_where_the_check_passes_qt_does_start_on_xcb(xvfb: str) -> None:
    if not _plugin_loads():
        pytest.skip("the xcb plugin's libraries are not installed here (CI installs them)")
    code = (
        "import sys\n"
        "from app.gui_preflight import gui_problem\n"
        "assert gui_problem() is None, gui_problem()\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "print(app.platformName())\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_app_env(xvfb),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "xcb"
