"""The exit codes of the command line and the desktop app (README): one meaning each."""

from __future__ import annotations

EXIT_OK = 0  # done (a scan that ran, whatever it found)
EXIT_FAILED = 1  # could not, with the reason on one line
EXIT_USAGE = 2  # the command line itself is wrong (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # Ctrl-C
