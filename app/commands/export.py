"""`audit-binder export --engagement NAME --pdf OUT [--db PATH|URL] [--sign-with FILE.p12]`:
write the evidence binder, signed.

OUT is replaced only when it is missing, empty or an earlier binder of the same
engagement (a PDF whose embedded manifest names it): a typo must not turn someone's
other document, another engagement's binder, or the database itself, into this binder.

The binder is signed with the installation's signing identity (created on the first
export; `app.signing.keystore`) or, with `--sign-with`, the user's own PKCS#12 file,
whose password is asked on the terminal (or read from `--p12-password-env VAR`) and
never stored.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.store_option import add_db_option, chosen_location
from app.controls.catalogue import CatalogueError
from app.exit_codes import EXIT_FAILED, EXIT_OK
from app.store.errors import StoreError

if TYPE_CHECKING:
    from app.signing.identity import SigningIdentity


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
    parser.add_argument(
        "--sign-with",
        type=Path,
        metavar="FILE.p12",
        help="sign with your own certificate and key from a PKCS#12 file (.p12/.pfx) "
        "instead of this installation's signing identity; the password is asked for",
    )
    parser.add_argument(
        "--p12-password-env",
        metavar="VAR",
        help="read the PKCS#12 password from environment variable VAR (for scripts) "
        "instead of asking",
    )
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


def _signer(args: argparse.Namespace, actor: str) -> tuple[SigningIdentity, str]:
    """Who signs, and a note for the user when the installation's identity was just made.

    Raises `SigningError` with the reason."""
    from app.signing.identity import SigningError, load_pkcs12
    from app.signing.keystore import installation_identity

    if args.sign_with is None:
        if args.p12_password_env:
            raise SigningError("--p12-password-env goes with --sign-with FILE.p12.")
        identity, note = installation_identity(actor)
        return identity, f"{note}\n" if note else ""
    if args.p12_password_env:
        password = os.environ.get(args.p12_password_env)
        if password is None:
            raise SigningError(f"the environment variable {args.p12_password_env} is not set.")
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.sign_with}: ")
    else:
        raise SigningError(
            "no terminal to ask the PKCS#12 password on; give it with --p12-password-env VAR."
        )
    return load_pkcs12(args.sign_with, password), ""


def run(args: argparse.Namespace) -> int:
    from app.report.data import UnknownEngagement
    from app.scan.runner import default_actor
    from app.services.binder import write_binder
    from app.signing.identity import SigningError, spaced
    from app.store.database import open_database

    refusal = refusal_to_replace(args.pdf, args.engagement)
    if refusal is not None:
        print(f"audit-binder export: {refusal}", file=sys.stderr)
        return EXIT_FAILED
    try:
        location = chosen_location(args)
    except StoreError as exc:
        print(f"audit-binder export: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not location.is_server and not location.sqlite_path.exists():
        print(f"audit-binder export: no database at {location}; run a scan first.", file=sys.stderr)
        return EXIT_FAILED
    actor = default_actor()
    try:
        signer, note = _signer(args, actor)
    except SigningError as exc:
        print(f"audit-binder export: cannot sign: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        with open_database(location) as database:
            summary = write_binder(database, args.engagement, args.pdf, signer=signer, actor=actor)
    except (UnknownEngagement, StoreError, CatalogueError, SigningError) as exc:
        print(f"audit-binder export: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(
            f"audit-binder export: cannot write {args.pdf}: {exc.strerror or exc}", file=sys.stderr
        )
        return EXIT_FAILED
    if summary.unlogged:
        print(f"audit-binder export: {summary.unlogged}", file=sys.stderr)
    print(
        f"{note}Wrote {summary.path} ({summary.pages} pages, {summary.controls} controls, "
        f"{summary.results} results, {summary.attachments} attachments, "
        f"{summary.scans} scans).\n"
        f"Signed by: {summary.signer}, certificate SHA-256 "
        f"{spaced(summary.signer_fingerprint)}; key in {signer.source}.\n"
        f"Evidence digest (SHA-256): {summary.digest}\n"
        f"Check it any time with: audit-binder verify {summary.path}"
    )
    return EXIT_OK
