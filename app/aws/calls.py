"""One fetch = one API listing (all pages) turned into `Fetched`: a value, or why not.

`fetch` records the call as evidence (`Call`: service, operation, region, parameters,
UTC time) and translates every failure into a sentence a person can act on; nothing
is swallowed into an empty success. A cancelled scan raises `ScanCancelled` instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from app.aws.fetched import Call, Fetched
from app.aws.readonly import MutationRefused, iam_action
from app.aws.receipts import (
    CallReceipt,
    PageReceipt,
    ReceiptLog,
    count_records,
    record_paths,
    recording,
    recount_command,
)
from app.aws.setup_hints import LIST_PROFILES

log = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")

ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthFailure",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "RequestExpired",
    }
)
NOT_IMPLEMENTED_CODES = frozenset({"NotImplemented", "NotImplementedException", "InvalidAction"})


class ScanCancelled(Exception):
    """The user cancelled the scan; raised from the next call that would have been sent."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _client_names(client: Any) -> tuple[str, str]:
    model = client.meta.service_model
    return str(model.service_name), str(client.meta.region_name)


def explain(exc: BaseException, service: str, operation: str, region: str) -> str:
    """A person-readable reason for a failed call (the ERROR row's detail)."""
    where = f"{service}:{operation} in {region}"
    if isinstance(exc, MutationRefused):
        return str(exc)
    if isinstance(exc, ResponseParserError):
        # An XML/JSON service answered with an HTML page (moto: "not implemented").
        if _mentions_html(str(exc)):
            return f"Not implemented by this endpoint: {where} (HTTP 500, an HTML page)."
        return f"{where} gave a response that could not be read: {exc}"
    if isinstance(exc, ClientError):
        return _explain_client_error(exc, service, operation, where)
    if isinstance(exc, EndpointConnectionError):
        return (
            f"Could not reach the endpoint for {where} ({exc.kwargs.get('endpoint_url', '')}): "
            "the region is unreachable from this network or does not exist."
        )
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return f"Timed out waiting for {where} after retries ({exc})."
    if isinstance(exc, NoCredentialsError):
        return f"No AWS credentials found: pick a profile; {LIST_PROFILES}."
    if isinstance(exc, BotoCoreError):
        return f"{where} failed: {exc}"
    return f"{where} failed unexpectedly: {type(exc).__name__}: {exc}"


def _mentions_html(text: str) -> bool:
    lowered = text.lower()
    return "<!doctype html" in lowered or "<html" in lowered


def _explain_client_error(exc: ClientError, service: str, operation: str, where: str) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")).strip()
    metadata = exc.response.get("ResponseMetadata", {})
    status = int(metadata.get("HTTPStatusCode", 0) or 0)
    attempts = int(metadata.get("RetryAttempts", 0) or 0)
    if code in ACCESS_DENIED_CODES or (status == 403 and code not in CREDENTIAL_CODES):
        return (
            f"Access denied: the identity may not call {iam_action(service, operation)} "
            f"in {where.rsplit(' in ', 1)[1]} ({code}). Grant it with the policy from "
            "`audit-binder policy`."
        )
    if code in THROTTLING_CODES or status == 429:
        return f"Throttled by AWS on {where}, still after {attempts} retries ({code})."
    if code == "OptInRequired":
        return f"{where}: the region is not enabled for this account (OptInRequired)."
    if code in CREDENTIAL_CODES:
        return f"Credentials rejected on {where} ({code}): sign in again."
    looks_html = _mentions_html(message)
    if code in NOT_IMPLEMENTED_CODES or (status in (500, 501) and looks_html):
        return f"Not implemented by this endpoint: {where} (HTTP {status})."
    if status >= 500:
        return f"AWS failed on {where} (HTTP {status} {code}) after {attempts} retries."
    return f"{where} failed: {code}: {message}" if message else f"{where} failed: {code}"


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def json_safe(value: Any) -> Any:
    """The response item with datetimes as ISO-8601 UTC strings: the `raw` of the model."""
    return _json_safe(value)


class IncompleteAnswer(ValueError):
    """A page of a listing without one of its result lists: "none" cannot be told from
    "not said", so the listing is an error rather than shorter than it is."""


