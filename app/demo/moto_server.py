"""A moto server on 127.0.0.1: the AWS of the demo and the tests. Never any other address.

moto is an optional dependency (the `demo` extra); importing this module without it
raises a `MotoMissing` error with the install line.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from types import TracebackType
from typing import Any


class MotoMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "The demo needs moto's server: pip install 'audit-binder[demo]' (make demo does this)."
        )


class LocalMotoServer:
    """Starts `ThreadedMotoServer` on a free loopback port; `endpoint` is its URL."""

    def __init__(self) -> None:
        self._server: Any = None
        self.endpoint = ""

    def start(self) -> str:
        # AWS-managed policies (AdministratorAccess, ...) exist only with this set.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise MotoMissing() from exc
        # werkzeug logs every request at INFO: noise on the demo's terminal and in tests.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self.endpoint

    def reset(self) -> None:
        """Forget every resource (moto's own reset API)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalMotoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
