"""Before the GUI tests: can Qt load here? If not, say which apt line fixes it.

`--packages` prints the Debian/Ubuntu packages the whole suite uses (Qt offscreen, and
the xcb platform plugin that the desktop app's own preflight is tested with), for
`.ci/run` to install. The lists live in `app/gui_preflight.py`; this script runs before
the project is installed too, so it finds `app` beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.gui_preflight import QT_PACKAGES, XCB_PACKAGES, apt_line


def main(argv: list[str]) -> int:
    if argv == ["--packages"]:
        print(" ".join(dict.fromkeys([*QT_PACKAGES, *XCB_PACKAGES])))
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
