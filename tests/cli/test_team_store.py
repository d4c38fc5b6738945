"""The commands on a team store: `--db URL` and `AUDIT_BINDER_DB`, `db upgrade`, one-line
errors, and the password nowhere in what they print or write."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.store import migrate
from app.store.database import open_database
from app.store.engagements import create_engagement
from app.store.location import StoreLocation
from tests.cli.helpers import one_clear_line, run_cli
from tests.conftest import db_argument
from tests.postgres import PASSWORD, PASSWORD_ROLE, PgServer
from tests.store.helpers import HEAD, NEWER, newer_scripts


def test_db_upgrade_gives_an_empty_database_its_schema_then_finds_it_current(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    location = pg_server.new_store(empty=True)
    try:
        first = run_cli(capsys, "db", "upgrade", "--db", db_argument(location))
        assert first.code == 0, first.err
        assert first.out.startswith(f"Created the Audit Binder schema (revision {HEAD}) in ")
        again = run_cli(capsys, "db", "upgrade", "--db", db_argument(location))
        assert again.code == 0 and f"is up to date (schema revision {HEAD})" in again.out
    finally:
        pg_server.drop(location)


def test_an_older_team_store_is_refused_until_db_upgrade(
    team_store: StoreLocation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with open_database(team_store) as db, db.session() as session:
        create_engagement(session, "Acme", actor="qa")
    newer = newer_scripts(tmp_path, fail=False)
    monkeypatch.setattr(migrate, "migrations_dir", lambda: newer)  # this app is newer
    store, pdf = db_argument(team_store), tmp_path / "binder.pdf"

    refused = run_cli(capsys, "export", "--engagement", "Acme", "--pdf", str(pdf), "--db", store)
    assert refused.code == 1 and not pdf.exists()
    line = one_clear_line(refused.err)
    assert "not upgraded automatically" in line and "audit-binder db upgrade --db" in line

    upgraded = run_cli(capsys, "db", "upgrade", "--db", store)
    assert upgraded.code == 0, upgraded.err
    assert f"from schema revision {HEAD} to {NEWER}" in upgraded.out
    exported = run_cli(capsys, "export", "--engagement", "Acme", "--pdf", str(pdf), "--db", store)
    assert exported.code == 0, exported.err


def test_db_upgrade_of_an_sqlite_file_backs_it_up_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.sqlite3"
    open_database(path).close()
    newer = newer_scripts(tmp_path, fail=False)
    monkeypatch.setattr(migrate, "migrations_dir", lambda: newer)
    ran = run_cli(capsys, "db", "upgrade", "--db", str(path))
    assert ran.code == 0, ran.err
    assert f"from schema revision {HEAD} to {NEWER}" in ran.out
    (backup,) = tmp_path.glob(f"audit.backup-rev-{HEAD}-*.sqlite3")
    assert f"The file as it was before is at {backup}" in ran.out


@pytest.mark.parametrize("command", ["scan", "export", "db"])
def test_an_unreachable_team_store_is_one_line_without_the_password(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://ana:{PASSWORD}@/audit?host={tmp_path}&connect_timeout=2"
    argv = {
        "scan": ["scan", "--regions", "us-east-1"],
        "export": ["export", "--engagement", "Acme", "--pdf", str(tmp_path / "b.pdf")],
        "db": ["db", "upgrade"],
    }[command]
    ran = run_cli(capsys, *argv, "--db", url)
    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "cannot be reached" in line and "ana:***@" in line
    assert PASSWORD not in ran.err + ran.out


def test_a_url_that_cannot_be_used_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(capsys, "db", "upgrade", "--db", f"mysql://ana:{PASSWORD}@db/audit")
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "'mysql' is not supported" in err and PASSWORD not in err


def test_export_from_a_store_signed_in_with_a_password_never_shows_it(
    pg_server: PgServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    location = pg_server.new_store()
    url = location.connect_url().set(username=PASSWORD_ROLE, password=PASSWORD)
    signed_in = StoreLocation(url=url)
    try:
        with open_database(signed_in) as db, db.session() as session:
            create_engagement(session, "Acme", actor="qa", client="Team Store Client Ltd")
        monkeypatch.setenv("AUDIT_BINDER_DB", db_argument(signed_in))  # no --db: the variable
        pdf = tmp_path / "binder.pdf"
        ran = run_cli(capsys, "export", "--engagement", "Acme", "--pdf", str(pdf))
    finally:
        pg_server.drop(location)
    assert ran.code == 0, ran.err
    assert PASSWORD not in ran.out + ran.err
    raw = pdf.read_bytes()
    text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    embedded = b"".join(data for files in PdfReader(pdf).attachments.values() for data in files)
    assert "Team Store Client Ltd" in text  # the binder did read the store
    for blob in (raw, embedded, text.encode()):
        assert PASSWORD.encode() not in blob
    assert PASSWORD.encode() not in _inflated_streams(raw)


def _inflated_streams(raw: bytes) -> bytes:
    """Every Flate stream of the PDF, decompressed (page text, embedded files)."""
    found = []
    for start in range(len(raw)):
        if raw.startswith(b"stream", start):
            body = raw[start + 6 :].lstrip(b"\r\n")
            try:
                found.append(zlib.decompressobj().decompress(body))
            except zlib.error:
                continue
    return b"".join(found)


def test_the_soa_command_works_on_a_team_store(
    team_store: StoreLocation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_database(team_store) as db, db.session() as session:
        create_engagement(session, "Acme", actor="qa")
    csv = tmp_path / "soa.csv"
    store = db_argument(team_store)
    ran = run_cli(capsys, "soa", "--engagement", "Acme", "--db", store, "--csv", str(csv))
    assert ran.code == 0, ran.err
    rows = csv.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("criterion,") and len(rows) == 1 + 93


def test_a_scheduled_scan_can_go_to_a_team_store_without_its_password(
    team_store: StoreLocation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no scheduler reached: --print only
    monkeypatch.setattr("sys.platform", "linux")
    store = db_argument(team_store)
    printed = run_cli(
        capsys, "schedule", "install", "--engagement", "Acme", "--db", store, "--print"
    )
    assert printed.code == 0, printed.err
    database = team_store.connect_url().database or ""
    assert f'"--db" "postgresql+psycopg://postgres@/{database}?' in printed.out  # the job's
    with_password = team_store.connect_url().set(password=PASSWORD)
    refused = run_cli(
        capsys, *("schedule", "install", "--engagement", "Acme", "--print"),
        *("--db", with_password.render_as_string(hide_password=False)),
    )  # fmt: skip
    assert refused.code == 2 and PASSWORD not in refused.out + refused.err
