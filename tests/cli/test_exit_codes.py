"""README's promise, command by command: 0 done, 1 could not (one line, the reason),
2 usage, 130 interrupted.

Each row is a command line as a user would type it and the exit code README promises.
Placeholders are filled in per test: `{db}` a fresh database file, `{acme_db}` one with
an engagement 'Acme', `{pdf}` a new PDF, `{binder}` Acme's binder, `{altered}` a copy
with evidence slipped in, `{notes}` a file that is not a binder. Rows needing "aws" run
against the moto server on 127.0.0.1.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from app.cli import COMMANDS, main
from app.signing.identity import new_identity
from app.signing.keystore import IdentityStore
from tests.cli.helpers import make_database, one_clear_line

# (command line, exit code, what it needs: "aws" the fake AWS, "bad-config" a broken
# ~/.aws/config, "no-scheduler" no systemctl on PATH, "" nothing)
TABLE: list[tuple[str, int, str]] = [
    ("controls", 0, ""),
    ("controls cloudtrail", 0, ""),
    ("controls bogus", 2, ""),
    ("controls --bogus", 2, ""),
    ("criteria", 0, ""),
    ("criteria --framework soc2 --json", 0, ""),
    ("criteria --framework bogus", 2, ""),
    ("profiles", 0, ""),
    ("profiles --json", 0, ""),
    ("profiles", 1, "bad-config"),
    ("login", 2, ""),
    ("login --profile ghost", 1, ""),
    ("login --start-url https://acme.awsapps.com/start", 2, ""),
    ("login --start-url https://acme.example.com/start --sso-region us-east-1", 2, ""),
    ("login --start-url https://acme.awsapps.com/start --sso-region mars-1", 2, ""),
    ("login --account-id 111111111111", 2, ""),
    ("export", 2, ""),
    ("export --engagement Acme --pdf {pdf} --db {acme_db}", 0, ""),
    ("export --engagement Nope --pdf {pdf} --db {acme_db}", 1, ""),
    ("export --engagement Acme --pdf {pdf} --db {missing_db}", 1, ""),
    ("export --engagement Acme --pdf {notes} --db {acme_db}", 1, ""),
    ("verify", 2, ""),
    ("verify {binder}", 0, ""),
    ("verify {altered}", 1, ""),
    ("verify {missing_pdf}", 1, ""),
    ("verify {notes}", 2, ""),  # not a binder
    ("verify {plain_pdf}", 2, ""),  # a PDF, not a binder
    ("verify {binder} --cert {certificate}", 0, ""),
    ("verify {binder} --cert {other_certificate}", 1, ""),  # signed by someone else
    ("verify {appended}", 1, ""),  # a byte appended after the signature
    ("verify {binder} --cert {missing_pdf}", 1, ""),
    ("export --engagement Acme --pdf {pdf} --db {acme_db} --p12-password-env X", 1, ""),
    ("scan --regions us-east-1 --controls cloudtrail --db {db}", 0, "aws"),
    ("scan --db {db}", 1, ""),  # no credentials
    ("scan --regions= --db {db}", 2, ""),
    ("scan --regions , --db {db}", 2, ""),
    ("scan --controls= --db {db}", 2, ""),
    ("scan --controls bogus --db {db}", 2, ""),
    ("scan --regions nowhere-1 --db {db}", 2, "aws"),
    ("scan --accounts all --db {db}", 2, ""),
    ("scan --external-id X --db {db}", 2, ""),
    ("scan --org-role Audit --accounts 12 --db {db}", 2, ""),
    ("scan --org-role Audit --accounts= --db {db}", 2, ""),
    ("scan --org-role bad!role --db {db}", 2, ""),
    ("scan --org-role Audit --controls bogus --db {db}", 2, ""),
    ("scan --org-role Audit --db {db}", 1, "aws"),  # moto's organization lists no accounts
    ("scan --unattended --org-role Audit --db {db}", 2, ""),
    ("scan --bogus", 2, ""),
    ("soa --engagement Acme --db {acme_db}", 0, ""),
    ("soa --engagement Nope --db {acme_db}", 1, ""),
    ("soa --engagement Acme --db {acme_db} --apply {notes}", 1, ""),
    ("soa", 2, ""),
    ("evidence --engagement Acme --db {acme_db}", 0, ""),
    ("evidence --engagement Acme --db {acme_db} --due --as-of 2026-12-05", 0, ""),
    ("evidence --engagement Nope --db {acme_db}", 1, ""),
    ("evidence --engagement Acme --db {acme_db} --set-recurrence backups nope yearly", 1, ""),
    ("evidence --engagement Acme --db {acme_db} --set-recurrence a b fortnightly", 2, ""),
    ("evidence --engagement Acme --db {acme_db} --attach {notes}", 2, ""),  # no --control
    ("evidence --engagement Acme --db {acme_db} --as-of 2026-13-01", 2, ""),
    ("evidence", 2, ""),
    ("schedule install --engagement Acme --db {acme_db} --print", 0, "no-scheduler"),
    ("schedule status --engagement Acme --db {acme_db}", 0, "no-scheduler"),
    ("schedule install --engagement Acme --db {acme_db} --at 25:99 --print", 2, "no-scheduler"),
    ("schedule", 2, ""),
    ("db", 2, ""),
    ("db upgrade --db {acme_db}", 0, ""),
    ("db upgrade --db {notes}", 1, ""),  # not a database: refused, left untouched
    ("db upgrade --db mysql://ana@db/audit", 2, ""),
    ("policy", 0, ""),
    ("policy --actions", 0, ""),
    ("policy --org-role AuditBinderReadOnly", 0, ""),
    ("policy --org-role bad!role", 2, ""),
    ("demo --pdf {notes}", 1, ""),  # refused before the demo starts
    ("demo --bogus", 2, ""),
    ("bogus", 2, ""),
    ("", 1, ""),  # the desktop app, with no display
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exit-codes")
    db = make_database(folder / "db.sqlite3", "Acme")
    binder = folder / "binder.pdf"
    assert main(["export", "--engagement", "Acme", "--pdf", str(binder), "--db", str(db)]) == 0
    altered = folder / "altered.pdf"
    writer = PdfWriter(clone_from=PdfReader(binder))
    writer.add_attachment("slipped-in.json", b"{}")  # evidence the manifest does not list
    writer.write(altered)
    notes = folder / "notes.pdf"
    notes.write_text("my notes, not a binder\n")
    plain_pdf = folder / "letter.pdf"
    letter = Canvas(str(plain_pdf))
    letter.drawString(100, 700, "A letter, not a binder")
    letter.save()
    appended = folder / "appended.pdf"
    appended.write_bytes(binder.read_bytes() + b"\n")
    certificate = folder / "certificate.pem"
    shutil.copy(IdentityStore().certificate_path, certificate)  # made by the export above
    other_certificate = folder / "other.pem"
    other_certificate.write_bytes(new_identity("mallory", "elsewhere", "").certificate_pem())
    return {
        "acme_db": db,
        "binder": binder,
        "altered": altered,
        "notes": notes,
        "plain_pdf": plain_pdf,
        "appended": appended,
        "certificate": certificate,
        "other_certificate": other_certificate,
        "missing_db": folder / "none" / "db.sqlite3",
        "missing_pdf": folder / "missing.pdf",
    }


def _argv(line: str, files: dict[str, Path], tmp_path: Path) -> list[str]:
    names = {key: str(path) for key, path in files.items()}
    names["db"] = str(tmp_path / "db.sqlite3")
    names["pdf"] = str(tmp_path / "out.pdf")
    return [part.format(**names) for part in line.split()]


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        return int(exit_.code or 0)


@pytest.mark.parametrize(
    ("line", "expected", "needs"),
    TABLE,
    ids=[f"{row[0]} ({row[2]})" if row[2] else row[0] for row in TABLE],
)
def test_each_command_exits_as_readme_says(
    line: str,
    expected: int,
    needs: str,
    files: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    if needs == "aws":
        request.getfixturevalue("aws")
    elif needs == "no-scheduler":  # no systemctl on PATH: nothing reaches a user manager
        monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    elif needs == "bad-config":
        (Path.home() / ".aws" / "config").write_text("[default\nregion = us-east-1\n")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")

    code = _exit_code(_argv(line, files, tmp_path))

    err = capsys.readouterr().err
    assert code == expected, err
    assert "Traceback" not in err
    if expected == 1 and not line.startswith(("verify {altered}", "scan --org-role")):
        one_clear_line(err)


def test_the_table_covers_every_command() -> None:
    first_words = {line.split()[0] for line, _, _ in TABLE if line}
    assert first_words >= set(COMMANDS)
    for command in COMMANDS:
        codes = {code for line, code, _ in TABLE if line.split()[:1] == [command]}
        # login needs an SSO sign-in; the demo's 0 is tests/demo/test_demo_flow.py's whole
        # run (the demo builds its fake account, scans it and writes a binder: ~10 s).
        assert 0 in codes or command in ("login", "demo"), command
        assert codes - {0}, command


def test_readme_states_the_exit_codes_this_table_checks() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "0 done, 1 could not (with the reason), 2 usage, 130 interrupted" in readme
    assert "2 when it is not a binder" not in readme  # verify: not a binder is "could not"
