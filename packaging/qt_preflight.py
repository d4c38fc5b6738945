"""Before the GUI tests: can Qt load here? If not, say which apt line fixes it.

`--packages` prints every Debian/Ubuntu package the whole suite uses, for `.ci/run` to
install: Qt's (offscreen, and the xcb platform plugin that the desktop app's own preflight
is tested with; listed in `app/gui_preflight.py`, which the app uses too) and the tests'
own tools below. This script runs before the project is installed too, so it finds `app`
beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.gui_preflight import QT_PACKAGES, XCB_PACKAGES, apt_line

# What the tests start besides Qt: a real X server for the xcb preflight's tests, and a
# throwaway PostgreSQL cluster for the team store's (tests/postgres.py).
TEST_TOOLS = ("xvfb", "postgresql")


def main(argv: list[str]) -> int:
    if argv == ["--packages"]:
        print(" ".join(dict.fromkeys([*QT_PACKAGES, *XCB_PACKAGES, *TEST_TOOLS])))
        return 0
    if argv:
        print("usage: qt_preflight.py [--packages]", file=sys.stderr)
        return 2
    try:
        from PySide6 import QtGui  # noqa: F401
    except ImportError as exc:
        print(f"Qt cannot load its system libraries: {exc}", file=sys.stderr)
        print(f"On Debian or Ubuntu, as root:\n    {apt_line(QT_PACKAGES)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
