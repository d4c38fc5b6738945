"""Every benchmark, one after the other, with its figures (what `make bench` runs).

    .venv/bin/python bench/all.py [--full] [SCRIPT ...]

By default each script runs with the quick settings below (smaller sizes, fewer rounds),
enough to see that it still works and the order of its figures; `--full` runs each with
its own defaults, the sizes its aims are stated for. Before each script the machine's load
average is printed (the figures depend on it), after it its wall time; the exit status is
1 if any script failed. `SCRIPT` names some of them (`scan.py ledger.py`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Each benchmark script and its quick settings (a test checks that none is missing).
QUICK: dict[str, tuple[str, ...]] = {
    "binder.py": ("--results", "300", "--images", "5"),
    "control_page.py": ("--rows", "500", "--attachment-mb", "2", "--files", "1"),
    "gui_stall.py": ("--regions", "1"),
    "ledger.py": ("--days", "60", "--repeat", "2"),
    "scan.py": ("--scale", "0.5", "--latency-ms", "20", "--rounds", "1"),
    "store.py": ("--results", "2000", "--attachment-mb", "2"),
}


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def run(script: str, full: bool) -> tuple[int, float]:
    """Run one script (its output straight to ours): its exit status and wall time."""
    arguments = () if full else QUICK[script]
    print(f"\n=== bench/{script} {' '.join(arguments)}  ({_load()})", flush=True)
    environment = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments], env=environment, check=False
    )
    seconds = time.perf_counter() - start
    print(f"=== bench/{script}: {'done' if done.returncode == 0 else 'FAILED'} in {seconds:.0f} s")
    return done.returncode, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="each script's own default sizes")
    parser.add_argument("scripts", nargs="*", metavar="SCRIPT", help=", ".join(QUICK))
    args = parser.parse_args()
    unknown = sorted(set(args.scripts) - set(QUICK))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (there are {', '.join(QUICK)})")
    outcomes = {script: run(script, args.full) for script in args.scripts or QUICK}
    print("\n=== summary")
    for script, (code, seconds) in outcomes.items():
        print(f"bench/{script:<16} {'ok' if code == 0 else 'FAILED':<7} {seconds:6.0f} s")
    print(f"in all {sum(s for _, s in outcomes.values()):.0f} s ({_load()})")
    return 1 if any(code for code, _ in outcomes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
