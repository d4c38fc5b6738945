"""Before the GUI tests: can Qt load here? If not, say which apt line fixes it."""

from __future__ import annotations

import sys

APT_LINE = (
    "apt-get install -y --no-install-recommends libglib2.0-0 libgl1 libegl1 "
    "libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3 fonts-dejavu-core"
)


def main() -> int:
    try:
        from PySide6 import QtGui  # noqa: F401
    except ImportError as exc:
        print(f"Qt cannot load its system libraries: {exc}", file=sys.stderr)
        print(f"On Debian or Ubuntu, as root:\n    {APT_LINE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
