"""Fetches and error translation: every failure becomes a reason, none a silent success."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from app.aws import clients as clients_module
from app.aws.calls import ScanCancelled, convert, explain, fetch
from app.aws.clients import ScanClients


def _client_error(code: str, status: int, message: str = "nope", attempts: int = 0) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": attempts},
        },
        "DescribeVpcs",
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("UnauthorizedOperation", 403, "may not call ec2:DescribeVpcs in eu-west-1"),
        ("AccessDenied", 403, "audit-binder policy"),
        (
            "RequestLimitExceeded",
            503,
            "Throttled by AWS on ec2:DescribeVpcs in eu-west-1, still after 3",
        ),
        ("OptInRequired", 401, "the region is not enabled"),
        ("ExpiredToken", 400, "sign in again"),
        ("NotImplemented", 501, "Not implemented by this endpoint"),
        ("InternalError", 500, "AWS failed on ec2:DescribeVpcs in eu-west-1 (HTTP 500"),
        ("InvalidParameterValue", 400, "failed: InvalidParameterValue: nope"),
    ],
)
def test_client_errors_are_explained(code: str, status: int, expected: str) -> None:
    reason = explain(_client_error(code, status, attempts=3), "ec2", "DescribeVpcs", "eu-west-1")
    assert expected in reason


def test_s3_access_denied_names_the_iam_action_not_the_api_name() -> None:
    exc = _client_error("AccessDenied", 403)
    reason = explain(exc, "s3", "GetBucketEncryption", "eu-west-1")
    assert "s3:GetEncryptionConfiguration" in reason


def test_transport_errors_are_explained() -> None:
    unreachable = EndpointConnectionError(endpoint_url="https://ec2.xx-test-1.amazonaws.com/")
    reason = explain(unreachable, "ec2", "DescribeVpcs", "xx-test-1")
    assert "Could not reach" in reason and "xx-test-1" in reason
    timeout = ReadTimeoutError(endpoint_url="https://kms.eu-west-1.amazonaws.com/")
    assert "Timed out" in explain(timeout, "kms", "ListKeys", "eu-west-1")


def test_unimplemented_operation_fails_fast_without_retries(aws: str) -> None:
    """moto answers HTTP 500 with an HTML page: one request, then a clear error."""
    sent: list[str] = []

    def count(client: Any) -> None:
        client.meta.events.register("before-send", lambda **kw: sent.append("x"))

    clients = ScanClients(boto3.Session, hooks=[count])
    fetched = fetch(clients.client("ssm", "eu-west-1"), "DescribeInstanceInformation")
    assert not fetched.ok
    assert fetched.error is not None and "Not implemented by this endpoint" in fetched.error
    assert len(sent) == 1
    # Query-protocol services fail in the parser instead: same answer.
    sent.clear()
    locks = fetch(clients.client("ec2", "eu-west-1"), "DescribeLockedSnapshots")
    assert locks.error is not None and "Not implemented" in locks.error
    assert len(sent) == 1


def _answer(status: int, body: bytes, content_type: str) -> Any:
    def before_send(request: Any, **_: Any) -> AWSResponse:
        response = AWSResponse(request.url, status, {"content-type": content_type}, None)
        response._content = body
        return response

    return before_send


def test_aws_internal_error_is_still_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON 500 from AWS is transient: botocore's standard retries run, bounded."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    attempts: list[int] = []

    def hook(client: Any) -> None:
        answer = _answer(
            500,
            b'{"__type": "KMSInternalException", "message": "try again"}',
            "application/x-amz-json-1.1",
        )

        def counted(**kwargs: Any) -> AWSResponse:
            attempts.append(1)
            return answer(**kwargs)

        client.meta.events.register("before-send", counted)

    clients = ScanClients(boto3.Session, hooks=[hook])
    fetched = fetch(clients.client("kms", "eu-west-1"), "ListKeys")
    assert len(attempts) == clients_module.MAX_ATTEMPTS
    assert fetched.error is not None and "HTTP 500" in fetched.error


def test_html_500_is_not_retried_but_throttling_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    calls: dict[str, int] = {"kms": 0, "backup": 0}

    def hook(client: Any) -> None:
        service = client.meta.service_model.service_name
        if service == "kms":
            answer = _answer(500, b"<!doctype html><html>down</html>", "text/html")
        else:
            answer = _answer(
                429,
                b'{"__type": "ThrottlingException", "message": "Rate exceeded"}',
                "application/json",
            )

        def counted(**kwargs: Any) -> AWSResponse:
            calls[service] += 1
            return answer(**kwargs)

        client.meta.events.register("before-send", counted)

    clients = ScanClients(boto3.Session, hooks=[hook])
    html = fetch(clients.client("kms", "eu-west-1"), "ListKeys")
    throttled = fetch(clients.client("backup", "eu-west-1"), "ListBackupVaults")
    assert calls == {"kms": 1, "backup": clients_module.MAX_ATTEMPTS}
    assert html.error is not None and "Not implemented" in html.error
    assert throttled.error is not None and "Throttled" in throttled.error


def test_fetch_records_the_call_and_paginates(aws: str) -> None:
    plain = boto3.client("ec2", region_name="eu-west-1")
    for n in range(3):
        plain.create_vpc(CidrBlock=f"10.{n}.0.0/16")
    client = ScanClients(boto3.Session).client("ec2", "eu-west-1")
    fetched = fetch(client, "DescribeVpcs", {"MaxResults": 5}, paginate=True)
    assert fetched.ok and fetched.value is not None
    assert len(fetched.value["Vpcs"]) == 4  # the default VPC and three more
    assert fetched.call.service == "ec2" and fetched.call.operation == "DescribeVpcs"
    assert fetched.call.region == "eu-west-1"
    assert fetched.call.parameters == {"MaxResults": 5}
    assert fetched.call.at is not None and fetched.call.at.tzinfo is not None


def test_absent_configuration_is_none_not_an_error(aws: str) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="plain-bucket")
    client = ScanClients(boto3.Session).client("s3", "us-east-1")
    absent = fetch(
        client,
        "GetBucketReplication",
        {"Bucket": "plain-bucket"},
        absent_codes=frozenset({"ReplicationConfigurationNotFoundError"}),
    )
    assert absent.ok and absent.value is None
    missing = fetch(client, "GetBucketReplication", {"Bucket": "no-such-bucket-here"})
    assert not missing.ok and missing.error is not None and "NoSuchBucket" in missing.error


def test_cancelled_fetch_raises_before_sending(aws: str) -> None:
    cancel = threading.Event()
    cancel.set()
    client = ScanClients(boto3.Session).client("ec2", "eu-west-1")
    with pytest.raises(ScanCancelled):
        fetch(client, "DescribeVpcs", cancel=cancel)


def test_convert_turns_a_malformed_response_into_an_error(aws: str) -> None:
    client = ScanClients(boto3.Session).client("ec2", "eu-west-1")
    fetched = fetch(client, "DescribeVpcs")
    broken = convert(fetched, lambda response: response["NoSuchKey"])
    assert not broken.ok and broken.error is not None and "Unexpected response" in broken.error
    assert broken.call == fetched.call
