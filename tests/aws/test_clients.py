"""The scan's clients: S3 Control's host is fixed for a local endpoint only, never for AWS."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
import pytest

from app.aws.clients import ScanClients

EVENT = "before-send.s3-control.GetPublicAccessBlock"


@dataclass
class _Request:
    url: str


def _sent_to(client: object, url: str) -> str:
    request = _Request(url)
    client.meta.events.emit(EVENT, request=request)  # type: ignore[attr-defined]
    return request.url


def test_a_loopback_endpoint_gets_its_own_host_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5123")
    client = ScanClients(lambda: boto3.Session(region_name="us-east-1")).client(
        "s3control", "us-east-1"
    )
    prefixed = "http://123456789012.127.0.0.1:5123/v20180820/configuration/publicAccessBlock"
    assert _sent_to(client, prefixed) == (
        "http://127.0.0.1:5123/v20180820/configuration/publicAccessBlock"
    )


def test_aws_endpoints_are_never_rewritten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    client = ScanClients(lambda: boto3.Session(region_name="us-east-1")).client(
        "s3control", "us-east-1"
    )
    real = "https://123456789012.s3-control.us-east-1.amazonaws.com/v20180820/configuration/x"
    assert _sent_to(client, real) == real
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://proxy.example.com")
    proxied = ScanClients(lambda: boto3.Session(region_name="us-east-1")).client(
        "s3control", "us-east-1"
    )
    via_proxy = "https://123456789012.proxy.example.com/v20180820/configuration/x"
    assert _sent_to(proxied, via_proxy) == via_proxy
