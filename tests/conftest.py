"""Shared fixtures: isolation from the real machine, a moto server, an in-memory keyring,
and the store on both back ends.

Every test runs with HOME, the AWS config files and the DB in a temp folder, and with
outbound connections refused except to loopback: no test can reach real AWS.

`store_location` (and what builds on it: `db`, `session`, `engagement` in tests/store)
is parametrised over both back ends: an SQLite file, and a fresh database on a throwaway
PostgreSQL server (`tests/postgres.py`). A test written with these fixtures runs on both.
Without PostgreSQL the `[postgresql]` cases skip, with the reason in the summary; under
CI (`CI` set) they fail instead.

The moto server holds AWS's own managed policies (`arn:aws:iam::aws:policy/...`) only
for a test that asks for them (`aws_managed_policies`; the scan scenario and the demo
attach AdministratorAccess): moto loads all ~1,300 of them into every account's IAM, in
every partition, on every reset, which was a third of the suite's time.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest

from app.demo.moto_server import LocalMotoServer
from app.store.database import open_database
from app.store.location import StoreLocation
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.sso_server import point_botocore_at_home
from tests.postgres import PgServer, PostgresUnavailable, start_server

BACKENDS = ("sqlite", "postgresql")
# Read by moto whenever it builds an account's IAM (after each reset, in this process).
MANAGED_POLICIES = "MOTO_IAM_LOAD_MANAGED_POLICIES"
_postgres_missing: list[str] = []

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if isinstance(address, tuple) and self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            is_loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_loopback = host == "localhost"
        if not is_loopback:
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {host}")
    return _real_connect(self, address)


def _isolate(patch: pytest.MonkeyPatch, folder: Path) -> None:
    """HOME, the AWS config files, the XDG folders and the DB path inside `folder`; no AWS
    credentials or endpoint from the environment; sockets to loopback only."""
    home = folder / "home"
    (home / ".aws").mkdir(parents=True)
    patch.setenv("HOME", str(home))
    patch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    patch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    patch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    patch.setenv("AUDIT_BINDER_DB", str(folder / "audit-binder.sqlite3"))
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        patch.delenv(name, raising=False)
    patch.setattr(socket.socket, "connect", _loopback_only)
    point_botocore_at_home(patch)


@contextmanager
def isolated(folder: Path) -> Iterator[MemoryKeyring]:
    """`_isolate` in `folder` and an in-memory keyring of its own, for a block: what a
    module-scoped fixture uses to act as a user of its own (a test's own HOME and keyring
    come later, from `isolated_machine`)."""
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch, folder)
        backend = MemoryKeyring()
        previous = keyring.get_keyring()
        keyring.set_keyring(backend)
        try:
            yield backend
        finally:
            keyring.set_keyring(previous)


@pytest.fixture(scope="session", autouse=True)
def isolated_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same isolation for the whole session (each xdist worker has its own), so that
    module- and session-scoped fixtures, which run before `isolated_machine`, never see
    the real HOME, ~/.aws or keyring either."""
    with isolated(tmp_path_factory.mktemp("session")), pytest.MonkeyPatch.context() as patch:
        patch.setenv(MANAGED_POLICIES, "false")
        yield


@pytest.fixture(autouse=True)
def isolated_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """A fresh HOME, empty AWS config, a temp DB path and an in-memory keyring."""
    _isolate(monkeypatch, tmp_path)
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[LocalMotoServer]:
    """One moto server on 127.0.0.1 for the whole session."""
    with LocalMotoServer() as server:
        yield server


def load_managed_policies(patch: pytest.MonkeyPatch) -> None:
    """AWS's managed policies in every account moto builds from now on (until undone)."""
    patch.setenv(MANAGED_POLICIES, "true")


@pytest.fixture
def aws_managed_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS's managed policies on the moto server for this test (before `aws` resets it)."""
    load_managed_policies(monkeypatch)


@pytest.fixture
def aws(moto_server: LocalMotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A reset moto server reached through boto3's normal credential chain; its URL."""
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto_server.endpoint


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL cluster for the session (per xdist worker), stopped at the end."""
    try:
        server = start_server()
    except PostgresUnavailable as error:
        reason = " ".join(str(error).split())
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI (CI is set): {reason}", pytrace=False)
        _postgres_missing.append(reason)
        pytest.skip(f"PostgreSQL is not available: {reason}")
    try:
        yield server
    finally:
        server.stop()


_sqlite_template: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store at head, made by `open_database` (Alembic) once per worker.

    The fixtures that only need a new, empty store copy it (`new_sqlite_store`), as
    PostgreSQL stores are copies of a template database; a migration costs ten times the
    copy. Tests about creating or migrating a file open a path of their own."""
    path = tmp_path_factory.mktemp("template") / "audit-binder.sqlite3"
    open_database(path).close()
    assert not Path(f"{path}-wal").exists()  # everything is in the file itself
    _sqlite_template[:] = [path]
    return path


def new_sqlite_store(path: Path) -> Path:
    """A new, empty store at `path`, as `open_database` would have made it there: at head,
    readable by the user only. An existing file is left as it is."""
    if _sqlite_template and not path.exists():  # (outside pytest: open_database makes it)
        (template,) = _sqlite_template
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        path.chmod(0o600)
    return path


@dataclass
class StoreBackend:
    """Makes new, empty stores (at the head revision) on one back end."""

    name: str
    server: PgServer | None = None

    def new_store(self, folder: Path) -> StoreLocation:
        if self.server is None:
            return StoreLocation(path=new_sqlite_store(folder / "audit-binder.sqlite3"))
        return self.server.new_store()

    def discard(self, location: StoreLocation) -> None:
        if self.server is not None:
            self.server.drop(location)


def db_argument(location: StoreLocation) -> str:
    """What a user types after `--db` for this store (a path, or the URL in full)."""
    if location.is_server:
        return location.connect_url().render_as_string(hide_password=False)
    return str(location.sqlite_path)


def backend_named(name: str, request: pytest.FixtureRequest) -> StoreBackend:
    if name == "postgresql":
        return StoreBackend(name, request.getfixturevalue("pg_server"))
    return StoreBackend(name)


@pytest.fixture(scope="module", params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> StoreBackend:
    """Each back end in turn (module scope, so module-scoped fixtures can build on it)."""
    return backend_named(request.param, request)


@pytest.fixture
def store_location(store_backend: StoreBackend, tmp_path: Path) -> Iterator[StoreLocation]:
    """A new store for this test: an SQLite file, or a fresh PostgreSQL database."""
    location = store_backend.new_store(tmp_path / "store")
    yield location
    store_backend.discard(location)


@pytest.fixture
def team_store(pg_server: PgServer) -> Iterator[StoreLocation]:
    """A PostgreSQL store of its own at head, never recycled (for tests that change its
    schema, stop its server or sign in as another role)."""
    location = pg_server.new_store(fresh=True)
    yield location
    pg_server.drop(location)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a `slow` test first, each module's tests in their own order: `make
    test` hands whole modules to its workers in this order (`--dist loadfile`), and a long
    module handed out last keeps one worker busy while the others have nothing left."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _postgres_missing:
        terminalreporter.write_line(
            f"PostgreSQL tests skipped: {_postgres_missing[0]}", yellow=True
        )


@pytest.fixture
def systemctl_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`shutil.which("systemctl")` finds something; the Recorder answers for it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text("#!/bin/sh\nexit 1\n")
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
