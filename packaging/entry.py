"""The frozen app's entry point (PyInstaller needs a script, not a console-script entry).

`freeze_support()` first: the GUI's scans run in a child process started with the
"spawn" method, which re-runs this executable; it must become that child, not the app.
"""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
