"""`audit-binder criteria`: every criterion, its title and the controls covering it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.controls.catalogue import ISO27001_IDS, SOC2_IDS, THEME_TITLES, load_catalogue


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["criteria", "--json", *args]) == 0
    document = json.loads(capsys.readouterr().out)
    assert isinstance(document, list)
    return document


def test_json_lists_every_criterion_of_both_frameworks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = _json(capsys)
    assert [(d["framework"], d["id"]) for d in document] == [
        *(("iso27001", i) for i in ISO27001_IDS),
        *(("soc2", i) for i in SOC2_IDS),
    ]
    for item in document:
        assert item["title"] and item["controls"], item
    by_id = {(d["framework"], d["id"]): d for d in document}
    flow = by_id[("iso27001", "A.8.15")]
    assert set(flow) == {"framework", "id", "title", "controls"}
    assert {"vpc-flow-logs", "cloudtrail"} <= set(flow["controls"])  # type: ignore[arg-type]
    backup = by_id[("soc2", "A1.2")]
    assert backup["category"] == "availability" and "backups" in backup["controls"]  # type: ignore[operator]
    assert by_id[("soc2", "P4.3")]["category"] == "privacy"


def test_json_matches_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = load_catalogue()
    for item in _json(capsys, "--framework", "soc2"):
        assert item["framework"] == "soc2"
        criterion = catalogue.criterion("soc2", str(item["id"]))
        assert item["title"] == criterion.title
        assert item["category"] == criterion.category
        assert item["controls"] == [c.id for c in catalogue.controls_for("soc2", criterion.id)]


def test_json_of_one_framework(capsys: pytest.CaptureFixture[str]) -> None:
    document = _json(capsys, "--framework", "iso27001")
    assert len(document) == 93 and {d["framework"] for d in document} == {"iso27001"}
    assert "category" not in document[0]


def test_table_is_grouped_by_theme(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "ISO 27001:2022: 93 criteria"
    assert "SOC 2: 61 criteria" in lines
    order = [
        THEME_TITLES["organizational"],
        THEME_TITLES["people"],
        THEME_TITLES["physical"],
        THEME_TITLES["technological"],
        "CC1 Control environment (Security)",
        "A1 Availability (Availability)",
        "P8 Monitoring and enforcement (Privacy)",
    ]
    positions = [lines.index(heading) for heading in order]
    assert positions == sorted(positions)
    row = next(line for line in lines if line.startswith("  A.7.7 "))
    assert "office-security" in row
    assert positions[2] < lines.index(row) < positions[3]
    # Every id appears as the first cell of a row.
    for criterion_id in (*ISO27001_IDS, *SOC2_IDS):
        assert any(line.startswith(f"  {criterion_id} ") for line in lines), criterion_id
    assert "not the standards' text" in out


def test_table_of_one_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "--framework", "soc2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SOC 2: 61 criteria") and "A.5.1 " not in out
    assert "  PI1.3 " in out


def test_bad_framework_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["criteria", "--framework", "scf"])
    assert caught.value.code == 2
    assert "invalid choice: 'scf'" in capsys.readouterr().err


def test_broken_catalogue_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(paths.resources_dir() / "controls", tmp_path / "controls")
    (tmp_path / "controls" / "capacity-management.toml").unlink()
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path)
    assert main(["criteria", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no control covers ISO 27001:2022 A.8.6; SOC 2 A1.1" in captured.err
