"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

The cluster comes from the distribution's `postgresql` package (`initdb`, `pg_ctl` under
`/usr/lib/postgresql/N/bin`, or on PATH). It listens on a Unix socket only, in a short
private folder under /tmp (socket paths are limited to about 100 bytes, and pytest's own
temp folder is private to the user running the tests). `initdb` refuses to run as root,
so when the tests run as root (CI) the cluster runs as the `postgres` user the package
creates. fsync is off: the cluster is thrown away at the end.

Each process gets its own cluster (so pytest-xdist workers share nothing) and names its
databases after the xdist worker id as well, which keeps them apart on a shared server
given with `AUDIT_BINDER_TEST_PG` (an admin URL, e.g.
`postgresql+psycopg://postgres@localhost/postgres`) instead of a throwaway cluster.

Every store starts as a copy of a template database migrated to head by the app's own
`open_database`, so every revision, the ones added later included, runs on PostgreSQL.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import URL, make_url

from app.store.database import open_database
from app.store.location import StoreLocation

EXTERNAL_SERVER_ENV = "AUDIT_BINDER_TEST_PG"
PORT = 5432
# A role that must give a password (scram) over the socket; every other role is trusted.
PASSWORD_ROLE, PASSWORD = "ab_reviewer", "s3cret-Pa55word!"
_SETTINGS = (
    "-c listen_addresses='' -F -c full_page_writes=off -c synchronous_commit=off "
    "-c max_connections=200"
)


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be had here; the message says why."""


def find_bin_dir() -> Path:
    """The newest `/usr/lib/postgresql/N/bin`, else the folder of `initdb` on PATH."""
    candidates = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]

    def version(folder: Path) -> int:
        number = folder.parent.name
        return int(number) if number.isdigit() else 0

    if candidates:
        return max(candidates, key=version)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "initdb was not found (install the distribution's postgresql package, e.g. "
        "apt-get install postgresql, or set AUDIT_BINDER_TEST_PG to a server's admin URL)"
    )


def _worker() -> str:
    return re.sub(r"\W", "", os.environ.get("PYTEST_XDIST_WORKER", "main")) or "main"


@dataclass
class Cluster:
    """A cluster in `root` (data in `root/data`, socket in `root`), run as `user`."""

    bin_dir: Path
    root: Path
    user: Any  # pwd.struct_passwd of the user to run as (root only), else None
    running: bool = False

    def _run(self, tool: str, *args: str) -> None:
        owner: dict[str, Any] = {}
        if self.user is not None:
            owner = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        done = subprocess.run(
            [str(self.bin_dir / tool), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            **owner,
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{tool} failed: {done.stderr.strip()} {tail}".strip())

    def start(self) -> None:
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale=C")  # fmt: skip
        hba = data / "pg_hba.conf"
        hba.write_text(f"local all {PASSWORD_ROLE} scram-sha-256\n" + hba.read_text())
        self._start()

    def _start(self) -> None:
        options = f"-k {self.root} -p {PORT} {_SETTINGS}"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "-o", options, "start")  # fmt: skip
        self.running = True

    def stop(self) -> None:
        """Stop the server (fast: it is thrown away) and remove the folder."""
        if self.running:
            self.running = False
            with contextlib.suppress(PostgresUnavailable, OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server, keeping its data (`resume` starts it again)."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        self.running = False

    def resume(self) -> None:
        if not self.running:
            self._start()

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The server stopped for the block: a server that went away, then came back."""
        self.halt()
        try:
            yield
        finally:
            self.resume()

    def url(self, database: str, user: str = "postgres") -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=user,
            database=database,
            query={"host": str(self.root), "port": str(PORT)},
        )


