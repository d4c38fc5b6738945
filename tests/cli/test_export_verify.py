"""`audit-binder export` and `verify` with odd targets, odd names and damaged binders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from app.report.manifest import MANIFEST_NAME
from tests.cli.helpers import digest, make_database, one_clear_line, run_cli

HOSTILE = "<script>alert(1)</script> & \u05e9\u05dc\u05d5\u05dd \u202eevil\u202c 🔥 a/b\\c"


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One exported binder of an engagement with a hostile name, shared read-only."""
    folder = tmp_path_factory.mktemp("binder")
    db_path = make_database(folder / "db.sqlite3", HOSTILE)
    # The name is also the file name: "/" in it makes a sub-folder, as the shell would.
    out = folder / f"{HOSTILE}.pdf"
    from app.cli import main

    assert main(["export", "--engagement", HOSTILE, "--pdf", str(out), "--db", str(db_path)]) == 0
    return out


def _export(capsys: pytest.CaptureFixture[str], db: Path, out: Path, name: str = "Acme") -> int:
    return run_cli(capsys, "export", "--engagement", name, "--pdf", str(out), "--db", str(db)).code


def test_a_hostile_engagement_name_exports_and_verifies(
    binder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert binder.is_file() and binder.name == "b\\c.pdf"  # each "/" made a sub-folder
    cover = PdfReader(binder).pages[0].extract_text()
    assert "<script>alert(1)</script>" in cover  # shown as text, not taken for markup

    ran = run_cli(capsys, "verify", str(binder))

    assert ran.code == 0
    assert ran.out.startswith("Signature: OK: ")
    assert ran.out.splitlines()[-1].startswith("OK: ")


@pytest.mark.parametrize(
    "existing",
    [b"my thesis, not a binder\n", b"%PDF-1.4\nsomeone else's PDF\n%%EOF\n"],
)
def test_export_never_replaces_a_file_that_is_not_a_binder(
    existing: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = make_database(tmp_path / "db.sqlite3", "Acme")
    out = tmp_path / "thesis.pdf"
    out.write_bytes(existing)

    ran = run_cli(capsys, "export", "--engagement", "Acme", "--pdf", str(out), "--db", str(db_path))

    assert ran.code == 1
    assert "is not an Audit Binder binder; it was left untouched" in one_clear_line(ran.err)
    assert out.read_bytes() == existing


def test_export_onto_the_database_itself_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = make_database(tmp_path / "db.sqlite3", "Acme")
    before = digest(db_path)

    assert _export(capsys, db_path, db_path) == 1
    assert digest(db_path) == before


def test_demo_never_replaces_a_file_that_is_not_a_binder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit-binder-demo.pdf"
    out.write_text("mine")

    ran = run_cli(capsys, "demo", "--pdf", str(out), "--db", str(tmp_path / "demo.sqlite3"))

    assert ran.code == 1
    assert "left untouched" in one_clear_line(ran.err)
    assert out.read_text() == "mine"
    assert not (tmp_path / "demo.sqlite3").exists()  # refused before the demo started


@pytest.mark.slow
def test_export_replaces_an_earlier_binder_of_the_same_engagement_and_an_empty_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = make_database(tmp_path / "db.sqlite3", "Acme")
    earlier, empty = tmp_path / "earlier.pdf", tmp_path / "empty.pdf"
    assert _export(capsys, db_path, earlier) == 0
    first = digest(earlier)
    empty.touch()

    assert _export(capsys, db_path, earlier) == 0
    assert _export(capsys, db_path, empty) == 0

    assert digest(earlier) != first  # written again (a new generation time, a new seal)
    for out in (earlier, empty):
        assert MANIFEST_NAME in PdfReader(out).attachments
        assert "Acme" in PdfReader(out).pages[0].extract_text()


def test_export_never_replaces_another_engagements_binder(
    binder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = make_database(tmp_path / "db.sqlite3", "Acme", "Acme Audit")
    theirs = tmp_path / "acme.pdf"
    assert _export(capsys, db_path, theirs, name="Acme Audit") == 0
    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(binder.read_bytes())
    before = {path: digest(path) for path in (theirs, hostile)}

    for out, owner in ((theirs, "Acme Audit"), (hostile, HOSTILE)):
        ran = run_cli(
            capsys, "export", "--engagement", "Acme", "--pdf", str(out), "--db", str(db_path)
        )

        assert ran.code == 1
        line = one_clear_line(ran.err)
        assert f"the binder of another engagement ({owner!r})" in line
        assert "left untouched" in line
        assert digest(out) == before[out]


def test_demo_never_replaces_a_binder_of_another_engagement(
    binder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit-binder-demo.pdf"
    out.write_bytes(binder.read_bytes())

    ran = run_cli(capsys, "demo", "--pdf", str(out), "--db", str(tmp_path / "demo.sqlite3"))

    assert ran.code == 1
    assert "binder of another engagement" in one_clear_line(ran.err)
    assert out.read_bytes() == binder.read_bytes()
    assert not (tmp_path / "demo.sqlite3").exists()  # refused before the demo started


@pytest.mark.slow
def test_export_to_an_unwritable_place_or_an_unknown_engagement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = make_database(tmp_path / "db.sqlite3", "Acme")
    blocker = tmp_path / "file.txt"
    blocker.write_text("mine")

    for out in (tmp_path, blocker / "binder.pdf", Path("/proc/binder.pdf")):
        ran = run_cli(
            capsys, "export", "--engagement", "Acme", "--pdf", str(out), "--db", str(db_path)
        )
        assert ran.code == 1
        assert "cannot write" in one_clear_line(ran.err)
    assert blocker.read_text() == "mine"

    ran = run_cli(
        capsys,
        "export",
        "--engagement",
        "Nobody",
        "--pdf",
        str(tmp_path / "x.pdf"),
        "--db",
        str(db_path),
    )
    assert ran.code == 1
    assert "Existing engagements: 'Acme'" in one_clear_line(ran.err)
    assert not (tmp_path / "x.pdf").exists()


def test_the_cover_names_the_account_a_command_line_scan_came_from(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path, out = tmp_path / "db.sqlite3", tmp_path / "binder.pdf"
    scan = ("scan", "--regions", "us-east-1", "--controls", "cloudtrail", "--engagement", "Acme")
    assert run_cli(capsys, *scan, "--db", str(db_path)).code == 0

    assert _export(capsys, db_path, out) == 0

    cover = PdfReader(out).pages[0].extract_text()
    # It said "AWS accounts none recorded" beside evidence from account 123456789012.
    assert "none recorded" not in cover
    assert "123456789012" in cover.split("AWS accounts", 1)[1].split("Regions", 1)[0]


def _with_embedded_file_changed(binder: Path, out: Path) -> None:
    """A copy whose embedded manifest gained one space (still valid JSON)."""
    writer = PdfWriter(clone_from=PdfReader(binder))
    root: Any = writer._root_object
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    index = [str(name) for name in names[::2]].index(MANIFEST_NAME) * 2
    stream = names[index + 1].get_object()["/EF"]["/F"].get_object()
    stream.set_data(stream.get_data().replace(b"{", b"{ ", 1))
    writer.write(out)


def test_verify_on_damaged_binders_and_things_that_are_not_binders(
    binder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = binder.read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    changed = tmp_path / "changed.pdf"
    _with_embedded_file_changed(binder, changed)
    notes = tmp_path / "notes.pdf"
    notes.write_text("not a PDF at all\n")

    ran = run_cli(capsys, "verify", str(changed))
    assert ran.code == 1
    assert ran.err.startswith(f"ALTERED: {changed}")
    assert "Traceback" not in ran.err

    for path, expected, code in (
        (truncated, "damaged PDF that cannot be read", 1),
        (notes, "is not a PDF, let alone a binder", 2),
        (tmp_path, "Is a directory", 1),
        (tmp_path / "missing.pdf", "No such file", 1),
    ):
        ran = run_cli(capsys, "verify", str(path))
        assert ran.code == code, path
        assert expected in one_clear_line(ran.err)
