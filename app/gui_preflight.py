"""Before the desktop app starts Qt: can it open a window here? Qt-free.

Without a display Qt aborts the whole process inside QApplication ("could not connect
to display", exit 134) before any Python code can explain. `gui_problem()` answers
first, from the environment alone, so `audit-binder` can say what to run instead.
Further checks (e.g. the xcb platform plugin's system libraries) belong here too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Qt platform plugins that need no windowing system to connect to.
_NO_DISPLAY_NEEDED = frozenset(
    {"offscreen", "minimal", "minimalegl", "eglfs", "linuxfb", "vnc", "vkkhrdisplay"}
)
INSTEAD = (
    "Run the headless commands instead (`audit-binder --help`; `audit-binder demo` writes "
    "the demo's binder), or start `audit-binder --demo` from a desktop session."
)


def _platform_usable(name: str, environ: Mapping[str, str]) -> bool:
    if name in _NO_DISPLAY_NEEDED:
        return True
    if name == "xcb":
        return bool(environ.get("DISPLAY"))
    if name.startswith("wayland"):
        return bool(environ.get("WAYLAND_DISPLAY"))
    return True  # a plugin we do not know: let Qt decide


def display_problem(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no window can be opened here, or None when Qt can try."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform in ("darwin", "win32", "cygwin"):
        return None  # the system's own windowing, always there in a user session
    # QT_QPA_PLATFORM may list fallbacks ("wayland;xcb"), each with options ("vnc:size=…").
    wanted = [p.split(":", 1)[0].strip() for p in environ.get("QT_QPA_PLATFORM", "").split(";")]
    wanted = [name for name in wanted if name]
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


def gui_problem() -> str | None:
    """The one line to print instead of starting the desktop app, or None to start it."""
    problem = display_problem()
    return None if problem is None else f"audit-binder: {problem} {INSTEAD}"