def start_cluster() -> Cluster:
    bin_dir = find_bin_dir()
    user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd  # POSIX only, like running as root

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root, and there is no 'postgres' user to run initdb as"
            ) from None
    base = "/tmp" if os.access("/tmp", os.W_OK) else tempfile.gettempdir()
    root = Path(tempfile.mkdtemp(prefix="abpg-", dir=base))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = Cluster(bin_dir, root, user)
    atexit.register(cluster.stop)  # also when the session ends abnormally
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@dataclass
class PgServer:
    """A server to make stores on: the throwaway cluster, or one given by URL.

    `new_store()` hands out a database at head with no rows: a recycled one, emptied by
    TRUNCATE (fast), or a copy of the template. Should a later migration seed rows,
    TRUNCATE would lose them, so then every store is a fresh copy of the template.
    """

    admin: URL
    cluster: Cluster | None = None
    prefix: str = field(default_factory=lambda: f"ab_{_worker()}_{os.getpid()}")
    _numbers: Iterator[int] = field(default_factory=itertools.count)
    _template: str | None = None
    _revision: str = ""
    _recyclable: bool = False
    _free: list[str] = field(default_factory=list)
    _in_use: set[str] = field(default_factory=set)

    def url(self, database: str, user: str | None = None) -> URL:
        return self.admin.set(database=database, username=user or self.admin.username)

    def _connect(self, database: str | None = None) -> psycopg.Connection[Any]:
        target = self.admin if database is None else self.url(database)
        params = target.render_as_string(hide_password=False).replace("+psycopg", "")
        return psycopg.connect(params, autocommit=True)

    def execute(self, sql: str, database: str | None = None) -> None:
        with self._connect(database) as connection:
            connection.execute(sql.encode())

    def template(self) -> str:
        """A database at the head revision, migrated by the app (once per process)."""
        if self._template is None:
            name = f"{self.prefix}_template"
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
            open_database(StoreLocation(url=self.url(name))).close()
            with self._connect(name) as connection:
                self._revision = _revision(connection)
                self._recyclable = all(
                    connection.execute(
                        f'SELECT NOT EXISTS (SELECT 1 FROM "{t}")'.encode()
                    ).fetchone()
                    == (True,)
                    for t in _tables(connection)
                )
            self._template = name
        return self._template

    def new_database(self, *, empty: bool = False) -> str:
        """A new database: a copy of the template, or `empty` (no schema at all)."""
        name = f"{self.prefix}_{next(self._numbers)}"
        source = "template0" if empty else self.template()
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return name

    def new_store(self, *, empty: bool = False, fresh: bool = False) -> StoreLocation:
        """A store at head with no rows; `empty`: no schema; `fresh`: never recycled
        (for a test that changes the schema)."""
        if empty or fresh:
            return StoreLocation(url=self.url(self.new_database(empty=empty)))
        self.template()
        name = None
        while self._recyclable and self._free and name is None:
            name = self._recycle(self._free.pop())
        name = name or self.new_database()
        self._in_use.add(name)
        return StoreLocation(url=self.url(name))

    def _recycle(self, name: str) -> str | None:
        """Empty `name` for reuse (its connections ended first); None if it was altered."""
        with self._connect() as connection:
            connection.execute(
                b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                b"WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        with self._connect(name) as connection:
            if _revision(connection) != self._revision:
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return None
            tables = ", ".join(f'"{t}"' for t in _tables(connection))
            connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE".encode())
        return name

    def drop(self, location: StoreLocation) -> None:
        """Done with a store: back to the pool, or dropped."""
        name = location.connect_url().database or ""
        if name in self._in_use:
            self._in_use.discard(name)
            self._free.append(name)
        elif name.startswith(self.prefix):
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            return
        for name in [*self._free, *self._in_use, self._template or ""]:
            if name:
                with contextlib.suppress(psycopg.Error):
                    self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(connection: psycopg.Connection[Any]) -> list[str]:
    rows = connection.execute(
        b"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        b"AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    return [str(row[0]) for row in rows]


def _revision(connection: psycopg.Connection[Any]) -> str:
    try:
        rows = connection.execute(b"SELECT version_num FROM alembic_version").fetchall()
    except psycopg.errors.UndefinedTable:
        return ""
    return ",".join(sorted(str(row[0]) for row in rows))


def start_server() -> PgServer:
    """The external server if `AUDIT_BINDER_TEST_PG` names one, else a new cluster."""
    external = os.environ.get(EXTERNAL_SERVER_ENV, "").strip()
    if external:
        server = PgServer(admin=make_url(external).set(drivername="postgresql+psycopg"))
        try:
            server.execute("SELECT 1")
        except psycopg.Error as error:
            raise PostgresUnavailable(
                f"{EXTERNAL_SERVER_ENV} is set but the server cannot be used: {error}"
            ) from error
        return server
    cluster = start_cluster()
    server = PgServer(admin=cluster.url("postgres"), cluster=cluster)
    # A reviewer who signs in with a password and may read and write every store.
    server.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
    server.execute(f"GRANT pg_read_all_data, pg_write_all_data TO {PASSWORD_ROLE}")
    return server
