"""Receipts of API calls: what an auditor needs to reconcile a population with AWS.

For every fetch (one API call, all its pages) a scan keeps a `CallReceipt`: the AWS
request id and the SHA-256 of the body of each page exactly as received, whether the
last page still carried a continuation token, how many records came back, and an
equivalent read-only AWS CLI command that recounts them.

The raw bodies are only visible inside botocore, so every scan client gets an
`after-call` handler (`register_recorder`) that reports each page to the fetch running
on the same thread (`recording`). botocore makes each call, all its pages and retries
on the calling thread, so a thread-local list is the link between the two.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import botocore.session
import jmespath
from botocore import xform_name
from botocore.exceptions import BotoCoreError

# Top-level response members that ask for another page when present and non-empty.
_CONTINUATION_KEYS = frozenset(
    {
        "NextToken",
        "nextToken",
        "NextMarker",
        "Marker",
        "ContinuationToken",
        "NextContinuationToken",
        "NextPageToken",
    }
)
_TRUNCATED_KEYS = frozenset({"IsTruncated", "Truncated"})
# Where the records of a response are when its paginator's result key is not what an
# auditor counts (DescribeInstances pages reservations; the population is instances).
_RECORD_PATHS: Mapping[str, tuple[str, ...]] = {
    "ec2:DescribeInstances": ("Reservations[].Instances[]",),
}
# The AWS CLI's name of a service where it differs from boto3's.
_CLI_SERVICES: Mapping[str, str] = {"s3": "s3api", "config": "configservice"}

_local = threading.local()


@dataclass(frozen=True)
class PageReceipt:
    """One HTTP response of a call: its request id and the SHA-256 of its body."""

    request_id: str
    sha256: str
    size: int
    status: int
    continued: bool  # it carried a continuation token (another page was due)

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "sha256": self.sha256,
            "bytes": self.size,
            "http_status": self.status,
            "continuation_token": self.continued,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageReceipt:
        return cls(
            request_id=str(data["request_id"]),
            sha256=str(data["sha256"]),
            size=int(data["bytes"]),
            status=int(data["http_status"]),
            continued=bool(data["continuation_token"]),
        )


@dataclass(frozen=True)
class CallReceipt:
    """One fetch as received: every page, the record count and the recount command.

    `operation`, `parameters` and `region` are those of the `Evidence` the call backs
    (`region` is "global" for IAM and the S3 listing); `endpoint_region` is where the
    request went. `counts` maps each record path (JMESPath) to its number of records;
    empty when the answer is one object, not a list.
    """

    operation: str
    region: str
    endpoint_region: str
    parameters: Mapping[str, Any]
    called_at: datetime
    pages: tuple[PageReceipt, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    recount: str = ""

    @property
    def complete(self) -> bool:
        """The last page came without a continuation token."""
        return bool(self.pages) and not self.pages[-1].continued

    @property
    def records(self) -> int | None:
        return sum(self.counts.values()) if self.counts else None

    @property
    def key(self) -> tuple[str, str, str]:
        """What an `Evidence` item of this call has in common with it."""
        return call_key(self.operation, self.parameters, self.region)

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "region": self.region,
            "endpoint_region": self.endpoint_region,
            "parameters": dict(self.parameters),
            "called_at": self.called_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "page_count": len(self.pages),
            "pages": [page.to_json() for page in self.pages],
            "complete": self.complete,
            "records": self.records,
            "record_counts": dict(self.counts),
            "recount_command": self.recount,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallReceipt:
        return cls(
            operation=str(data["operation"]),
            region=str(data["region"]),
            endpoint_region=str(data.get("endpoint_region") or data["region"]),
            parameters=dict(data.get("parameters") or {}),
            called_at=datetime.strptime(data["called_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            ),
            pages=tuple(PageReceipt.from_json(p) for p in data["pages"]),
            counts={str(k): int(v) for k, v in (data.get("record_counts") or {}).items()},
            recount=str(data.get("recount_command", "")),
        )


def call_key(operation: str, parameters: Mapping[str, Any], region: str) -> tuple[str, str, str]:
    """(operation, canonical JSON of the parameters, region): one call's identity."""
    canonical = json.dumps(dict(parameters), sort_keys=True, ensure_ascii=False)
    return operation, canonical, region


