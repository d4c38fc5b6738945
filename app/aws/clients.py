"""The one place scan clients are made: read-only guard, bounded retries, timeouts.

Every client a scan uses comes from `ScanClients.client(service, region)`, which
registers the read-only guard (`app.aws.readonly.guard_client`) before handing it
out. boto3 sessions are not thread-safe while clients are: the factory builds all
clients from one session under a lock and shares the (cached) clients between the
scan's threads. boto3 itself honours `AWS_ENDPOINT_URL`, `AWS_PROFILE` and the rest
of the credential chain; the session factory decides the profile.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from app.aws.readonly import guard_client

# Total attempts per request, the first included. botocore's "standard" mode backs off
# exponentially with jitter (at most 20 s between attempts) and retries throttling,
# transient 5xx and connection errors.
MAX_ATTEMPTS = 4
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
IDENTITY_READ_TIMEOUT_S = 10

SessionFactory = Callable[[], boto3.Session]
ClientHook = Callable[[Any], None]

_DEFAULT_REGION_BY_PARTITION = {
    "aws": "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
}


def scan_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        # Enough pooled connections for all of a scan's worker threads sharing one client.
        max_pool_connections=48,
        user_agent_extra="audit-binder",
    )


def identity_config() -> Config:
    """For a first call that says whether AWS can be reached at all (who am I, sign-in):
    an endpoint that accepts connections but never answers is reported in ~20 s, not
    after 4 x 30 s."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=IDENTITY_READ_TIMEOUT_S,
        retries={"mode": "standard", "total_max_attempts": 2},
    )


def is_html_error(http_response: Any) -> bool:
    """An HTML page instead of an AWS error document: a proxy or an emulator's
    "not implemented" page (moto answers unimplemented operations so)."""
    content_type = str(http_response.headers.get("content-type", "")).lower()
    if "text/html" in content_type:
        return True
    head = bytes(http_response.content[:64]).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _no_retry_on_html_500(response: Any = None, **_: Any) -> bool | None:
    """Stop botocore's retries for an HTML 5xx: retrying a page that says "not implemented"
    only multiplies backoff. AWS's own 500s (JSON/XML InternalError) still retry."""
    if response is None:
        return None
    http_response = response[0]
    if (
        http_response is not None
        and http_response.status_code >= 500
        and is_html_error(http_response)
    ):
        return False  # a non-None answer wins over the retry handler registered later
    return None


def is_loopback_host(host: str) -> bool:
    """A loopback address (or `localhost`): the local fake AWS, never a real endpoint."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _local_s3_control_host(endpoint: str) -> Callable[..., None]:
    """For S3 Control on a local endpoint (the fake AWS of the demo and the tests): botocore's
    endpoint rules put the account id in front of any host (`123456789012.127.0.0.1`),
    which does not resolve; send the request to the endpoint's own host instead."""
    own = urlsplit(endpoint).netloc

    def rewrite(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc != own and parts.netloc.endswith(f".{own}"):
            request.url = urlunsplit(parts._replace(netloc=own))

    return rewrite


def register_local_fixes(client: Any, service: str) -> None:
    """Only ever for a loopback endpoint: a real AWS endpoint is never rewritten."""
    endpoint = str(client.meta.endpoint_url or "")
    if service == "s3control" and is_loopback_host(urlsplit(endpoint).hostname or ""):
        client.meta.events.register(
            "before-send.s3-control",
            _local_s3_control_host(endpoint),
            unique_id="audit-binder-local-s3-control",
        )


class ScanClients:
    """Builds and caches guarded boto3 clients per (service, region); thread-safe.

    `hooks` run on each new client after the guard is registered (tests inject faults
    this way, the benchmark counts requests and adds latency).
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        hooks: Sequence[ClientHook] = (),
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._session_factory = session_factory
        self._session: boto3.Session | None = None
        self._hooks = tuple(hooks)
        self._config = scan_config(max_attempts)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def _get_session(self) -> boto3.Session:
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    @property
    def default_region(self) -> str:
        """The session's region, else the partition's main region (for global calls)."""
        with self._lock:
            region = self._get_session().region_name
        return region or "us-east-1"

    def global_region(self, partition: str) -> str:
        """Where to send global services' calls (IAM, S3 listing, Organizations)."""
        return _DEFAULT_REGION_BY_PARTITION.get(partition, self.default_region)

    def partition_of(self, region: str) -> str | None:
        """botocore's partition for a region name; None for a name it does not know."""
        with self._lock:
            try:
                return str(self._get_session().get_partition_for_region(region))
            except (ValueError, BotoCoreError):
                return None

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            cached = self._clients.get(key)
            if cached is not None:
                return cached
            client = self._make(service, region, self._config)
            self._clients[key] = client
            return client

    def identity_client(self, region: str) -> Any:
        """STS for the first call of a scan, with short patience (`identity_config`)."""
        config = self._config.merge(identity_config())
        with self._lock:
            return self._make("sts", region, config)

    def _make(self, service: str, region: str, config: Config) -> Any:
        """A guarded client (caller holds the lock: the session is not thread-safe)."""
        client = self._get_session().client(  # type: ignore[call-overload]
            service, region_name=region, config=config
        )
        guard_client(client)
        register_local_fixes(client, service)
        service_event = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(
            f"needs-retry.{service_event}",
            _no_retry_on_html_500,
            unique_id="audit-binder-no-retry-html-500",
        )
        for hook in self._hooks:
            hook(client)
        return client
