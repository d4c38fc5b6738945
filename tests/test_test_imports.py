"""Test modules import no other test module: what tests share lives in helpers modules
(`tests/**/helpers.py`, fakes, fixtures), so that running, moving or deleting one test
module never changes what another collects or runs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where test code may be imported from: the tests themselves, the benches, the
# screenshot renderer.
SCANNED = ("tests", "bench", "docs")


def _is_test_module(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "tests" and any(p.startswith("test_") for p in parts[1:])


def _package(path: Path, root: Path) -> list[str]:
    return list(path.relative_to(root).parts[:-1])


def _imports(path: Path, root: Path) -> list[tuple[int, list[str]]]:
    """Each import statement of `path` (its line) with the modules it may load: relative
    imports resolved, and imported names that may be modules (`from tests.ui import x`)."""
    found: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.append((node.lineno, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path, root)
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            found.append((node.lineno, [base, *(f"{base}.{a.name}" for a in node.names)]))
    return found


def offending_imports(root: Path = ROOT) -> list[str]:
    found = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            for line, names in _imports(path, root):
                tests = [name for name in names if _is_test_module(name)]
                if tests:
                    found.append(f"{path.relative_to(root)}:{line}: imports {tests[0]}")
    return found


def test_no_module_imports_a_test_module() -> None:
    assert offending_imports() == [], "move what is shared into a helpers module"


def test_the_check_finds_each_spelling_of_such_an_import(tmp_path: Path) -> None:
    package = tmp_path / "tests" / "ui"
    package.mkdir(parents=True)
    spellings = [
        "from tests.ui.test_engagements import on_modal",
        "import tests.ui.test_engagements",
        "from tests.ui import test_engagements",
        "from .test_engagements import on_modal",
        "from . import test_engagements",
    ]
    for number, line in enumerate(spellings):
        (package / f"test_{number}.py").write_text(f"{line}\n", encoding="utf-8")
    (package / "helpers.py").write_text(
        "from tests.ui.conftest import make_window\nfrom tests.scan.helpers import rows\n"
    )
    found = offending_imports(tmp_path)
    assert len(found) == len(spellings), found
    assert not any("helpers.py" in line for line in found)
