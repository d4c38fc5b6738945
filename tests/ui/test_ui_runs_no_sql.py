"""app/ui keeps widgets, models, workers and wiring; the services (app/services) do the store work.

The rule, checked on the syntax tree of every module under app/ui:

1. No import of `sqlalchemy` (any submodule, also under TYPE_CHECKING).
2. From `app.store`, only `errors` (the typed errors a screen shows), `location` and
   `database` (which store to open: the composition root opens it and hands the
   `Database` down to the services), `unset` (the "not given" marker of an edit) and
   `scan_state` (the `ScanState` vocabulary a screen compares with);
   from any other `app.store` module only constants (UPPER_CASE names such as
   `REASON_TITLES`). So no models, no repositories, no ORM session type.
3. No ORM session opened (a call of a `.session(...)` method) and no query built (a
   call of a bare `select(...)`).

`_NOT_YET` names the modules that still break a rule, each with why; the test fails
when one of them stops breaking it too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
_STORE_MODULES = {
    "app.store.errors",
    "app.store.location",
    "app.store.database",
    "app.store.unset",
    "app.store.scan_state",
}

# Module (relative to app/ui) -> why it still runs store work itself. None does now.
_NOT_YET: dict[str, str] = {}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sqlalchemy" or (
                    alias.name.startswith("app.store") and alias.name not in _STORE_MODULES
                ):
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if module.split(".")[0] == "sqlalchemy":
                found.append(f"line {node.lineno}: imports from {module}")
            elif module == "app.store":
                modules = {f"app.store.{a.name}" for a in node.names}
                found += [f"line {node.lineno}: imports {m}" for m in modules - _STORE_MODULES]
            elif module.startswith("app.store.") and module not in _STORE_MODULES:
                names = [a.name for a in node.names if not a.name.isupper()]
                found += [f"line {node.lineno}: imports {n} from {module}" for n in names]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "session":
                found.append(f"line {node.lineno}: opens an ORM session")
            elif isinstance(func, ast.Name) and func.id == "select":
                found.append(f"line {node.lineno}: builds a query")
    return found


def test_ui_modules_leave_the_store_to_the_services() -> None:
    modules = sorted(UI.rglob("*.py"))
    assert len(modules) > 40  # the walk found app/ui
    broken = {str(p.relative_to(UI)): _problems(p) for p in modules}
    offending = {name: lines for name, lines in broken.items() if lines and name not in _NOT_YET}
    assert offending == {}
    fixed = sorted(name for name in _NOT_YET if not broken.get(name))
    assert fixed == [], f"remove from _NOT_YET: {fixed}"


def test_the_rule_catches_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from sqlalchemy.orm import Session\n"
        "from app.store.models import Scan\n"
        "from app.store.decisions import REASON_TITLES\n"
        "from app.store import scans\n"
        "def read(db):\n"
        "    with db.session() as session:\n"
        "        return session.execute(select(Scan))\n",
        encoding="utf-8",
    )
    assert _problems(sample) == [
        "line 1: imports from sqlalchemy.orm",
        "line 2: imports Scan from app.store.models",
        "line 4: imports app.store.scans",
        "line 6: opens an ORM session",
        "line 7: builds a query",
    ]
