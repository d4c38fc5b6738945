"""Where the store lives: an SQLite file (the default) or a PostgreSQL server (a team store).

`--db`, `AUDIT_BINDER_DB` and the GUI's settings all go through `parse_location`, the
one place that tells a path from a URL. A `StoreLocation` shows itself (`str`, `repr`,
`display`) with any password masked, so it can go into messages, logs and settings;
only `connect_url()` carries the password, and only the engine receives it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.paths import data_dir, default_db_path
from app.store.errors import StoreError

POSTGRES_DRIVER = "postgresql+psycopg"
# Accepted spellings of the PostgreSQL scheme; all use psycopg 3.
_POSTGRES_SCHEMES = ("postgresql", "postgres", POSTGRES_DRIVER)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MASK = "***"


class BadLocation(StoreError):
    """`--db` or the settings name neither a usable path nor a supported URL."""


@dataclass(frozen=True)
class StoreLocation:
    """An SQLite file (`path`) or a PostgreSQL URL (`url`); exactly one is set."""

    path: Path | None = None
    url: URL | None = field(default=None, repr=False)

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def sqlite_path(self) -> Path:
        """The file of an SQLite store; a programming error to ask a server store."""
        if self.path is None:
            raise TypeError(f"{self.display} is a server store, not a file")
        return self.path

    @property
    def display(self) -> str:
        """For people, logs and settings: the path, or the URL with the password masked."""
        if self.url is None:
            return str(self.path)
        return _masked(self.url).render_as_string(hide_password=True)

    @property
    def has_password(self) -> bool:
        return self.url is not None and bool(self.url.password or self.url.query.get("password"))

    def without_password(self) -> StoreLocation:
        """The same store with no password in it: what settings may keep."""
        if self.url is None:
            return self
        url = self.url
        query = {k: v for k, v in url.query.items() if k != "password"}
        bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database)
        return StoreLocation(url=bare.update_query_dict(query))

    def with_password(self, password: str) -> StoreLocation:
        """The same server store, signing in with `password` (from the keyring)."""
        if self.url is None:
            return self
        return StoreLocation(url=self.url.set(password=password))

    @property
    def keyring_name(self) -> str:
        """The name its password is kept under in the keyring (no password in it)."""
        return f"store:{self.without_password().display}"

    def connect_url(self) -> URL:
        """The SQLAlchemy URL, password included: for `create_engine` only."""
        if self.url is None:
            return URL.create("sqlite", database=str(self.path))
        return self.url

    def rescue_stem(self) -> Path:
        """Where files this store would not take are saved, as a folder and a name stem
        (`app.store.rescue` adds the rest): beside an SQLite file, named after it; for a
        server, in the user's data folder, named after the server and database."""
        if self.path is not None:
            return self.path.with_name(self.path.stem)
        assert self.url is not None
        label = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{self.url.host or 'local'}-{self.url.database}")
        digest = hashlib.sha256(self.without_password().display.encode()).hexdigest()[:8]
        return data_dir() / f"team-store-{label}-{digest}"

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"StoreLocation({self.display!r})"


def _masked(url: URL) -> URL:
    if "password" not in url.query:
        return url
    return url.update_query_dict({"password": MASK})


def _server_url(text: str) -> URL:
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise BadLocation(
            f"'{_masked_text(text)}' is not a database URL "
            f"(expected {POSTGRES_DRIVER}://user@host[:port]/database)."
        ) from None
    if url.drivername not in _POSTGRES_SCHEMES:
        raise BadLocation(
            f"Audit Binder keeps its data in an SQLite file or on a PostgreSQL server "
            f"({POSTGRES_DRIVER}://user@host/database); '{url.drivername}' is not supported."
        )
    if not url.database and "dbname" not in url.query and "service" not in url.query:
        raise BadLocation(
            f"The URL {_masked(url).render_as_string(hide_password=True)} names no database: "
            f"add it after the host ({POSTGRES_DRIVER}://user@host/audit_binder)."
        )
    return url.set(drivername=POSTGRES_DRIVER)


def _masked_text(text: str) -> str:
    """A URL that did not even parse, with whatever may be a password hidden (all after
    `user:` up to `@` or `/`) and any `password=` parameter."""
    masked = re.sub(r"(://[^:/@]*:)[^@/]*", rf"\g<1>{MASK}", text)
    return re.sub(r"(password=)[^&]*", rf"\g<1>{MASK}", masked)


def parse_location(value: str | Path | StoreLocation) -> StoreLocation:
    """A path (SQLite) or a URL: `sqlite:///path`, `postgresql[+psycopg]://...`."""
    if isinstance(value, StoreLocation):
        return value
    if isinstance(value, Path):
        return StoreLocation(path=value.expanduser())
    text = value.strip()
    if not text:
        raise BadLocation("No database given: name a file or a postgresql+psycopg:// URL.")
    if not _SCHEME.match(text):
        return StoreLocation(path=Path(text).expanduser())
    if text.lower().startswith("sqlite:"):
        database = make_url(text).database
        if not database:
            raise BadLocation(
                "An sqlite:/// URL needs a file path (in-memory stores keep nothing)."
            )
        return StoreLocation(path=Path(database).expanduser())
    return StoreLocation(url=_server_url(text))


def default_location() -> StoreLocation:
    """`AUDIT_BINDER_DB` (a path or a URL) if set, else the default file in the user's
    data folder. Raises `BadLocation` when the variable holds an unusable URL."""
    override = os.environ.get("AUDIT_BINDER_DB", "").strip()
    if override:
        return parse_location(override)
    return StoreLocation(path=default_db_path())
