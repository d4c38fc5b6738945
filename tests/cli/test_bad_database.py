"""`--db` pointed at something that is not a usable database: a one-line message, a
non-zero exit and the file left byte for byte as it was, for every command taking --db."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.helpers import BAD_DATABASES, digest, make_database, one_clear_line, run_cli

# Each command as a user would type it, before the `--db PATH` they add.
COMMANDS = {
    "scan": ["scan", "--regions", "us-east-1"],
    "export": ["export", "--engagement", "Acme", "--pdf", "binder.pdf"],
    "db upgrade": ["db", "upgrade"],
}


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_database(tmp_path_factory.mktemp("good") / "good.sqlite3", "Acme")


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(BAD_DATABASES))
def test_a_bad_database_file_is_refused_and_left_untouched(
    kind: str,
    command: str,
    good_database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    build, expected = BAD_DATABASES[kind]
    path = tmp_path / f"{kind}.sqlite3"
    build(good_database, path)
    before = digest(path)

    ran = run_cli(capsys, *COMMANDS[command], "--db", str(path))

    assert ran.code != 0
    assert expected in one_clear_line(ran.err)
    assert digest(path) == before
    assert not (tmp_path / "binder.pdf").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_folder_or_a_device_is_not_taken_for_a_database(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir()

    ran = run_cli(capsys, *COMMANDS[command], "--db", str(folder))
    assert ran.code != 0
    assert "is a folder" in one_clear_line(ran.err)
    assert list(folder.iterdir()) == []

    ran = run_cli(capsys, *COMMANDS[command], "--db", "/dev/null")
    assert ran.code != 0
    # It used to say "/dev/null is a folder".
    assert "not a regular file" in one_clear_line(ran.err)


def test_export_from_a_missing_database_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "db.sqlite3"

    ran = run_cli(capsys, *COMMANDS["export"], "--db", str(missing))

    assert ran.code == 1
    assert "no database at" in one_clear_line(ran.err)
    assert not (tmp_path / "no").exists()


def test_a_file_where_the_database_folder_should_be_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine\n")

    ran = run_cli(capsys, *COMMANDS["scan"], "--db", str(blocker / "db.sqlite3"))

    assert ran.code == 1
    assert "Cannot create the folder" in one_clear_line(ran.err)
    assert blocker.read_text() == "mine\n"


@pytest.fixture
def read_only_database(good_database: Path, tmp_path: Path) -> Iterator[Path]:
    """A database file nobody may write, root included (the tests may run as root, who
    ignores permission bits): the file system's immutable flag, where it is supported."""
    path = tmp_path / "read-only.sqlite3"
    path.write_bytes(good_database.read_bytes())
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    flagged = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if flagged.returncode != 0:
        pytest.skip("the file system or user cannot make a file immutable")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_read_only_database_is_read_but_never_written(
    read_only_database: Path,
    aws: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = digest(read_only_database)

    ran = run_cli(
        capsys, *COMMANDS["scan"], "--controls", "cloudtrail", "--db", str(read_only_database)
    )
    assert ran.code == 1
    assert "is read-only; nothing was saved" in ran.err
    assert "Traceback" not in ran.err

    # Reading still works: the binder of what is there can be exported offline.
    binder = tmp_path / "binder.pdf"
    ran = run_cli(
        capsys,
        "export",
        "--engagement",
        "Acme",
        "--pdf",
        str(binder),
        "--db",
        str(read_only_database),
    )
    assert ran.code == 0, ran.err
    assert "The export was not recorded in the engagement's export log" in ran.err
    assert binder.stat().st_size > 0
    assert digest(read_only_database) == before
