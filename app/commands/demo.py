"""`audit-binder demo [--pdf OUT]`: the whole flow on the built-in demo account, headless.

Starts a local fake AWS (moto, on 127.0.0.1) with the demo company in it, scans it into
a fresh demo database (never the real one), adds the demo's manual work (evidence,
notes, an exception, sign-offs), writes the PDF binder and prints what it found.
moto is imported only when this command runs: the plain app does not need it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store.control_status import ControlSummary

DEFAULT_PDF = Path("audit-binder-demo.pdf")
EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole flow on the built-in demo account and write its binder",
        description="Start a local fake AWS account (a fictitious company, on 127.0.0.1), "
        "scan it, add the demo's evidence, exception and sign-offs, and write the PDF "
        "evidence binder. Needs the 'demo' extra (moto); touches no real AWS account and "
        "not your own database.",
    )
    parser.add_argument(
        "--pdf",
        type=Path,
        default=DEFAULT_PDF,
        metavar="OUT",
        help=f"binder to write (default: ./{DEFAULT_PDF})",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="demo database, rebuilt on every run (default: audit-binder-demo.sqlite3 "
        "in the user data folder, or AUDIT_BINDER_DEMO_DB)",
    )
    parser.set_defaults(handler=run)


def _say(message: str) -> None:
    print(f"demo: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from app.aws.caller import ScanUnavailable
    from app.commands.export import refusal_to_replace
    from app.controls.catalogue import CatalogueError, load_catalogue
    from app.demo.moto_server import MotoMissing
    from app.demo.seed import load_demo_data
    from app.demo.session import DemoError, start_demo
    from app.report.binder import export_binder
    from app.scan.runner import default_actor
    from app.signing.identity import SigningError
    from app.signing.keystore import installation_identity
    from app.store.control_status import control_summaries
    from app.store.database import open_database
    from app.store.engagements import get_engagement
    from app.store.errors import StoreError

    started = time.perf_counter()
    pdf: Path = args.pdf.expanduser().absolute()
    refusal = refusal_to_replace(pdf, load_demo_data().engagement_name)
    if refusal is not None:  # checked first: the demo takes a while before it writes
        print(f"audit-binder demo: {refusal}", file=sys.stderr)
        return EXIT_FAILED
    try:
        catalogue = load_catalogue()
        environment = start_demo(args.db, progress=_say)
    except (MotoMissing, DemoError, ScanUnavailable, StoreError, CatalogueError) as exc:
        print(f"audit-binder demo: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        _say(f"Writing the evidence binder to {pdf}")
        actor = default_actor()
        signer, note = installation_identity(actor)
        if note:
            _say(note)
        with open_database(environment.db_path) as db, db.session() as session:
            binder = export_binder(
                session,
                environment.engagement_name,
                pdf,
                catalogue=catalogue,
                signer=signer,
                actor=actor,
            )
            engagement = get_engagement(session, environment.engagement_id)
            summaries = control_summaries(session, engagement, catalogue.controls)
    except (StoreError, CatalogueError, SigningError) as exc:
        print(f"audit-binder demo: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"audit-binder demo: cannot write {pdf}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        environment.stop()
    print(_report(summaries, environment.db_path, time.perf_counter() - started))
    print(
        f"Binder: {binder.path} ({binder.pages} pages, {binder.results} results, "
        f"{binder.attachments} attachments). Check it with: audit-binder verify {binder.path}"
    )
    return EXIT_OK


_LABELS = {
    "not_checked": "not checked",
    "passing": "passing",
    "failing": "failing",
    "error": "could not be checked",
    "exception": "failing under an accepted exception",
    "signed_off": "signed off",
    "stale": "signed off but changed since (stale)",
    "evidence_missing": "with evidence missing",
    "evidence_attached": "with their evidence attached, not signed off",
}


def _report(summaries: dict[str, ControlSummary], db_path: Path, seconds: float) -> str:
    from app.controls.control_status import ControlStatus

    tally = Counter(summary.status for summary in summaries.values())
    order = [status for status in ControlStatus if tally[status]]
    counted = ", ".join(f"{tally[status]} {_LABELS[status]}" for status in order)
    lines = [
        f"Demo account scanned and bound in {seconds:.0f} s; demo database: {db_path}",
        f"Controls ({len(summaries)}): {counted}.",
    ]
    width = max((len(control) for control in summaries), default=0)
    for control, summary in summaries.items():
        counts = summary.counts
        lines.append(
            f"  {control:<{width}}  {summary.status.value:<11} PASS {counts.passed:>3}  "
            f"FAIL {counts.failed:>3}  ERROR {counts.errors:>2}  excepted {counts.excepted}"
        )
    return "\n".join(lines)
