"""`audit-binder export --engagement NAME --pdf OUT [--db PATH|URL]`: write the evidence binder.

OUT is replaced only when it is missing, empty or an earlier binder (a PDF carrying our
embedded manifest): a typo must not turn someone's other document, or the database
itself, into a binder.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from app.commands.store_option import add_db_option, chosen_location
from app.controls.catalogue import CatalogueError
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


def _is_binder(path: Path) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from app.report.manifest import MANIFEST_NAME

    # pypdf logs what it reads past ("invalid pdf header"): noise for a yes/no question.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return MANIFEST_NAME in PdfReader(path).attachments
    except (PyPdfError, OSError, ValueError, KeyError, TypeError):
        return False


def refusal_to_replace(target: Path) -> str | None:
    """Why `target` must not be replaced, or None when writing there is fine."""
    if not target.is_file() or target.stat().st_size == 0 or _is_binder(target):
        return None  # missing, empty, a folder (the write reports it) or our own binder
    return (
        f"{target} already exists and is not an Audit Binder binder; it was left untouched. "
        "Choose another file name, or delete that file first."
    )


def run(args: argparse.Namespace) -> int:
    from app.report.binder import export_binder
    from app.report.data import UnknownEngagement
    from app.store.database import open_database

    refusal = refusal_to_replace(args.pdf)
    if refusal is not None:
        print(f"audit-binder export: {refusal}", file=sys.stderr)
        return 1
    try:
        location = chosen_location(args)
        if not location.is_server and not location.sqlite_path.exists():
            print(
                f"audit-binder export: no database at {location}; run a scan first.",
                file=sys.stderr,
            )
            return 2
        with open_database(location) as database, database.session() as session:
            summary = export_binder(session, args.engagement, args.pdf)
    except UnknownEngagement as exc:
        print(f"audit-binder export: {exc}", file=sys.stderr)
        return 2
    except (StoreError, CatalogueError) as exc:
        print(f"audit-binder export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"audit-binder export: cannot write {args.pdf}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    print(
        f"Wrote {summary.path} ({summary.pages} pages, {summary.controls} controls, "
        f"{summary.results} results, {summary.attachments} attachments, "
        f"{summary.scans} scans).\n"
        f"Evidence digest (SHA-256): {summary.digest}\n"
        f"Check it any time with: audit-binder verify {summary.path}"
    )
    return 0
