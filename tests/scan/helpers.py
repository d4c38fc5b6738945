"""Helpers for the scan tests: picking rows, injecting AWS errors, an organization."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse, HTTPHeaders

from app.scan.runner import ScanOutcome

MANAGEMENT = "123456789012"  # moto's account: the organization's management account


def rows(outcome: ScanOutcome, check: str, region: str | None = None) -> list[Any]:
    return [
        r for r in outcome.results if r.check == check and (region is None or r.region == region)
    ]


def status_of(outcome: ScanOutcome, check: str, resource_part: str) -> str:
    """The status of the one row of `check` whose resource contains `resource_part`."""
    matching = [r for r in outcome.results if r.check == check and resource_part in r.resource]
    assert len(matching) == 1, (check, resource_part, [r.resource for r in matching])
    return matching[0].status.value


def answer_with_error(
    service_event: str, operation: str, code: str, status: int
) -> Callable[[Any], None]:
    """A client hook making `operation` fail as AWS would, before anything is sent."""

    def hook(client: Any) -> None:
        def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            parsed = {
                "Error": {"Code": code, "Message": f"injected {code}"},
                "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 0},
            }
            return AWSResponse("https://injected", status, {}, None), parsed

        client.meta.events.register(f"before-call.{service_event}.{operation}", handler)

    return hook


def make_organization(endpoint: str | None = None) -> dict[str, str]:
    """The organization with two members; their ids by name. Without `endpoint`, boto3's
    normal chain (the `aws` fixture's environment) says where AWS is."""
    client = boto3.client("organizations", region_name="us-east-1", endpoint_url=endpoint)
    client.create_organization(FeatureSet="ALL")
    return {
        name: client.create_account(AccountName=name, Email=f"{name}@example.test")[
            "CreateAccountStatus"
        ]["AccountId"]
        for name in ("staging", "prod")
    }


def refusing_assume_role(account_id: str) -> boto3.Session:
    """A base session whose AssumeRole into `account_id` is denied as AWS would deny it."""
    session = boto3.Session()

    def answer(params: Any = None, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if account_id not in str(params):
            return None
        return AWSResponse("https://sts", 403, HTTPHeaders(), None), {
            "Error": {"Code": "AccessDenied", "Message": "not authorized to perform AssumeRole"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    events: Any = session.events
    events.register("before-call.sts.AssumeRole", answer)
    return session


# A throttling answer in each protocol's own error format, so botocore parses the code and
# its retry handler treats it as throttling (status, body, headers).
_THROTTLED: dict[str, tuple[int, bytes, dict[str, str]]] = {
    "query": (
        400,
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        b"<Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
        {"content-type": "text/xml"},
    ),
    "rest-xml": (
        503,
        b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
        b"<RequestId>r-1</RequestId></Error>",
        {"content-type": "application/xml"},
    ),
    "json": (
        400,
        b'{"__type": "ThrottlingException", "message": "Rate exceeded"}',
        {"content-type": "application/x-amz-json-1.1"},
    ),
    "rest-json": (
        429,
        b'{"message": "Rate exceeded"}',
        {"content-type": "application/json", "x-amzn-errortype": "TooManyRequestsException"},
    ),
}


def throttled(service_event: str, operation: str, attempts: list[str]) -> Callable[[Any], None]:
    """A client hook answering every attempt at `operation` with AWS's throttling error for
    the client's protocol (before anything is sent); each attempt is noted in `attempts`."""

    def hook(client: Any) -> None:
        status, body, headers = _THROTTLED[client.meta.service_model.protocol]

        def before_send(request: Any, **_: Any) -> AWSResponse:
            attempts.append(operation)
            response = AWSResponse(request.url, status, headers, None)
            response._content = body
            return response

        client.meta.events.register(f"before-send.{service_event}.{operation}", before_send)

    return hook


def answer_with(
    service_event: str, operation: str, parsed: dict[str, Any]
) -> Callable[[Any], None]:
    """A client hook answering `operation` with `parsed` (as botocore would have parsed it),
    for what moto cannot be made to say (a root row in the credential report...)."""

    def hook(client: Any) -> None:
        def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            meta = {"HTTPStatusCode": 200, "RetryAttempts": 0}
            return AWSResponse("https://injected", 200, {}, None), {
                **parsed,
                "ResponseMetadata": meta,
            }

        client.meta.events.register(f"before-call.{service_event}.{operation}", handler)

    return hook
