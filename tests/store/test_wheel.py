"""A plain, non-editable wheel install finds its migrations and resources.

Builds the wheel from a copy of the source tree (so the checkout stays clean), installs
it with `pip --target` into a temp folder, and runs Python from elsewhere with only
that folder on PYTHONPATH: it must create a fresh database at head and find every
resource file, with nothing borrowed from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.paths import migrations_dir, resources_dir
from app.store.migrate import head_revision, script_directory

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from pathlib import Path
import app
from app.paths import migrations_dir, resources_dir
from app.store.database import open_database

database = open_database(Path(sys.argv[1]))
database.close()
resources = resources_dir()
print(json.dumps({
    "app": app.__file__,
    "migrations": str(migrations_dir()),
    "resources": str(resources),
    "revision": database.revision,
    "files": sorted(str(p.relative_to(resources)) for p in resources.rglob("*") if p.is_file()),
}))
"""


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        timeout=240,
    )


def _source_copy(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("app", "migrations", "resources"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy2(ROOT / name, target / name)
    readme = ROOT / "README.md"
    (target / "README.md").write_text(readme.read_text() if readme.exists() else "Audit Binder\n")
    return target


@pytest.mark.slow
def test_a_wheel_install_opens_a_fresh_database_and_finds_resources(tmp_path: Path) -> None:
    source = _source_copy(tmp_path / "src")
    _pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(tmp_path / "dist"),
        str(source),
    )
    wheels = list((tmp_path / "dist").glob("audit_binder-*.whl"))
    assert len(wheels) == 1
    site = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheels[0]))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONPATH"] = str(site)
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(elsewhere / "fresh.sqlite3")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout.strip().splitlines()[-1])

    assert Path(seen["app"]).is_relative_to(site)  # not the editable checkout
    assert Path(seen["migrations"]) == site / "app" / "migrations"
    assert Path(seen["resources"]) == site / "app" / "resources"
    assert seen["revision"] == head_revision(script_directory())
    shipped = sorted(
        str(p.relative_to(resources_dir()))
        for p in resources_dir().rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert shipped and seen["files"] == shipped
    assert not (site / "migrations").exists() and not (site / "resources").exists()
    assert migrations_dir() == ROOT / "migrations"  # the checkout itself still uses its own
