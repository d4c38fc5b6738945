"""Before the desktop app starts Qt: can it open a window here? Qt-free.

Qt aborts the whole process inside QApplication (exit 134) before any Python code can
explain: without a display ("could not connect to display"), and when its xcb platform
plugin (the window on X11) misses a system library ("could not load the Qt platform
plugin xcb", naming at most one library, often the wrong one). `gui_problem()` answers
first, so `audit-binder` can say what to run or install instead.

The Debian/Ubuntu packages Qt needs are listed here and nowhere else: `make test`
(`packaging/qt_preflight.py`) and `.ci/run` take them from this module.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# Qt platform plugins that need no windowing system to connect to.
_NO_DISPLAY_NEEDED = frozenset(
    {"offscreen", "minimal", "minimalegl", "eglfs", "linuxfb", "vnc", "vkkhrdisplay"}
)
INSTEAD = (
    "Run the headless commands instead (`audit-binder --help`; `audit-binder demo` writes "
    "the demo's binder), or start `audit-binder --demo` from a desktop session."
)

# Qt with any platform plugin, offscreen included (what the tests need).
QT_PACKAGES = (
    "libglib2.0-0", "libgl1", "libegl1", "libfontconfig1", "libfreetype6", "libxkbcommon0",
    "libdbus-1-3", "fonts-dejavu-core",
)  # fmt: skip
# The xcb platform plugin's own libraries (`ldd libqxcb.so`), by the package holding each.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
}  # fmt: skip
XCB_PACKAGES = tuple(dict.fromkeys(XCB_LIBRARIES.values()))
# Qt's own libraries that the plugin needs too, by package.
_QT_LIBRARIES = {
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
}  # fmt: skip
PACKAGE_OF = {**_QT_LIBRARIES, **XCB_LIBRARIES}


def apt_line(packages: Sequence[str]) -> str:
    return "apt-get install -y --no-install-recommends " + " ".join(packages)


def _platform_usable(name: str, environ: Mapping[str, str]) -> bool:
    if name in _NO_DISPLAY_NEEDED:
        return True
    if name == "xcb":
        return bool(environ.get("DISPLAY"))
    if name.startswith("wayland"):
        return bool(environ.get("WAYLAND_DISPLAY"))
    return True  # a plugin we do not know: let Qt decide


def _wanted(environ: Mapping[str, str]) -> list[str]:
    # QT_QPA_PLATFORM may list fallbacks ("wayland;xcb"), each with options ("vnc:size=…").
    wanted = [p.split(":", 1)[0].strip() for p in environ.get("QT_QPA_PLATFORM", "").split(";")]
    return [name for name in wanted if name]


def display_problem(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no window can be opened here, or None when Qt can try."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform in ("darwin", "win32", "cygwin"):
        return None  # the system's own windowing, always there in a user session
    wanted = _wanted(environ)
    if wanted:
        if any(_platform_usable(name, environ) for name in wanted):
            return None
        return (
            f"no display for the Qt platform {environ['QT_QPA_PLATFORM']!r} (QT_QPA_PLATFORM; "
            "DISPLAY or WAYLAND_DISPLAY not set)."
        )
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "no display to open the app on (neither DISPLAY nor WAYLAND_DISPLAY is set)."


def xcb_only(environ: Mapping[str, str]) -> bool:
    """Whether Qt can only open its window through xcb here (a display is there).

    Unset QT_QPA_PLATFORM with WAYLAND_DISPLAY set: Qt may choose Wayland; not our call."""
    wanted = _wanted(environ)
    if not wanted:
        return bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")
    return [name for name in wanted if _platform_usable(name, environ)] == ["xcb"]


def xcb_plugin(environ: Mapping[str, str]) -> Path | None:
    """Qt's xcb platform plugin (`libqxcb.so`), where Qt will look for it; found without
    importing PySide6."""
    folders = (
        [Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"])]
        if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
        else []
    )
    spec = importlib.util.find_spec("PySide6")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.append(Path(location) / "Qt" / "plugins" / "platforms")
    return next((f / "libqxcb.so" for f in folders if (f / "libqxcb.so").is_file()), None)


def _dlopen(path: Path) -> str | None:
    """Load `path` as Qt will (lazy binding): None when it loads, else the loader's error.

    Loading it here costs nothing: Qt loads the same plugin a moment later."""
    try:
        ctypes.CDLL(str(path), mode=os.RTLD_LAZY)
    except OSError as error:
        return str(error)
    return None


def _ldd_missing(path: Path) -> list[str]:
    """Every library `path` needs that the loader cannot find (`ldd`), in its order."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        done = subprocess.run(
            [ldd, str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    found = re.findall(r"^\s*(\S+) => not found", done.stdout, flags=re.MULTILINE)
    return list(dict.fromkeys(found))


def plugin_problem(
    plugin: Path,
    load: Callable[[Path], str | None] = _dlopen,
    list_missing: Callable[[Path], list[str]] = _ldd_missing,
) -> str | None:
    """None when `plugin` loads; else what it lacks (every library `ldd` finds missing,
    else the one the loader named) and the apt line that installs it."""
    error = load(plugin)
    if error is None:
        return None
    missing = list_missing(plugin) or re.findall(r"(\S+): cannot open shared object file", error)
    if not missing:  # not a missing library: the loader's own words
        return f"Qt's xcb platform plugin (the window on X11) cannot load: {error}"
    packages = [PACKAGE_OF[name] for name in missing if name in PACKAGE_OF]
    if len(packages) < len(missing):  # one we do not know: the whole list, which may help
        packages = [*packages, *QT_PACKAGES, *XCB_PACKAGES]
    return (
        f"Qt's xcb platform plugin (the window on X11) cannot load: {', '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing. On Debian or Ubuntu, as root "
        f"(or with sudo): {apt_line(list(dict.fromkeys(packages)))}"
    )


def x_server_problem(display: str) -> str | None:
    """None when an X server answers at `display` (libxcb's own connect, as Qt's)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None  # the plugin check names it; else let Qt say
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        failed = xcb.xcb_connection_has_error(connection)
    finally:
        xcb.xcb_disconnect(connection)
    if not failed:
        return None
    return f"no X server answers at DISPLAY={display} (is the X session still running?)."


def xcb_problem(environ: Mapping[str, str]) -> str | None:
    """Why Qt's xcb platform would abort here, or None when it can start."""
    if not xcb_only(environ):
        return None
    plugin = xcb_plugin(environ)
    if plugin is None:
        return None  # not where we look (a custom build): let Qt say
    problem = plugin_problem(plugin)
    if problem is not None:
        return problem
    problem = x_server_problem(environ.get("DISPLAY", ""))
    return None if problem is None else f"{problem} {INSTEAD}"


def gui_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The one line to print instead of starting the desktop app, or None to start it."""
    environ = os.environ if environ is None else environ
    problem = display_problem(environ)
    if problem is not None:
        return f"audit-binder: {problem} {INSTEAD}"
    if sys.platform.startswith(("darwin", "win32", "cygwin")):
        return None
    problem = xcb_problem(environ)
    return None if problem is None else f"audit-binder: {problem}"
