"""Helpers for the scan tests: picking rows, injecting AWS errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse

from app.scan.runner import ScanOutcome


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
