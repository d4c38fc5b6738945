"""`audit-binder controls`: the table, one control in full, the JSON document, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.controls.catalogue import CONTROL_IDS, FAMILIES, FAMILY_TITLES, load_catalogue


def test_table_lists_every_control_grouped_by_family_with_its_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["controls"]) == 0
    out = capsys.readouterr().out
    catalogue = load_catalogue()
    lines = out.splitlines()
    for control in catalogue.controls:
        row = lines[_line_of(lines, control.id)]
        kind = "automated" if control.automated else "manual"
        if control.inherited is not None:
            kind = "inherited"
        assert row.split()[1] == kind, row
    positions = [lines.index(FAMILY_TITLES[family]) for family in FAMILIES]
    assert positions == sorted(positions)
    # Each control sits under its family's heading.
    assert positions[0] < _line_of(lines, "nacls") < positions[1]
    assert positions[4] < _line_of(lines, "deletion-protection") < _line_of(lines, "backups")
    assert positions[3] < _line_of(lines, "root-account") < positions[4]
    assert positions[0] < _line_of(lines, "s3-public-access") < positions[1]
    assert positions[7] < _line_of(lines, "aws-data-centres") < positions[8]
    assert positions[-1] < _line_of(lines, "processing-integrity")
    manual = len(catalogue.controls) - len(CONTROL_IDS)
    totals = " ".join(out.split())
    assert f"{len(catalogue.controls)} controls (17 automated, {manual} manual, 1 of them" in totals
    assert "38 automated checks" in totals
    assert max(len(line) for line in lines) <= 120


def test_table_shows_the_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    main(["controls"])
    out = capsys.readouterr().out
    flow = _block(out.splitlines(), "vpc-flow-logs")
    assert "A.8.15, A.8.16" in flow and "CC6.6, CC7.2" in flow
    for scf in ("MON-02.2", "MON-08", "MON-03.3", "MON-03.7", "MON-01.8"):
        assert scf in flow
    backups = _block(out.splitlines(), "backups")
    assert "A.8.13," in backups and "A.5.29, A.5.30" in backups and "BCD-01*" in backups
    assert "* backups: The article cites BCP-01" in out


def test_one_control_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "no-ssh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no-ssh: No SSH into instances; Session Manager instead")
    assert "A.8.20 (Protecting networks and the systems attached to them)" in out
    assert "SCF: NET-04, NET-04.1" in out
    assert "sg-no-ssh: No security group admits SSH" in out
    assert "A PASS proves:" in out
    assert "session-logging: Session logging settings and one logged session" in out
    assert "--- bash ---" in out and "aws ssm start-session --target i-0123456789abcdef0" in out
    assert "default-vpcs" not in out


def test_a_manual_control_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "incident-response"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("incident-response: Security incidents reported, handled")
    assert "Family: Incidents and continuity" in out
    assert "Kind: manual (no automated check" in out
    assert "Automated checks" not in out
    assert "Manual evidence the auditor will ask for" in out
    assert "incident-log: Incident log for the audit period" in out
    flat = " ".join(out.split())
    assert "CC7.4 (Incidents responded to by a defined programme)" in flat
    assert "aws ec2 create-snapshot --volume-id vol-0123456789abcdef0" in out


def test_an_inherited_control_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "aws-data-centres"]) == 0
    out = capsys.readouterr().out
    assert "Kind: manual, inherited from AWS (attach its report)" in out
    assert "Inherited from AWS\n  AWS carries:" in out
    assert "The provider's own report\n  In the AWS console" in out
    assert "AWS Artifact > Reports" in out


def test_a_control_without_annex_a_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "risk-management"]) == 0
    out = capsys.readouterr().out
    assert "ISO 27001:2022: none" in out and "Mapping note: No Annex A control" in out


def test_unknown_control(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "sg-world-open"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no control 'sg-world-open'" in captured.err and "default-vpcs" in captured.err


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema_version"] == 1
    assert [c["id"] for c in document["controls"]] == list(load_catalogue().ids)
    assert [c["id"] for c in document["controls"]][: len(CONTROL_IDS)] == list(CONTROL_IDS)
    first = document["controls"][0]
    assert set(first) == {
        "id",
        "title",
        "family",
        "automated",
        "inherited",
        "summary",
        "why",
        "source",
        "mapping",
        "checks",
        "manual_evidence",
        "remediation",
    }
    assert first["automated"] is True and first["inherited"] is None
    assert first["mapping"] == {
        "iso27001": ["A.8.20", "A.5.14"],
        "soc2": ["CC6.6"],
        "scf": ["NET-04", "NET-04.1"],
        "note": "",
    }
    assert [c["id"] for c in first["checks"]] == ["default-vpc-isolated", "default-sg-no-rules"]
    assert set(first["checks"][0]) == {"id", "title", "proves"}
    assert set(first["manual_evidence"][0]) == {"id", "title", "description"}
    assert set(first["remediation"][0]) == {"title", "text", "snippet", "snippet_language"}
    assert document["criteria"]["soc2"]["CC6.6"]
    assert document["frameworks"] == {"iso27001": "ISO 27001:2022", "soc2": "SOC 2", "scf": "SCF"}


def test_json_matches_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    main(["controls", "--json"])
    document = json.loads(capsys.readouterr().out)
    catalogue = load_catalogue()
    assert document["controls"] == [c.to_json() for c in catalogue.controls]


def test_json_of_one_control(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["controls", "backups", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in document["controls"]] == ["backups"]
    assert document["controls"][0]["mapping"]["scf"] == ["BCD-01"]
    assert "BCP-01" in document["controls"][0]["mapping"]["note"]


def test_broken_catalogue_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(paths.resources_dir() / "controls", tmp_path / "controls")
    broken = tmp_path / "controls" / "nacls.toml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('id = "nacl-restricted"\n', ""),
        encoding="utf-8",
    )
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path)
    assert main(["controls"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nacls.toml: checks[0].id: missing" in captured.err


def _line_of(lines: list[str], control_id: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(f"  {control_id} "))


def _block(lines: list[str], control_id: str) -> str:
    """The table row of a control, with its wrapped continuation lines."""
    start = _line_of(lines, control_id)
    end = start + 1
    while end < len(lines) and lines[end].startswith(" " * 20):
        end += 1
    return "\n".join(lines[start:end])
