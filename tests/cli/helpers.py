"""Small helpers for the CLI tests: run `main`, read what it said, make odd files."""

from __future__ import annotations

import hashlib
import http.server
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.store.database import open_database
from app.store.engagements import create_engagement
from tests.conftest import new_sqlite_store


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Ran:
    code = main(list(argv))
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_clear_line(text: str) -> str:
    """The message, asserting it is one line with no traceback."""
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def make_database(path: Path, *engagements: str) -> Path:
    with open_database(new_sqlite_store(path)) as db, db.session() as session:
        for name in engagements:
            create_engagement(session, name, actor="qa")
    return path


# Each builds, beside a good database, a file `--db` may be pointed at by mistake.
def _truncated(good: Path, path: Path) -> None:
    path.write_bytes(good.read_bytes()[:5000])


def _corrupt(good: Path, path: Path) -> None:
    data = bytearray(good.read_bytes())
    data[4096 * 2 : 4096 * 2 + 2000] = b"\xde\xad" * 1000
    path.write_bytes(bytes(data))


def _not_sqlite(good: Path, path: Path) -> None:
    path.write_text("these are my notes, not a database\n")


def _other_program(good: Path, path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    connection.commit()
    connection.close()


def _newer_schema(good: Path, path: Path) -> None:
    path.write_bytes(good.read_bytes())
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = 'ffff99990000'")
    connection.commit()
    connection.close()


BAD_DATABASES = {
    "truncated": (_truncated, "damaged"),
    "corrupt": (_corrupt, "damaged"),
    "not-sqlite": (_not_sqlite, "not an Audit Binder database"),
    "other-program": (_other_program, "another program"),
    "newer-schema": (_newer_schema, "newer version of Audit Binder"),
}


@contextmanager
def fake_web_server(status: int, body: bytes) -> Iterator[str]:
    """A plain web server on 127.0.0.1 answering every request alike (not AWS)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test output is for the test."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """Accepts connections (the kernel's backlog) and never answers a byte."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
