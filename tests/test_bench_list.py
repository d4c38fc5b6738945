"""`make bench` runs every benchmark: bench/all.py lists each script of bench/ that runs
on its own, with quick settings that its own parser accepts."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_all", BENCH / "all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _is_script(path: Path) -> bool:
    """Whether the file has an `if __name__ == "__main__":` block."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            return True
    return False


def test_every_benchmark_script_is_run_by_make_bench() -> None:
    scripts = {p.name for p in BENCH.glob("*.py") if _is_script(p)} - {"all.py"}
    assert scripts, "no benchmark found"
    assert set(_runner().QUICK) == scripts


def test_the_quick_settings_are_each_scripts_own_options() -> None:
    """Every option given is one the script's --help names (a renamed option fails here,
    not after minutes of the other benchmarks)."""
    for script, arguments in _runner().QUICK.items():
        usage = subprocess.run(
            [sys.executable, str(BENCH / script), "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for option in (a for a in arguments if a.startswith("--")):
            assert option in usage, (script, option)
