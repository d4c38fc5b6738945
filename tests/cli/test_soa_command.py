"""`audit-binder soa`: print, CSV/XLSX out, --apply all or nothing, --approve, exit codes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.controls.catalogue import load_catalogue
from app.store.audit import audit_log
from app.store.database import open_database
from app.store.decisions import decisions
from app.store.engagements import engagement_named
from tests.cli.helpers import make_database, one_clear_line, run_cli

ISO_IDS = [c.id for c in load_catalogue().criteria_of("iso27001")]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return make_database(tmp_path / "db.sqlite3", "Acme", "Globex")


def _soa(capsys: pytest.CaptureFixture[str], db: Path, *extra: str, name: str = "Acme"):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "soa", "--engagement", name, "--db", str(db), *extra)


def _records(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _write(path: Path, records: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(records)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _state(db: Path, name: str = "Acme") -> tuple[dict[str, object], int]:
    with open_database(db) as database, database.session() as session:
        engagement = engagement_named(session, name)
        return dict(decisions(session, engagement)), len(audit_log(session, engagement))


def test_with_no_option_it_prints_every_row_and_where_the_soa_stands(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = _soa(capsys, db_path)

    assert ran.code == 0, ran.err
    assert ran.out.splitlines()[0].startswith("CRITERION  APPLIES")
    assert all(f"\n{i} " in ran.out for i in ISO_IDS)
    assert "Organizational controls (A.5)" in ran.out
    assert ran.out.rstrip().endswith(
        f"Acme: 0 of {len(ISO_IDS)} decided; version 1 (draft): not approved yet."
    )


def test_csv_out_edit_apply_approve_then_a_change_makes_it_stale(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "soa.csv"
    assert _soa(capsys, db_path, "--csv", str(out)).code == 0
    records = _records(out)
    assert records[0] == [
        "criterion", "title", "applies", "reason", "justification",
        "implementation", "controls", "owner",
    ]  # fmt: skip
    assert [r[0] for r in records[1:]] == ISO_IDS and len(ISO_IDS) == 93
    for record in records[1:]:
        record[2:4] = ["Yes", "Risk treatment"]
    records[-1][2:5] = ["No", "", "No software development in house"]
    edited = _write(tmp_path / "edited.csv", records, delimiter=";")

    applied = _soa(capsys, db_path, "--apply", str(edited))
    assert applied.code == 0, applied.err
    assert f"{len(ISO_IDS)} decisions changed, 0 unchanged" in applied.out
    approved = _soa(capsys, db_path, "--approve", "--reviewer", "Ana Lima", "--role", "CISO")
    assert approved.code == 0, approved.err
    assert "Approved the Statement of Applicability: version 1 by Ana Lima (CISO)" in approved.out
    assert approved.out.rstrip().endswith("version 1, approved.")

    records[1][3] = "legal"
    changed = _soa(capsys, db_path, "--apply", str(_write(tmp_path / "again.csv", records)))
    assert "1 decisions changed" in changed.out
    assert changed.out.rstrip().endswith(
        "version 2 (draft): decisions changed since version 1 was approved."
    )
    again = _soa(capsys, db_path, "--approve", "--reviewer", "Bob", "--role", "CEO")
    assert again.code == 0 and "version 2 by Bob (CEO)" in again.out


def test_a_refused_apply_changes_nothing_names_the_rows_and_exits_1(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(db_path)
    bad = _write(
        tmp_path / "bad.csv",
        [
            ["criterion", "applies", "reason", "justification", "owner"],
            ["A.5.1", "yes", "legal", "", "CTO"],
            ["A.5.77", "yes", "", "", ""],
            ["A.5.2", "yes", "gut feeling", "", ""],
            ["A.5.3", "no", "", "", ""],
        ],
    )

    ran = _soa(capsys, db_path, "--apply", str(bad))

    assert ran.code == 1
    assert "Traceback" not in ran.err
    lines = ran.err.splitlines()
    assert lines[0] == f"audit-binder soa: {bad}: Nothing was changed: 3 rows have problems."
    assert lines[1].startswith("  row 3: 'A.5.77' is not an ISO 27001 Annex A control")
    assert lines[2].startswith("  row 4 (A.5.2): 'gut feeling' is not a reason")
    assert lines[3] == (
        "  row 5 (A.5.3): an exclusion needs a justification (the auditor will ask why)"
    )
    assert _state(db_path) == before


def test_a_refused_approval_also_undoes_the_apply_of_the_same_command(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(db_path)
    some = _write(
        tmp_path / "some.csv",
        [
            ["criterion", "applies", "reason", "justification", "owner"],
            ["A.5.1", "yes", "", "", ""],
        ],
    )

    ran = _soa(capsys, db_path, "--apply", str(some), "--approve", "--reviewer", "A", "--role", "B")

    assert ran.code == 1
    assert "cannot be approved yet: 1 of" in one_clear_line(ran.err)
    assert _state(db_path) == before


def test_xlsx_out_reads_back(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "soa.xlsx"

    ran = _soa(capsys, db_path, "--xlsx", str(out))

    assert ran.code == 0 and f"Wrote {out} ({len(ISO_IDS)} rows)." in ran.out
    sheet = load_workbook(out)["Statement of Applicability"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ISO_IDS


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--approve", "--reviewer", "Ana"), "--approve needs --reviewer NAME and --role ROLE"),
        (("--reviewer", "Ana", "--role", "CISO"), "--reviewer and --role go with --approve"),
    ],
)
def test_usage_mistakes_exit_2(
    extra: tuple[str, ...], message: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _soa(capsys, db_path, *extra)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_what_cannot_be_done_exits_1_with_one_line(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = _soa(capsys, db_path, name="Initech")
    assert unknown.code == 1
    assert one_clear_line(unknown.err) == (
        "audit-binder soa: there is no engagement named 'Initech' (there are: 'Acme', 'Globex')."
    )
    missing = _soa(capsys, tmp_path / "nowhere.sqlite3")
    assert missing.code == 1 and "no database at" in one_clear_line(missing.err)
    assert not (tmp_path / "nowhere.sqlite3").exists()
    no_file = _soa(capsys, db_path, "--apply", str(tmp_path / "absent.csv"))
    assert no_file.code == 1 and "cannot read" in one_clear_line(no_file.err)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        "criterion,applies,reason,justification,owner\r\nA.5.1,yes,,,Zoë\r\n".encode("latin-1")
    )
    not_utf8 = _soa(capsys, db_path, "--apply", str(latin1))
    assert not_utf8.code == 1 and "save it as 'CSV UTF-8'" in one_clear_line(not_utf8.err)
    blocked = tmp_path / "folder.csv"
    blocked.mkdir()
    unwritable = _soa(capsys, db_path, "--csv", str(blocked))
    assert unwritable.code == 1 and "cannot write" in one_clear_line(unwritable.err)


@pytest.mark.parametrize("option", ["--csv", "--xlsx"])
def test_the_table_replaces_only_an_earlier_table_never_another_file(
    option: str, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thesis = tmp_path / "thesis.csv"
    thesis.write_text("my thesis, not a table\n", encoding="utf-8")
    database = db_path.read_bytes()

    refused = _soa(capsys, db_path, option, str(thesis))
    onto_db = _soa(capsys, db_path, option, str(db_path))

    assert refused.code == 1 and "it was left untouched" in one_clear_line(refused.err)
    assert thesis.read_text(encoding="utf-8") == "my thesis, not a table\n"
    assert onto_db.code == 1 and db_path.read_bytes() == database
    earlier = tmp_path / "earlier"
    assert _soa(capsys, db_path, option, str(earlier)).code == 0
    again = _soa(capsys, db_path, option, str(earlier))
    assert again.code == 0 and f"Wrote {earlier}" in again.out
