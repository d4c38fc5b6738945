"""`audit-binder verify BINDER.pdf`: exit 0 only when nothing in the binder was altered.

Exit 1 when something was (each finding listed), or when the file cannot be checked at
all (missing, unreadable, not a binder): either way it cannot be vouched for.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from app.exit_codes import EXIT_FAILED, EXIT_OK


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check that an exported binder was not altered",
        description="Recompute the SHA-256 of every evidence file embedded in a binder and "
        "compare them with its manifest, with the digest printed in its pages and with the "
        "seal over its pages. Exit status 0 only when nothing was altered.",
    )
    parser.add_argument("binder", type=Path, metavar="BINDER.pdf", help="the binder to check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.report.verify import NotABinder, verify_binder

    # pypdf warns about quirks it reads past (e.g. reportlab's ToUnicode entries for
    # emoji); those are not findings about the binder and would bury the verdict.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        result = verify_binder(args.binder)
    except NotABinder as exc:
        print(f"audit-binder verify: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(
            f"audit-binder verify: cannot read {args.binder}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if result.ok:
        print(
            f"OK: {args.binder} is intact. {result.files_checked} evidence files and "
            f"{result.pages_checked} pages match; digest {result.digest}."
        )
        return EXIT_OK
    print(f"ALTERED: {args.binder} was changed after export.", file=sys.stderr)
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_FAILED
