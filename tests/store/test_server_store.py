"""A team store on PostgreSQL: schema upgrades only when asked, refusals that leave it
untouched, a server that is unreachable or goes away, passwords, crashed scans seen
from another machine."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.store.control_states import set_control_state
from app.store.database import open_database
from app.store.engagements import create_engagement, list_engagements
from app.store.errors import (
    MigrationFailed,
    NewerSchema,
    NotAnAuditBinderDatabase,
    StoreUnreachable,
    UpgradeNotAsked,
)
from app.store.location import StoreLocation, parse_location
from app.store.models import Scan
from app.store.scans import this_runner
from app.store.server import hold_presence
from app.store.signoffs import sign_off
from tests.postgres import PASSWORD, PASSWORD_ROLE, PgServer
from tests.store.conftest import record_scan, result
from tests.store.helpers import HEAD, NEWER, newer_scripts


def _sql(location: StoreLocation, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(location.connect_url())
    try:
        with engine.begin() as connection:
            result_ = connection.execute(text(query))
            return [tuple(row) for row in result_] if result_.returns_rows else []
    finally:
        engine.dispose()


def _tables(location: StoreLocation) -> set[str]:
    engine = create_engine(location.connect_url())
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_an_empty_database_gets_the_schema_and_a_second_open_changes_nothing(
    pg_server: PgServer,
) -> None:
    location = pg_server.new_store(empty=True)
    try:
        first = open_database(location)
        first.close()
        assert first.upgraded_from == ()
        again = open_database(location)
        again.close()
        assert again.upgraded_from is None
        assert _sql(location, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    finally:
        pg_server.drop(location)


def test_an_older_schema_is_upgraded_only_when_asked(
    team_store: StoreLocation, tmp_path: Path
) -> None:
    with open_database(team_store) as database, database.session() as session:
        create_engagement(session, "Before the upgrade", actor="a")
    newer = newer_scripts(tmp_path, fail=False)

    with pytest.raises(UpgradeNotAsked) as refused:
        open_database(team_store, migrations=newer)
    message = str(refused.value)
    assert "cannot back it up" in message and "pg_dump" in message
    assert f"audit-binder db upgrade --db '{team_store.display}'" in message
    assert "\n" not in message
    assert _sql(team_store, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert "synthetic_notes" not in _tables(team_store)

    upgraded = open_database(team_store, migrations=newer, upgrade=True)
    upgraded.close()
    assert upgraded.upgraded_from == (HEAD,) and upgraded.backup_path is None
    assert _sql(team_store, "SELECT version_num FROM alembic_version") == [(NEWER,)]
    assert _sql(team_store, "SELECT name, colour FROM engagements") == [
        ("Before the upgrade", "blue")
    ]


def test_a_failed_upgrade_rolls_back_completely(team_store: StoreLocation, tmp_path: Path) -> None:
    with open_database(team_store) as database, database.session() as session:
        create_engagement(session, "Kept", actor="a")
    with pytest.raises(MigrationFailed, match="rolled back and nothing changed") as raised:
        open_database(team_store, migrations=newer_scripts(tmp_path, fail=True), upgrade=True)
    assert "synthetic failure" in str(raised.value)
    assert _sql(team_store, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert "synthetic_notes" not in _tables(team_store)
    columns = _sql(team_store, "SELECT column_name FROM information_schema.columns "
                   "WHERE table_name = 'engagements'")  # fmt: skip
    assert ("colour",) not in columns
    with open_database(team_store) as database, database.session() as session:
        assert [e.name for e in list_engagements(session)] == ["Kept"]


def test_a_store_from_a_newer_app_is_refused_and_left_untouched(team_store: StoreLocation) -> None:
    _sql(team_store, "UPDATE alembic_version SET version_num = '0099_from_the_future'")
    with pytest.raises(NewerSchema, match="Upgrade Audit Binder") as raised:
        open_database(team_store, upgrade=True)
    assert "0099_from_the_future" in str(raised.value)
    assert _sql(team_store, "SELECT version_num FROM alembic_version") == [
        ("0099_from_the_future",)
    ]


def test_another_programs_database_is_refused_and_left_untouched(pg_server: PgServer) -> None:
    location = pg_server.new_store(empty=True)
    try:
        _sql(location, "CREATE TABLE recipes (name text)")
        with pytest.raises(NotAnAuditBinderDatabase, match="another program"):
            open_database(location, upgrade=True)
        assert _tables(location) == {"recipes"}
    finally:
        pg_server.drop(location)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("where", ["socket", "tcp"])
def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path, where: str) -> None:
    address = f"host={tmp_path}" if where == "socket" else f"host=127.0.0.1&port={_free_port()}"
    location = parse_location(f"postgresql://ana:{PASSWORD}@/audit?{address}&connect_timeout=3")
    with pytest.raises(StoreUnreachable) as raised:
        open_database(location)
    message = str(raised.value)
    assert message.startswith("The team store postgresql+psycopg://ana:***@/audit?")
    assert "cannot be reached" in message and "nothing was saved" in message
    assert "\n" not in message and PASSWORD not in message


def test_a_wrong_password_is_named_but_never_shown(pg_server: PgServer) -> None:
    url = pg_server.url(pg_server.template(), user=PASSWORD_ROLE).set(password="not-it-123")
    with pytest.raises(StoreUnreachable, match="refused the sign-in") as raised:
        open_database(StoreLocation(url=url))
    assert "not-it-123" not in str(raised.value) and "***" in str(raised.value)


def test_a_password_signs_in_and_stays_out_of_logs_and_messages(
    pg_server: PgServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # every statement logged
    location = pg_server.new_store()
    signed_in = StoreLocation(url=location.connect_url().set(username=PASSWORD_ROLE))
    try:
        with open_database(signed_in.with_password(PASSWORD)) as database:
            with database.session() as session:  # a colleague with the grants the README names
                engagement = create_engagement(session, "Acme", actor="ana")
                record_scan(session, engagement, [result()])
                sign_off(session, engagement, "sg-inbound", reviewer="ana")
                set_control_state(session, engagement, "sg-inbound", actor="ana", notes="ok")
            shown = f"{database.location} {database.location!r} {database!r}"
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        pg_server.drop(location)
    assert PASSWORD not in shown and "***" in shown
    assert "INSERT INTO engagements" in caplog.text  # the log did record the work
    assert PASSWORD not in caplog.text


def test_a_pgpass_file_supplies_the_password(
    pg_server: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = pg_server.new_store()
    url = location.connect_url().set(username=PASSWORD_ROLE)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:{PASSWORD_ROLE}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    try:
        with open_database(StoreLocation(url=url)) as database, database.session() as session:
            create_engagement(session, "From pgpass", actor="ana")
    finally:
        pg_server.drop(location)


def test_a_server_that_stops_leaves_nothing_half_written(
    pg_server: PgServer, team_store: StoreLocation
) -> None:
    assert pg_server.cluster is not None, "needs the throwaway cluster (it stops it)"
    database = open_database(team_store)
    try:
        with database.session() as session:
            engagement = create_engagement(session, "Acme", actor="a")
        gone = pytest.raises(StoreUnreachable, match="cannot be reached")
        with pg_server.cluster.stopped(), gone as raised, database.session() as session:
            record_scan(session, session.merge(engagement), [result(), result("no-ssh")])
        assert "\n" not in str(raised.value)
        with database.session() as session:  # the server is back: the pool reconnects
            assert session.query(Scan).count() == 0
            assert [e.name for e in list_engagements(session)] == ["Acme"]
    finally:
        database.close()


def test_a_scan_running_on_another_machine_is_left_running_until_its_process_goes(
    team_store: StoreLocation,
) -> None:
    elsewhere = "laptop-of-bob:4242"
    bobs_app = create_engine(team_store.connect_url())
    bob = hold_presence(bobs_app, elsewhere)  # what Bob's app holds while it runs
    try:
        with open_database(team_store) as database, database.session() as session:
            engagement = create_engagement(session, "Acme", actor="a")
            scan = record_scan(session, engagement, [result()], state="running")
            scan.runner = elsewhere
        with open_database(team_store) as alice:
            assert alice.interrupted_scans == []
    finally:
        bob.close()
        bobs_app.dispose()
    with open_database(team_store) as alice:  # Bob's process is gone now
        assert alice.interrupted_scans == [scan.id]
        with alice.session() as session:
            assert session.get(Scan, scan.id).state == "incomplete"  # type: ignore[union-attr]


def test_this_process_keeps_its_own_running_scans(team_store: StoreLocation) -> None:
    with open_database(team_store) as database:
        with database.session() as session:
            engagement = create_engagement(session, "Acme", actor="a")
            scan = record_scan(session, engagement, [result()], state="running")
            assert scan.runner == this_runner()
        with open_database(team_store) as again:  # while this process still has it open
            assert again.interrupted_scans == []
