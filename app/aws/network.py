"""When the network path to AWS fails: the one list of such errors, and what to say.

botocore raises a `ConnectionError` or an `HTTPClientError` subclass for every way the
path can fail (refused, proxy, DNS, TLS, timeouts, a closed connection); each becomes
one sentence naming the endpoint (or proxy) and the cause.
"""

from __future__ import annotations

import socket

import botocore.exceptions

# Every transport failure botocore raises (each one a BotoCoreError).
TRANSPORT_ERRORS = (
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)


def _cause_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: botocore's `error`, urllib3's `reason`, Python's causes."""
    chain: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        link = todo.pop()
        if not isinstance(link, BaseException) or link in chain:
            continue
        chain.append(link)
        todo += [getattr(link, "kwargs", {}).get("error"), getattr(link, "reason", None)]
        todo += [link.__cause__, link.__context__]
    return chain


def _name_not_resolved(exc: BaseException) -> bool:
    chain = _cause_chain(exc)
    if any(isinstance(link, socket.gaierror) for link in chain):
        return True
    text = " ".join(str(link) for link in chain)
    return (
        "Name or service not known" in text
        or "NameResolutionError" in text
        or ("getaddrinfo" in text)
    )


def _refused(exc: BaseException) -> bool:
    chain = _cause_chain(exc)
    return any(isinstance(link, ConnectionRefusedError) for link in chain) or (
        "Connection refused" in " ".join(str(link) for link in chain)
    )


def describe_network_failure(exc: BaseException) -> str:
    """One sentence: where the connection went and why it failed."""
    kwargs = getattr(exc, "kwargs", {})
    endpoint = str(kwargs.get("endpoint_url") or "the endpoint")
    if isinstance(exc, botocore.exceptions.ProxyConnectionError):
        proxy = kwargs.get("proxy_url") or "set in HTTPS_PROXY / HTTP_PROXY"
        return f"the proxy ({proxy}) could not be reached or refused the connection"
    if isinstance(exc, botocore.exceptions.ConnectTimeoutError):
        return f"{endpoint} did not answer: connecting timed out"
    if isinstance(exc, botocore.exceptions.ReadTimeoutError):
        return f"{endpoint} did not answer in time (read timeout)"
    if isinstance(exc, botocore.exceptions.SSLError):
        return f"the TLS connection to {endpoint} failed (a proxy inspecting TLS?)"
    if isinstance(exc, botocore.exceptions.ConnectionClosedError):
        return f"{endpoint} closed the connection before answering"
    if _name_not_resolved(exc):
        host = endpoint.split("://", 1)[-1].split("/", 1)[0]
        return f"the host name {host} could not be resolved (DNS)"
    if _refused(exc):
        return f"{endpoint} refused the connection"
    detail = " ".join(str(exc).split())
    return f"the connection to {endpoint} failed ({detail})"
