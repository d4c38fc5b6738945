"""A small fake of IAM Identity Center (sso-oidc + the SSO portal) and `aws login`'s
sign-in token endpoint, on 127.0.0.1, driven through real boto3 clients.

moto has no sso-oidc. The paths and shapes follow botocore's service models
(rest-json): sso-oidc `POST /client/register`, `POST /device_authorization`,
`POST /token`; sso `GET /assignment/accounts`, `GET /assignment/roles`,
`GET /federation/credentials` (bearer token in `x-amz-sso_bearer_token`); signin
`POST /v1/token`. `GET /authorize` plays the browser approving a PKCE request: it
redirects to the loopback `redirect_uri` with a code and the state. `GET /start` is the
access portal's page, for a start URL on the fake (`AUDIT_BINDER_TEST_SSO_ENDPOINT`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

ROLE_KEY_ID = "ASIAFAKESSOROLEKEY01"
ROLE_SECRET = "fake-sso-role-secret-0123456789"
LOGIN_KEY_ID = "ASIAFAKELOGINKEY0001"


@dataclass
class FakeSsoState:
    """What the fake answers. Tests change it before or between calls."""

    # Answers of CreateToken for the device grant, in order; the last one repeats.
    # "pending", "slow_down", "expired", "denied", "ok".
    device_answers: list[str] = field(default_factory=lambda: ["ok"])
    accounts: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"accountId": "111111111111", "accountName": "prod", "emailAddress": "p@x.test"},
            {"accountId": "222222222222", "accountName": "audit", "emailAddress": "a@x.test"},
            {"accountId": "333333333333", "accountName": "dev", "emailAddress": "d@x.test"},
        ]
    )
    roles: dict[str, list[str]] = field(
        default_factory=lambda: {
            "111111111111": ["AdministratorAccess", "SecurityAudit", "ViewOnlyAccess"],
            "222222222222": ["SecurityAudit"],
        }
    )
    page_size: int = 2
    interval: int = 1  # StartDeviceAuthorization's polling interval, seconds
    sts_answer: str = "expired"  # STS (POST /, query protocol): only errors are faked
    token_ttl: int = 3600
    # State returned by GET /authorize; None echoes the request's state.
    authorize_state: str | None = None
    authorize_error: str | None = None
    signin_answer: str = "ok"  # "ok" or "expired"
    # False: the start URL is not this instance's (InvalidRequestException, as AWS answers).
    start_url_known: bool = True
    # Filled by the fake.
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def operations(self) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.requests]


class FakeSsoServer:
    def __init__(self) -> None:
        self.state = FakeSsoState()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeSsoServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}-{next(self._ids)}"

    def issue_token(self) -> dict[str, Any]:
        access, refresh = self.next_id("access-token"), self.next_id("refresh-token")
        self.state.access_tokens.add(access)
        self.state.refresh_tokens.add(refresh)
        return {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": self.state.token_ttl,
            "refreshToken": refresh,
        }

    def next_device_answer(self) -> str:
        with self._lock:
            answers = self.state.device_answers
            return answers.pop(0) if len(answers) > 1 else answers[0]


_OIDC_ERRORS = {
    "pending": ("AuthorizationPendingException", "authorization_pending"),
    "slow_down": ("SlowDownException", "slow_down"),
    "expired": ("ExpiredTokenException", "expired_token"),
    "denied": ("AccessDeniedException", "access_denied"),
}


def _handler_for(fake: FakeSsoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest output clean

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return json.loads(raw) if raw else {}

        def _send(self, status: int, body: dict[str, Any], error_type: str = "") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if path == "/":
                self._sts()
                return
            body = self._body()
            fake.state.requests.append(("POST", path, body))
            unknown = not fake.state.start_url_known
            if unknown and (path == "/device_authorization" or "issuerUrl" in body):
                self._send(400, {"error": "invalid_request"}, "InvalidRequestException")
            elif path == "/client/register":
                now = int(time.time())
                self._send(
                    200,
                    {
                        "clientId": fake.next_id("client"),
                        "clientSecret": fake.next_id("client-secret"),
                        "clientIdIssuedAt": now,
                        "clientSecretExpiresAt": now + 90 * 86400,
                    },
                )
            elif path == "/device_authorization":
                self._send(
                    200,
                    {
                        "deviceCode": fake.next_id("device-code"),
                        "userCode": "WDJB-MJHT",
                        "verificationUri": f"{fake.endpoint}/device",
                        "verificationUriComplete": f"{fake.endpoint}/device?user_code=WDJB-MJHT",
                        "expiresIn": 600,
                        "interval": fake.state.interval,
                    },
                )
            elif path == "/token":
                self._token(body)
            elif path == "/v1/token":
                self._signin_token(body)
            else:
                self._send(404, {"message": f"no route {path}"}, "ResourceNotFoundException")

        def _sts(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.state.requests.append(("POST", "/", {"Action": form.get("Action", "")}))
            codes = {"expired": "ExpiredToken", "invalid": "InvalidClientTokenId"}
            code = codes.get(fake.state.sts_answer, "AccessDenied")
            data = (
                "<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{code}</Code><Message>{code} (fake)</Message></Error>"
                "<RequestId>fake</RequestId></ErrorResponse>"
            ).encode()
            self.send_response(403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _token(self, body: dict[str, Any]) -> None:
            grant = body.get("grantType")
            if grant == "urn:ietf:params:oauth:grant-type:device_code":
                answer = fake.next_device_answer()
                if answer != "ok":
                    code, error = _OIDC_ERRORS[answer]
                    self._send(400, {"error": error, "error_description": answer}, code)
                    return
            elif grant == "refresh_token":
                if body.get("refreshToken") not in fake.state.refresh_tokens:
                    self._send(400, {"error": "invalid_grant"}, "InvalidGrantException")
                    return
            elif grant == "authorization_code":
                issued = fake.state.codes.pop(str(body.get("code")), None)
                verifier = str(body.get("codeVerifier", ""))
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if (
                    issued is None
                    or issued["challenge"] != challenge
                    or issued["redirect_uri"] != body.get("redirectUri")
                    or issued["client_id"] != body.get("clientId")
                ):
                    self._send(400, {"error": "invalid_grant"}, "InvalidGrantException")
                    return
            else:
                self._send(
                    400, {"error": "unsupported_grant_type"}, "UnsupportedGrantTypeException"
                )
                return
            self._send(200, fake.issue_token())

        def _signin_token(self, body: dict[str, Any]) -> None:
            if fake.state.signin_answer != "ok":
                self._send(
                    400,
                    {"error": "TOKEN_EXPIRED", "message": "session expired"},
                    "AccessDeniedException",
                )
                return
            self._send(
                200,
                {
                    "accessToken": {
                        "accessKeyId": LOGIN_KEY_ID,
                        "secretAccessKey": "fake-login-secret",
                        "sessionToken": "fake-login-session-token",
                    },
                    "tokenType": "aws_sigv4",
                    "expiresIn": 900,
                    "refreshToken": fake.next_id("login-refresh"),
                },
            )

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            fake.state.requests.append(("GET", url.path, query))
            if url.path == "/authorize":
                self._authorize(query)
                return
            if url.path == "/start":
                self._portal_page()
                return
            if self.headers.get("x-amz-sso_bearer_token") not in fake.state.access_tokens:
                self._send(
                    401, {"message": "Session token not found or invalid"}, "UnauthorizedException"
                )
                return
            if url.path == "/assignment/accounts":
                self._page(fake.state.accounts, "accountList", query)
            elif url.path == "/assignment/roles":
                account = query.get("account_id", "")
                roles = [
                    {"roleName": r, "accountId": account} for r in fake.state.roles.get(account, [])
                ]
                self._page(roles, "roleList", query)
            elif url.path == "/federation/credentials":
                expiration = int((time.time() + 3600) * 1000)
                self._send(
                    200,
                    {
                        "roleCredentials": {
                            "accessKeyId": ROLE_KEY_ID,
                            "secretAccessKey": ROLE_SECRET,
                            "sessionToken": "fake-sso-session-token",
                            "expiration": expiration,
                        }
                    },
                )
            else:
                self._send(404, {"message": f"no route {url.path}"}, "ResourceNotFoundException")

        def _portal_page(self) -> None:
            data = b"<!doctype html><title>AWS access portal (fake)</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _page(self, items: list[dict[str, str]], key: str, query: dict[str, str]) -> None:
            start = int(query.get("next_token") or 0)
            size = fake.state.page_size
            body: dict[str, Any] = {key: items[start : start + size]}
            if start + size < len(items):
                body["nextToken"] = str(start + size)
            self._send(200, body)

        def _authorize(self, query: dict[str, str]) -> None:
            redirect = query["redirect_uri"]
            if fake.state.authorize_error:
                params = {"error": fake.state.authorize_error}
            else:
                code = fake.next_id("auth-code")
                fake.state.codes[code] = {
                    "challenge": query.get("code_challenge", ""),
                    "redirect_uri": redirect,
                    "client_id": query.get("client_id", ""),
                }
                state = fake.state.authorize_state or query.get("state", "")
                params = {"code": code, "state": state}
            self.send_response(302)
            self.send_header("Location", f"{redirect}?{urlencode(params)}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def point_botocore_at_home(monkeypatch: Any) -> None:
    """botocore fixes `~/.aws/sso/cache` when it is imported, before the tests' HOME is set:
    aim its SSO token and credential providers at this test's HOME, like a fresh process."""
    import botocore.credentials
    import botocore.tokens

    cache = os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache)


def services_section(endpoint: str, name: str = "fake-sso") -> str:
    """A `[services NAME]` config section sending sso, sso-oidc, signin and STS to the fake;
    a profile opts in with `services = NAME` (botocore's own endpoint configuration)."""
    lines = [f"[services {name}]"]
    for service in ("sso", "sso_oidc", "signin", "sts"):
        lines += [f"{service} =", f"  endpoint_url = {endpoint}"]
    return "\n".join(lines) + "\n"


def first_connection_env(monkeypatch: Any, endpoint: str) -> str:
    """A first connection against the fake: the start URL `{endpoint}/start` is allowed
    through the explicit test seam, and botocore sends sso and sso-oidc calls to the
    fake (its own endpoint variables). Returns the start URL."""
    monkeypatch.setenv("AUDIT_BINDER_TEST_SSO_ENDPOINT", endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", endpoint)
    return f"{endpoint}/start"
