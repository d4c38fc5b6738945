"""Check a demo binder written by the frozen app: it exists, names every control, says DEMO,
and is signed, the signature and every hash holding (pyHanko works inside the bundle).

`make package-check` runs the bundle's `audit-binder demo --pdf X`, then this on X.
With `--db FROZEN --reference-db SOURCE` it also compares the frozen demo's results with
a demo run from the source tree: a moto service missing from the bundle shows only as
extra ERROR rows (moto answers HTTP 500), so the two must agree row for row.
Exit 0 when all is well; otherwise it says what is wrong and exits 1.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

from pypdf import PdfReader

from app.controls.catalogue import load_catalogue
from app.report.verify import verify_binder

DEMO_MARK = "DEMO"


def problems(pdf: Path) -> list[str]:
    if not pdf.is_file() or pdf.stat().st_size == 0:
        return [f"{pdf} was not written"]
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    text = "\n".join(pages)
    found: list[str] = []
    missing = [control for control in load_catalogue().ids if control not in text]
    if missing:
        found.append(f"controls not named in the binder: {', '.join(missing)}")
    unmarked = [str(n) for n, page in enumerate(pages, start=1) if DEMO_MARK not in page]
    if unmarked:
        found.append(f"pages without the DEMO label: {', '.join(unmarked)}")
    verified = verify_binder(pdf)
    found += [f"verify: {problem}" for problem in verified.problems]
    if not verified.signed:
        found.append("the binder is not signed")
    return found


def outcomes(db: Path) -> Counter[tuple[str, str, str, str]]:
    """(control, check, region, status) of every stored result, counted."""
    with closing(sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT control_id, check_id, region, status FROM check_results"
        ).fetchall()
    return Counter((str(a), str(b), str(c), str(d)) for a, b, c, d in rows)


def differences(frozen: Path, reference: Path) -> list[str]:
    mine, theirs = outcomes(frozen), outcomes(reference)
    if not theirs:
        return [f"the reference demo database {reference} has no results"]
    extra = sorted((mine - theirs).elements())
    missing = sorted((theirs - mine).elements())
    return [f"frozen demo has {' '.join(row)} the source demo does not" for row in extra] + [
        f"frozen demo lacks {' '.join(row)}" for row in missing
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--db", type=Path, help="the frozen demo's database")
    parser.add_argument("--reference-db", type=Path, help="a source-tree demo's database")
    args = parser.parse_args(argv)
    found = problems(args.pdf)
    if args.db is not None and args.reference_db is not None:
        found += differences(args.db, args.reference_db)
    for problem in found:
        print(f"package-check: {problem}", file=sys.stderr)
    if found:
        return 1
    pages = len(PdfReader(args.pdf).pages)
    same = " and its results match the source demo's" if args.reference_db else ""
    print(
        f"package-check: OK: {args.pdf} ({pages} pages) is signed and verifies, names every "
        f"control, DEMO on every page{same}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