def all_pages(client: Any, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every page, merged as botocore's `build_full_result` does for top-level result
    lists (all of this scan's paginated calls have those), refusing a page without one."""
    pages = client.get_paginator(method).paginate(**params)
    keys = [str(key.expression) for key in pages.result_keys]
    merged: dict[str, Any] = {}
    for number, page in enumerate(pages, 1):
        for key in keys:
            if key not in page:
                raise IncompleteAnswer(f"page {number} of the answer has no {key}")
            merged.setdefault(key, []).extend(page[key])
    merged.update(pages.non_aggregate_part)
    return merged


def fetch(
    client: Any,
    operation: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    region: str | None = None,
    paginate: bool = False,
    cancel: threading.Event | None = None,
    absent_codes: frozenset[str] = frozenset(),
    receipts: ReceiptLog | None = None,
) -> Fetched[dict[str, Any]]:
    """Call `operation` (all pages when `paginate`) and return the whole response.

    `region` is the evidence region ("global" for IAM/S3 listing; default the
    client's). Errors whose code is in `absent_codes` mean "no such configuration":
    they give `Fetched(value=None)` without error (see the model's contract). Every
    answered fetch adds its `CallReceipt` (request ids, body hashes, record count,
    recount command) to `receipts`.
    """
    service, client_region = _client_names(client)
    params = dict(parameters or {})
    call = Call(service, operation, region or client_region, json_safe(params), utc_now())
    if cancel is not None and cancel.is_set():
        raise ScanCancelled()
    with recording() as pages:
        fetched = _answer(client, call, params, paginate, absent_codes)
    if receipts is not None and fetched.ok and pages:
        receipts.add(_receipt(client, call, params, pages, fetched.value))
    return fetched


def _answer(
    client: Any,
    call: Call,
    params: dict[str, Any],
    paginate: bool,
    absent_codes: frozenset[str],
) -> Fetched[dict[str, Any]]:
    service, operation = call.service, call.operation
    try:
        method = xform_name(operation)
        if paginate and client.can_paginate(method):
            response = all_pages(client, method, params)
        elif paginate:
            response = _follow_next_token(client, method, params)
        else:
            response = getattr(client, method)(**params)
    except ClientError as exc:
        if error_code(exc) in absent_codes:
            return Fetched(call=call, value=None)
        return Fetched(call=call, error=explain(exc, service, operation, call.region))
    except (BotoCoreError, MutationRefused, ResponseParserError) as exc:
        return Fetched(call=call, error=explain(exc, service, operation, call.region))
    except IncompleteAnswer as exc:
        return Fetched(call=call, error=f"{service}:{operation} in {call.region}: {exc}")
    except Exception as exc:  # a bug or an unknown failure: an ERROR row, never a PASS
        log.exception("unexpected failure in %s:%s", service, operation)
        return Fetched(call=call, error=explain(exc, service, operation, call.region))
    response.pop("ResponseMetadata", None)
    return Fetched(call=call, value=response)


def _follow_next_token(client: Any, method: str, params: dict[str, Any]) -> dict[str, Any]:
    """All pages of an operation botocore has no paginator for: list results joined,
    following `NextToken` until the answer has none."""
    combined: dict[str, Any] = {}
    token: str | None = None
    while True:
        page = getattr(client, method)(**params, **({"NextToken": token} if token else {}))
        page.pop("ResponseMetadata", None)
        token = page.pop("NextToken", None)
        for key, value in page.items():
            if isinstance(value, list) and isinstance(combined.get(key), list):
                combined[key].extend(value)
            else:
                combined[key] = value
        if not token:
            return combined


def _receipt(
    client: Any,
    call: Call,
    params: dict[str, Any],
    pages: list[PageReceipt],
    response: dict[str, Any] | None,
) -> CallReceipt:
    paths = record_paths(client, call.service, call.operation)
    endpoint_region = str(client.meta.region_name)
    return CallReceipt(
        operation=f"{call.service}:{call.operation}",
        region=call.region,
        endpoint_region=endpoint_region,
        parameters=call.parameters,
        called_at=call.at or utc_now(),
        pages=tuple(pages),
        counts=count_records(response, paths) if response is not None else {},
        recount=recount_command(call.service, call.operation, endpoint_region, params, paths),
    )


def convert(fetched: Fetched[Any], build: Callable[[Any], U]) -> Fetched[U]:
    """`build(value)` on success, keeping the call; a malformed response becomes an error.

    A `None` value (AWS said "no such configuration") is passed through as None.
    """
    if not fetched.ok:
        return Fetched(call=fetched.call, error=fetched.error)
    if fetched.value is None:
        return Fetched(call=fetched.call, value=None)
    try:
        return Fetched(call=fetched.call, value=build(fetched.value))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.exception("unexpected response shape from %s", fetched.call.operation)
        return Fetched(
            call=fetched.call,
            error=f"Unexpected response from {fetched.call.service}:{fetched.call.operation}: "
            f"{type(exc).__name__}: {exc}",
        )


def failed(call: Call, reason: str) -> Fetched[Any]:
    return Fetched(call=call, error=reason)


__all__ = [
    "IncompleteAnswer",
    "ScanCancelled",
    "all_pages",
    "convert",
    "error_code",
    "explain",
    "failed",
    "fetch",
    "json_safe",
    "utc_now",
]
