"""`scan --json` writes what docs/scan-result.schema.json describes, in every outcome; the
schema is strict where it promises (statuses, states, ids) and open to additive fields."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import run_cli
from tests.result_schema import SCHEMA_PATH, assert_valid, validator


def _scan_json(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> Any:
    ran = run_cli(capsys, "scan", "--json", "-", "--db", str(db), *argv)
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


def test_a_full_scan_document_validates(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _scan_json(capsys, tmp_path / "db.sqlite3", "--regions", "us-east-1,eu-west-1")

    assert_valid(document)
    statuses = {row["status"] for row in document["results"]}
    assert {"PASS", "FAIL"} <= statuses  # a real population, not an empty list
    assert any(row["evidence"] for row in document["results"])


def test_the_schema_refuses_what_the_contract_forbids(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _scan_json(capsys, tmp_path / "db.sqlite3", "--regions", "us-east-1")
    breakages = {
        "unknown status": lambda d: d["results"][0].update(status="OK"),
        "unknown state": lambda d: d["scan"].update(state="done"),
        "no results": lambda d: d.pop("results"),
        "account id": lambda d: d["account"].update(id="12345"),
        "time format": lambda d: d.update(started_at="2026-11-28 10:00:09"),
        "schema version": lambda d: d.update(schema_version=2),
    }
    for name, breaking in breakages.items():
        broken = copy.deepcopy(good)
        breaking(broken)
        assert not validator().is_valid(broken), name
    additive = copy.deepcopy(good)
    additive["a_later_field"] = {"anything": True}
    additive["results"][0]["a_later_field"] = 1
    assert_valid(additive)


def test_readme_links_the_schema() -> None:
    readme = (SCHEMA_PATH.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "(docs/scan-result.schema.json)" in readme


# Documents of the team that wrote this, not in the repository: nothing here may point to them.
FORBIDDEN = (
    "../" + "shared",
    "/work/" + "shared",
    "DESIGN" + ".md",
    "STYLE" + ".md",
    "MOTO_" + "NOTES",
    "team " + "brief",
)
SKIPPED = {".git", ".venv", "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def test_nothing_in_the_repository_points_outside_it() -> None:
    root = SCHEMA_PATH.parents[1]
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or SKIPPED & set(path.relative_to(root).parts):
            continue
        if path.suffix in (".png", ".pdf", ".sqlite3", ".ttf", ".ico") or "egg-info" in str(path):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{path.relative_to(root)}: {word}" for word in FORBIDDEN if word in text]
    assert found == []
