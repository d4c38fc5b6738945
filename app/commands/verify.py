"""`audit-binder verify BINDER.pdf [--cert CERT]`: is this the binder as it was signed?

One line per check, in order: the signature, every embedded evidence file, the page
seal, the digest. Exit 0 only when every check holds; 1 when one fails (each failure
named) or the file cannot be read; 2 when the file is not an Audit Binder binder at all
(pointed at the wrong file, like a usage mistake).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from app.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a binder's signature and that nothing in it was altered",
        description="Check an exported binder: its PAdES signature (it must cover the whole "
        "file: any byte changed or appended afterwards fails), then the SHA-256 of every "
        "evidence file embedded in it against its manifest, the seal over its pages, and the "
        "digest printed in its pages. One line per check. Exit status 0 only when all hold; "
        "1 when any fails or the file cannot be read; 2 when it is not an Audit Binder binder.",
    )
    parser.add_argument("binder", type=Path, metavar="BINDER.pdf", help="the binder to check")
    parser.add_argument(
        "--cert",
        type=Path,
        metavar="CERT",
        help="also require that the binder was signed with this certificate (PEM or DER), "
        "e.g. the one the person who exported it gave you",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.report.verify import NotABinder, verify_binder
    from app.signing.identity import SigningError, load_certificate

    # pypdf warns about quirks it reads past (e.g. reportlab's ToUnicode entries for
    # emoji); those are not findings about the binder and would bury the verdict.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    # pyHanko logs what it reads past and every failed path: the findings are ours to say.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        trusted = [load_certificate(args.cert)] if args.cert else []
    except SigningError as exc:
        print(f"audit-binder verify: could not use --cert: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        result = verify_binder(args.binder, trusted)
    except NotABinder as exc:
        print(f"audit-binder verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"audit-binder verify: could not check {args.binder}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    for line in result.lines:
        print(line.render())
    if result.ok:
        how = (
            f"signed by {result.signature.signer}"
            if result.signature is not None and result.signed
            else "not signed"
        )
        print(
            f"OK: {args.binder} is intact ({how}): {result.files_checked} evidence files and "
            f"{result.pages_checked} pages match; digest {result.digest}."
        )
        return EXIT_OK
    failed = [line for line in result.lines if not line.ok]
    topics = ", ".join(dict.fromkeys(line.topic.lower() for line in failed))
    print(
        f"ALTERED: {args.binder} does not hold as exported: {len(failed)} check(s) failed "
        f"({topics}), each marked FAILED above.",
        file=sys.stderr,
    )
    return EXIT_FAILED
