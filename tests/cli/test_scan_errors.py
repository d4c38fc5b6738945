"""`audit-binder scan` when it cannot (or should not) run: a clear line, never a traceback,
nothing stored that could pass for a scan, and no time wasted before saying so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.scan.document import write_document
from app.store.database import open_database
from app.store.models import Scan
from tests.cli.helpers import fake_web_server, one_clear_line, run_cli
from tests.result_schema import assert_valid


def _scans(db_path: Path) -> list[tuple[str, str]]:
    if not db_path.exists():
        return []
    with open_database(db_path) as db, db.session() as session:
        return [(s.state, s.error) for s in session.query(Scan).order_by(Scan.id)]


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)  # no backoff


@pytest.mark.parametrize(
    ("status", "body"),
    [
        # A web server's welcome page: botocore's parser fails with a bare KeyError.
        (200, b"<html><body>Welcome to nginx!</body></html>"),
        # A proxy refusing with an empty body: botocore's ResponseParserError.
        (403, b""),
    ],
)
def test_an_endpoint_that_is_not_aws_is_a_clear_error(
    status: int,
    body: bytes,
    keys: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "db.sqlite3"
    with fake_web_server(status, body) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        ran = run_cli(capsys, "scan", "--regions", "us-east-1", "--db", str(db_path))

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert f"The endpoint {url} did not answer like AWS" in line
    assert "AWS_ENDPOINT_URL" in line
    assert _scans(db_path) == []


@pytest.mark.parametrize("url", ["not a url", "http://127.0.0.1:99999"])
def test_an_unusable_endpoint_url_is_a_clear_error(
    url: str,
    keys: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)

    ran = run_cli(capsys, "scan", "--db", str(tmp_path / "db.sqlite3"))

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "ValueError" in line and "AWS_ENDPOINT_URL" in line


@pytest.mark.parametrize("regions", [",", "  ", " , ,"])
def test_empty_regions_are_refused_not_widened_to_every_region(
    regions: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite3"

    ran = run_cli(capsys, "scan", "--regions", regions, "--db", str(db_path))

    assert ran.code == 2  # a usage mistake
    assert "--regions is empty" in one_clear_line(ran.err)
    assert not db_path.exists()  # refused before anything was opened or sent


def test_json_into_a_folder_is_refused_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "db.sqlite3"
    folder = tmp_path / "reports"
    folder.mkdir()

    ran = run_cli(capsys, "scan", "--json", str(folder), "--db", str(db_path))

    assert ran.code == 1
    assert "is a folder" in one_clear_line(ran.err)
    assert not db_path.exists()
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_json_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    target = reports / "taken"
    target.mkdir(parents=True)
    (target / "keep.txt").write_text("mine")

    with pytest.raises(OSError):
        write_document({"schema_version": 1}, target)

    assert sorted(p.name for p in reports.iterdir()) == ["taken"]
    assert (target / "keep.txt").read_text() == "mine"


def test_json_to_stdout_is_the_document_alone(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(
        capsys,
        *("scan", "--regions", "us-east-1", "--controls", "cloudtrail", "--json", "-"),
        *("--db", str(tmp_path / "db.sqlite3")),
    )

    assert ran.code == 0
    document = json.loads(ran.out)  # progress and summary went to stderr
    assert_valid(document)
    assert document["scan"]["state"] == "complete"
    assert {row["control"] for row in document["results"]} == {"cloudtrail"}
    assert "stored in engagement" in ran.err


def test_json_into_a_missing_folder_creates_it(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "new" / "folder" / "scan.json"

    ran = run_cli(
        capsys,
        *("scan", "--regions", "us-east-1", "--controls", "cloudtrail", "--json", str(out)),
        *("--db", str(tmp_path / "db.sqlite3")),
    )

    assert ran.code == 0, ran.err
    assert json.loads(out.read_text())["regions"] == ["us-east-1"]


@pytest.mark.parametrize("file_name", ["config", "credentials"])
@pytest.mark.parametrize(
    "content",
    ["[default\nregion = us-east-1\n", "region = us-east-1\n[x]\n", "[a]\nx = 1\n[a]\n"],
)
def test_a_malformed_aws_file_is_one_clear_line_in_scan_and_profiles(
    file_name: str, content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path.home() / ".aws" / file_name
    path.write_text(content)

    scan = run_cli(capsys, "scan", "--db", str(tmp_path / "db.sqlite3"))
    profiles = run_cli(capsys, "profiles")

    for ran in (scan, profiles):
        assert ran.code != 0
        line = one_clear_line(ran.err)
        assert f"{path} could not be read" in line
        assert "file: ," not in line  # configparser's leftovers once the path is cut
    assert path.read_text() == content


def test_undecodable_credentials_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path.home() / ".aws" / "credentials"
    path.write_bytes(b"[default]\naws_access_key_id = \xff\xfe\n")

    ran = run_cli(capsys, "scan", "--db", str(tmp_path / "db.sqlite3"))

    assert ran.code == 1
    assert "could not be read" in one_clear_line(ran.err)


def test_login_with_a_profile_that_is_not_sso_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    (Path.home() / ".aws" / "config").write_text("[profile keys]\nregion = us-east-1\n")
    (Path.home() / ".aws" / "credentials").write_text(
        "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = example\n"
    )

    ran = run_cli(capsys, "login", "--profile", "keys", "--no-browser")

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "not an IAM Identity Center (SSO) one" in line
    assert "example" not in line  # never a secret


def test_scan_with_an_sso_profile_never_signed_in_names_the_sign_in_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (Path.home() / ".aws" / "config").write_text(
        "[profile old]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111122223333\nsso_role_name = Audit\nregion = us-east-1\n"
    )

    ran = run_cli(capsys, "scan", "--profile", "old", "--db", str(tmp_path / "db.sqlite3"))

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert "audit-binder login --profile old" in line and "aws sso login --profile old" in line


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("credential_process = /nonexistent/helper --json", "/nonexistent/helper"),
        ("credential_process = /bin/echo not-json", "JSONDecodeError"),
        (
            "role_arn = arn:aws:iam::111122223333:role/audit\n"
            "web_identity_token_file = /nonexistent/token",
            "/nonexistent/token",
        ),
    ],
)
def test_credentials_that_cannot_be_obtained_are_a_clear_error(
    settings: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (Path.home() / ".aws" / "config").write_text(f"[profile odd]\nregion = us-east-1\n{settings}\n")

    ran = run_cli(capsys, "scan", "--profile", "odd", "--db", str(tmp_path / "db.sqlite3"))

    assert ran.code == 1
    line = one_clear_line(ran.err)
    assert 'The credentials of profile "odd" could not be obtained' in line
    assert expected in line


def test_an_unknown_profile_is_named_whether_given_by_option_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db.sqlite3")
    by_option = run_cli(capsys, "scan", "--profile", "ghost", "--db", db)
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    by_environment = run_cli(capsys, "scan", "--db", db)

    for ran in (by_option, by_environment):
        assert ran.code == 1
        assert 'no AWS profile named "ghost"' in one_clear_line(ran.err)


def test_profiles_lists_broken_profiles_with_their_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (Path.home() / ".aws" / "config").write_text(
        "[profile orphan]\nsso_session = gone\nsso_account_id = 1\nsso_role_name = r\n"
        "[profile loop1]\nrole_arn = arn:aws:iam::111122223333:role/a\nsource_profile = loop2\n"
        "[profile loop2]\nrole_arn = arn:aws:iam::111122223333:role/b\nsource_profile = loop1\n"
    )

    ran = run_cli(capsys, "profiles")

    assert ran.code == 0
    assert "None" not in ran.out  # it printed "None (session gone)" for the start URL
    assert "no start URL (session gone)" in ran.out
    assert ran.out.count("problem:") == 3
    assert "source_profile loop: loop1 -> loop2 -> loop1" in ran.out
