"""An endpoint that accepts connections but never answers: the scan gives up after two
short attempts at its first call, not after four 30-second ones."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.aws import clients
from app.cli import main


@pytest.fixture
def black_hole() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback port that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_a_silent_endpoint_fails_the_scan_after_two_attempts(
    black_hole: tuple[str, list[socket.socket]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint, accepted = black_hole
    monkeypatch.setattr(clients, "IDENTITY_READ_TIMEOUT_S", 1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    code = main(["scan", "--db", str(tmp_path / "db.sqlite3")])
    assert code == 1
    assert "could not run" in capsys.readouterr().err
    assert len(accepted) == 2  # one try and one retry, each cut short by the read timeout