class ReceiptLog:
    """Every receipt of one scan, collected from the scan's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[CallReceipt] = []

    def add(self, receipt: CallReceipt) -> None:
        with self._lock:
            self._items.append(receipt)

    def receipts(self) -> tuple[CallReceipt, ...]:
        with self._lock:
            return tuple(sorted(self._items, key=lambda r: (r.called_at, r.key)))


@contextmanager
def recording() -> Iterator[list[PageReceipt]]:
    """The pages botocore answers on this thread while the block runs."""
    previous = getattr(_local, "pages", None)
    pages: list[PageReceipt] = []
    _local.pages = pages
    try:
        yield pages
    finally:
        _local.pages = previous


def _continued(parsed: Mapping[str, Any]) -> bool:
    if any(parsed.get(key) for key in _CONTINUATION_KEYS):
        return True
    return any(parsed.get(key) is True for key in _TRUNCATED_KEYS)


def record_page(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
    """botocore `after-call` handler: hand the page to the fetch on this thread."""
    pages: list[PageReceipt] | None = getattr(_local, "pages", None)
    if pages is None or http_response is None:
        return
    try:
        body = bytes(http_response.content or b"")
    except (AttributeError, OSError, ValueError):  # no body to read (a stubbed answer)
        return
    parsed = parsed if isinstance(parsed, Mapping) else {}
    metadata = parsed.get("ResponseMetadata") or {}
    headers = http_response.headers or {}
    request_id = str(
        metadata.get("RequestId")
        or headers.get("x-amzn-requestid")
        or headers.get("x-amz-request-id")
        or ""
    )
    pages.append(
        PageReceipt(
            request_id=request_id,
            sha256=hashlib.sha256(body).hexdigest(),
            size=len(body),
            status=int(http_response.status_code),
            continued=_continued(parsed),
        )
    )


def register_recorder(client: Any) -> None:
    """Report every page this client receives to the fetch that asked for it."""
    service_event = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(
        f"after-call.{service_event}", record_page, unique_id="audit-binder-receipts"
    )


def record_paths(client: Any, service: str, operation: str) -> tuple[str, ...]:
    """Where the records of `operation`'s response are (JMESPath), if it lists any."""
    override = _RECORD_PATHS.get(f"{service}:{operation}")
    if override is not None:
        return override
    method = xform_name(operation)
    if client.can_paginate(method):
        keys = client.get_paginator(method).result_keys or []
        return tuple(str(key.expression) for key in keys)
    shape = client.meta.service_model.operation_model(operation).output_shape
    members = shape.members if shape is not None else {}
    lists = [name for name, member in members.items() if member.type_name == "list"]
    return tuple(lists) if len(lists) == 1 else ()


def count_records(response: Mapping[str, Any] | None, paths: Sequence[str]) -> dict[str, int]:
    if response is None:
        return {}
    counts = {}
    for path in paths:
        found = jmespath.search(path, response)
        counts[path] = len(found) if isinstance(found, list) else 0
    return counts


def _cli_option(name: str, value: Any) -> list[str]:
    option = f"--{xform_name(name, '-')}"
    if isinstance(value, bool):
        return [option if value else f"--no-{option[2:]}"]
    if isinstance(value, str | int | float):
        return [option, str(value)]
    return [option, json.dumps(value, separators=(",", ":"), ensure_ascii=False)]


@cache
def _models() -> botocore.session.Session:
    """A botocore session for reading service data only (paginator definitions)."""
    return botocore.session.get_session()


@cache
def paging_parameters(service: str, operation: str) -> frozenset[str]:
    """The request parameters the AWS CLI manages itself when it follows the pages (the
    page size, the continuation token): left out of a recount command."""
    try:
        config = _models().get_paginator_model(service).get_paginator(operation)
    except (BotoCoreError, ValueError, KeyError):
        return frozenset()
    names: list[str] = []
    for key in ("input_token", "limit_key"):
        value = config.get(key)
        names += value if isinstance(value, list) else [value] if value else []
    return frozenset(names)


def recount_command(
    service: str,
    operation: str,
    region: str,
    parameters: Mapping[str, Any],
    paths: Sequence[str],
) -> str:
    """The AWS CLI line that makes the same read-only call (the CLI follows the pages
    itself, with its own page size) and prints the number of records, for the auditor
    to compare."""
    parts = ["aws", _CLI_SERVICES.get(service, service), xform_name(operation, "-")]
    parts += ["--region", region]
    paging = paging_parameters(service, operation)
    for name, value in parameters.items():
        if name not in paging:
            parts += _cli_option(name, value)
    if len(paths) == 1:
        parts += ["--query", f"length({paths[0]})"]
    elif paths:
        fields = ", ".join(f'"{p}": length({p})' for p in paths)
        parts += ["--query", "{" + fields + "}"]
    return shlex.join(parts)
