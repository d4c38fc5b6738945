"""Benchmark: export a signed binder with ~2,000 results and 50 image attachments, of the
whole audit: every control of the catalogue (a file against each manual evidence item),
the 93-row Statement of Applicability decided and approved, every SOC 2 category in scope.

Run: `.venv/bin/python bench/binder.py [--results 2000] [--images 50] [--keep DIR]`.
Fills a fresh SQLite store through the store's own API (each scan with its listing
receipts), then exports the binder, signed with a fresh ECDSA P-256 identity as a first
export would create, in a fresh process and prints the export's wall time and that
process's peak memory (RSS).
Aim: under 5 s and 400 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fill(db: Path, results: int, images: int) -> None:
    from app.controls.catalogue import load_catalogue
    from app.store.database import open_database
    from tests.report.populate import Spec, populate

    catalogue = load_catalogue()
    checks = sum(len(c.checks) for c in catalogue.controls)
    per_check = max(1, round(results / checks))
    spec = Spec(results_per_check=per_check, images=images, two_scans=False, whole_audit=True)
    with open_database(db) as database, database.session() as session:
        populate(session, catalogue, spec)


def export(db: Path, pdf: Path) -> None:
    import resource

    from app.report.binder import export_binder
    from app.signing.identity import new_identity
    from app.store.database import open_database

    with open_database(db) as database, database.session() as session:
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        signer = new_identity("bench", "bench-host", source="the benchmark")
        summary = export_binder(session, "Acme 2026", pdf, signer=signer, actor="bench")
        seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_kib = after.ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_rss_mb": round(peak_kib / 1024, 1),
                "pages": summary.pages,
                "results": summary.results,
                "attachments": summary.attachments,
                "pdf_mb": round(summary.size_bytes / 1e6, 2),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="keep the DB and PDF in this folder")
    parser.add_argument("--export-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export(*args.export_only)
        return 0
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        db, pdf = folder / "bench.sqlite3", folder / "bench-binder.pdf"
        db.unlink(missing_ok=True)
        fill(db, args.results, args.images)
        run = subprocess.run(
            [sys.executable, __file__, "--export-only", str(db), str(pdf)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(run.stdout.strip().splitlines()[-1])
    print(
        f"binder export: {figures['results']} results, {figures['attachments']} attachments, "
        f"{figures['pages']} pages, {figures['pdf_mb']} MB PDF"
    )
    print(
        f"time: {figures['seconds']} s wall, {figures['cpu_seconds']} s CPU (aim < 5 s; the "
        "CPU figure is what counts on a busy machine)"
    )
    print(f"peak memory (RSS of the export process): {figures['peak_rss_mb']} MB (aim < 400 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
