"""`audit-binder export --engagement NAME --pdf OUT [--db PATH|URL]`: write the evidence binder.

OUT is replaced only when it is missing, empty or an earlier binder of the same
engagement (a PDF whose embedded manifest names it): a typo must not turn someone's
other document, another engagement's binder, or the database itself, into this binder.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from app.commands.store_option import add_db_option, chosen_location
from app.controls.catalogue import CatalogueError
from app.exit_codes import EXIT_FAILED, EXIT_OK
from app.store.errors import StoreError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export an engagement's PDF evidence binder",
        description="Write the PDF evidence binder of an engagement: summary, Statement of "
        "Applicability, every control with its full population of results, manual evidence, "
        "exceptions, sign-offs, scan history and an evidence manifest. The raw evidence is "
        "embedded in the PDF; check it later with `audit-binder verify`.",
    )
    parser.add_argument("--engagement", required=True, metavar="NAME", help="the engagement")
    parser.add_argument("--pdf", required=True, type=Path, metavar="OUT", help="PDF to write")
    add_db_option(parser)
    parser.set_defaults(handler=run)


def _binder_engagement(path: Path) -> str | None:
    """The engagement of the binder at `path`; None when it is not a binder, "" when it
    is one whose manifest cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from app.report.manifest import MANIFEST_NAME, ManifestError, parse_manifest

    # pypdf logs what it reads past ("invalid pdf header"): noise for a yes/no question.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        attachments = PdfReader(path).attachments
        if MANIFEST_NAME not in attachments:
            return None
        raw = attachments[MANIFEST_NAME][0]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    try:
        return parse_manifest(raw).engagement
    except ManifestError:
        return ""


def refusal_to_replace(target: Path, engagement: str) -> str | None:
    """Why `target` must not be replaced by a binder of `engagement`, or None when
    writing there is fine: it is missing, empty, or an earlier binder of `engagement`."""
    if not target.is_file() or target.stat().st_size == 0:
        return None  # missing, empty, or a folder (the write reports it)
    owner = _binder_engagement(target)
    if owner == engagement:
        return None
    if owner is None:
        what = "already exists and is not an Audit Binder binder"
    elif owner:
        what = f"is the binder of another engagement ({owner!r})"
    else:
        what = "is an Audit Binder binder whose engagement cannot be read"
    return (
        f"{target} {what}; it was left untouched. "
        "Choose another file name, or delete that file first."
    )


def run(args: argparse.Namespace) -> int:
    from app.report.data import UnknownEngagement
    from app.services.binder import write_binder
    from app.store.database import open_database

    refusal = refusal_to_replace(args.pdf, args.engagement)
    if refusal is not None:
        print(f"audit-binder export: {refusal}", file=sys.stderr)
        return EXIT_FAILED
    try:
        location = chosen_location(args)
        if not location.is_server and not location.sqlite_path.exists():
            print(
                f"audit-binder export: no database at {location}; run a scan first.",
                file=sys.stderr,
            )
            return EXIT_FAILED
        with open_database(location) as database:
            summary = write_binder(database, args.engagement, args.pdf)
    except (UnknownEngagement, StoreError, CatalogueError) as exc:
        print(f"audit-binder export: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(
            f"audit-binder export: cannot write {args.pdf}: {exc.strerror or exc}", file=sys.stderr
        )
        return EXIT_FAILED
    print(
        f"Wrote {summary.path} ({summary.pages} pages, {summary.controls} controls, "
        f"{summary.results} results, {summary.attachments} attachments, "
        f"{summary.scans} scans).\n"
        f"Evidence digest (SHA-256): {summary.digest}\n"
        f"Check it any time with: audit-binder verify {summary.path}"
    )
    return EXIT_OK
