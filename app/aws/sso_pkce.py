"""IAM Identity Center sign-in with the authorization-code flow, PKCE and a loopback redirect.

The AWS CLI's default since 2.22: register a public client for `authorization_code`
and `refresh_token`, open `<oidc endpoint>/authorize` in the browser with an S256
code challenge and a random state, receive the code on `http://127.0.0.1:<port>/
oauth/callback`, check the state, exchange code + verifier with `CreateToken`.
Only 127.0.0.1 is ever listened on; the wait is cancellable and bounded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import botocore.exceptions

from app.aws.login_errors import (
    AccessDeniedError,
    AuthorizationExpiredError,
    SignInCancelled,
    SignInError,
)
from app.aws.sso_cache import SsoTarget, SsoToken, utc_now, write_token
from app.aws.sso_clients import (
    DEFAULT_SCOPES,
    SsoClients,
    make_clients,
    registration_for,
    token_from_response,
    translate,
)

CALLBACK_PATH = "/oauth/callback"
# Registered without a port: loopback redirects may use any port (RFC 8252 7.3).
REGISTERED_REDIRECT = f"http://127.0.0.1{CALLBACK_PATH}"
GRANT_TYPES = ("authorization_code", "refresh_token")
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"

_DONE_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Audit Binder</title></head>"
    b"<body><h1>Signed in request received</h1>"
    b"<p>You can close this tab and return to Audit Binder.</p></body></html>"
)


@dataclass(frozen=True)
class PkcePair:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> PkcePair:
        verifier = "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(64))
        return cls(verifier, s256(verifier))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LoopbackUnavailable(SignInError):
    """No port could be opened on 127.0.0.1 for the browser's answer: use the device code."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The browser sign-in needs a port on 127.0.0.1 and none could be opened "
            f"({reason}); sign in with a device code instead."
        )


@dataclass
class _Callback:
    code: str | None = None
    state: str | None = None
    error: str | None = None
    received: bool = False


class LoopbackReceiver:
    """A one-shot HTTP server on 127.0.0.1 that catches the OAuth redirect."""

    def __init__(self, poll_seconds: float = 0.2) -> None:
        self.result = _Callback()
        result = self.result

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # the query string holds the code: never log it

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                result.code = query.get("code")
                result.state = query.get("state")
                result.error = query.get("error")
                result.received = True
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_DONE_PAGE)))
                self.end_headers()
                self.wfile.write(_DONE_PAGE)

        try:
            self._server = HTTPServer(("127.0.0.1", 0), Handler)
        except OSError as exc:
            raise LoopbackUnavailable(exc.strerror or str(exc)) from exc
        self._server.timeout = poll_seconds

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"

    def wait(
        self, cancel: threading.Event, deadline: datetime, now: Callable[[], datetime]
    ) -> _Callback:
        try:
            while not self.result.received:
                if cancel.is_set():
                    raise SignInCancelled()
                if now() >= deadline:
                    raise AuthorizationExpiredError()
                self._server.handle_request()
        finally:
            self._server.server_close()
        return self.result

    def close(self) -> None:
        self._server.server_close()


def authorization_url(
    clients: SsoClients,
    client_id: str,
    redirect_uri: str,
    state: str,
    pkce: PkcePair,
    scopes: tuple[str, ...],
) -> str:
    base = clients.oidc.meta.endpoint_url.rstrip("/")
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge_method": "S256",
            "scopes": " ".join(scopes),
            "code_challenge": pkce.challenge,
        }
    )
    return f"{base}/authorize?{query}"


def pkce_login(
    target: SsoTarget,
    open_url: Callable[[str], None],
    *,
    cancel: threading.Event | None = None,
    clients: SsoClients | None = None,
    timeout: timedelta = timedelta(minutes=10),
    now: Callable[[], datetime] = utc_now,
    cache_dir: Path | None = None,
    write_cache: bool = True,
) -> SsoToken:
    """Sign in through the browser; `open_url` must not block (open a tab, show the link).

    `LoopbackUnavailable` before anything is sent when no local port can be opened.
    """
    cancel = cancel or threading.Event()
    clients = clients or make_clients(target)
    scopes = target.scopes or DEFAULT_SCOPES
    receiver = LoopbackReceiver()
    try:
        registration = registration_for(
            clients,
            target,
            grant_types=GRANT_TYPES,
            redirect_uris=(REGISTERED_REDIRECT,),
            cache_dir=cache_dir,
            now=now,
        )
    except BaseException:
        receiver.close()
        raise
    pkce = PkcePair.new()
    state = secrets.token_urlsafe(32)
    redirect_uri = receiver.redirect_uri
    open_url(authorization_url(clients, registration.client_id, redirect_uri, state, pkce, scopes))
    answer = receiver.wait(cancel, now() + timeout, now)
    if answer.error:
        raise AccessDeniedError(f"The sign-in was not approved in the browser ({answer.error}).")
    if not answer.state or not hmac.compare_digest(answer.state, state):
        raise SignInError(
            "The browser answered with an unexpected state, so the answer was refused "
            "(it may not come from this sign-in). Start again."
        )
    if not answer.code:
        raise SignInError("The browser answered without an authorization code. Start again.")
    try:
        response = clients.oidc.create_token(
            grantType="authorization_code",
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            redirectUri=redirect_uri,
            codeVerifier=pkce.verifier,
            code=answer.code,
        )
    except clients.oidc.exceptions.ExpiredTokenException as exc:
        raise AuthorizationExpiredError() from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise translate("the token request", exc) from exc
    except botocore.exceptions.ClientError as exc:
        raise translate("the token request", exc) from exc
    token = token_from_response(target, registration, response, now())
    if write_cache:
        write_token(target, token, cache_dir)
    return token
