"""`--db`, `AUDIT_BINDER_DB` and the settings: a path or a URL, parsed in one place,
shown everywhere with the password masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.commands.store_option import store_location_argument
from app.store.location import BadLocation, default_location, parse_location

SECRET = "s3cr@t:pw"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("audit.sqlite3", "audit.sqlite3"),
        ("~/audit.sqlite3", "~/audit.sqlite3"),
        ("sqlite:////srv/audit.sqlite3", "/srv/audit.sqlite3"),
        (r"C:\Users\ana\audit.sqlite3", r"C:\Users\ana\audit.sqlite3"),
    ],
)
def test_paths_are_sqlite_files(text: str, path: str) -> None:
    location = parse_location(text)
    assert not location.is_server and location.path == Path(path).expanduser()


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://ana@db.example.com/audit",
        "postgres://ana@db.example.com/audit",
        "postgresql+psycopg://ana@db.example.com/audit",
    ],
)
def test_postgresql_urls_all_use_psycopg(text: str) -> None:
    location = parse_location(text)
    assert location.is_server
    assert location.display == "postgresql+psycopg://ana@db.example.com/audit"


def test_a_service_file_entry_needs_no_host_or_database() -> None:
    location = parse_location("postgresql:///?service=team-store")
    assert location.is_server and location.connect_url().query == {"service": "team-store"}


def test_the_password_is_masked_wherever_the_location_is_shown() -> None:
    url = "postgresql://ana:s3cr%40t%3Apw@db.example.com:5433/audit?sslmode=require"
    location = parse_location(url)
    shown = [location.display, str(location), repr(location), location.keyring_name]
    assert all(SECRET not in text and "s3cr" not in text for text in shown)
    assert (
        location.display == "postgresql+psycopg://ana:***@db.example.com:5433/audit?sslmode=require"
    )
    assert location.connect_url().password == SECRET  # only the engine gets it
    assert (
        location.keyring_name
        == "store:postgresql+psycopg://ana@db.example.com:5433/audit?sslmode=require"
    )


def test_a_password_in_the_query_is_masked_too() -> None:
    location = parse_location("postgresql://ana@db/audit?password=hunter2&sslmode=require")
    assert "hunter2" not in location.display and "password=%2A%2A%2A" in location.display
    assert location.has_password
    assert not location.without_password().has_password


def test_settings_keep_the_url_without_its_password() -> None:
    location = parse_location("postgresql://ana:hunter2@db/audit")
    kept = location.without_password()
    assert kept.connect_url().password is None
    assert kept.with_password("hunter2").connect_url().password == "hunter2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mysql://ana:hunter2@db/audit", "'mysql' is not supported"),
        ("postgresql://ana:hunter2@db", "names no database"),
        ("postgresql://ana:hunter2", "is not a database URL"),
        ("postgresql://ana:hunter2@db:port/audit?password=hunter2", "is not a database URL"),
        ("sqlite://", "needs a file path"),
        ("   ", "No database given"),
    ],
)
def test_unusable_locations_say_why_without_the_password(text: str, message: str) -> None:
    with pytest.raises(BadLocation, match=message) as raised:
        parse_location(text)
    assert "hunter2" not in str(raised.value)


def test_a_bad_db_argument_is_a_usage_error_without_the_password() -> None:
    import argparse

    with pytest.raises(argparse.ArgumentTypeError) as raised:
        store_location_argument("postgresql://ana:hunter2@db")
    assert "hunter2" not in str(raised.value) and "***" in str(raised.value)


def test_the_environment_may_name_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_BINDER_DB", "postgresql://ana@db.example.com/audit")
    assert default_location().is_server
    monkeypatch.setenv("AUDIT_BINDER_DB", "/srv/audit.sqlite3")
    assert default_location().path == Path("/srv/audit.sqlite3")
    monkeypatch.delenv("AUDIT_BINDER_DB")
    assert default_location().path is not None
    assert default_location().path.name == "audit-binder.sqlite3"  # type: ignore[union-attr]


def test_what_a_server_store_would_not_take_is_rescued_to_the_data_folder(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from app.store.rescue import rescue_path

    at = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    server = parse_location("postgresql://ana:hunter2@db.example.com/audit")
    rescue = rescue_path(server, 7, at)
    assert rescue.parent == tmp_path / "home" / ".local" / "share" / "audit-binder"
    assert rescue.name.startswith("team-store-db.example.com-audit-")
    assert rescue.name.endswith(".unsaved-scan-7-20261205T140000Z.json")
    assert "hunter2" not in str(rescue)
    file = rescue_path(parse_location(str(tmp_path / "a.sqlite3")), 7, at)
    assert file == tmp_path / "a.unsaved-scan-7-20261205T140000Z.json"
