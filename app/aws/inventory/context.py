"""What every inventory fetcher gets: clients, the account, cancellation, a fan-out pool.

Fetchers run as tasks of the collector's pool and may wait on per-item calls
(`fan_out`), which run on a second pool reserved for single calls that never wait
themselves, so the two levels cannot deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.aws.calls import fetch
from app.aws.clients import ScanClients
from app.aws.fetched import Fetched

T = TypeVar("T")
R = TypeVar("R")

GLOBAL = "global"


@dataclass(frozen=True)
class FetchContext:
    clients: ScanClients
    account_id: str
    partition: str
    scanned_regions: frozenset[str]
    cancel: threading.Event
    leaf_pool: Executor
    _shared: dict[Hashable, Future[Any]] = field(default_factory=dict, repr=False)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def global_region(self) -> str:
        """The region global services' calls go to (IAM, S3 listing, Organizations)."""
        return self.clients.global_region(self.partition)

    def call(
        self,
        service: str,
        region: str,
        operation: str,
        parameters: Mapping[str, Any] | None = None,
        *,
        paginate: bool = False,
        evidence_region: str | None = None,
        absent_codes: frozenset[str] = frozenset(),
    ) -> Fetched[dict[str, Any]]:
        """One listing in `region`; `evidence_region` overrides the region shown ("global")."""
        return fetch(
            self.clients.client(service, region),
            operation,
            parameters,
            region=evidence_region or region,
            paginate=paginate,
            cancel=self.cancel,
            absent_codes=absent_codes,
        )

    def once(self, key: Hashable, work: Callable[[], R]) -> R:
        """`work()` once per scan for `key`: a second part needing the same listing waits for
        the first one's answer (or its exception) instead of asking AWS again. `work` must
        not wait on a part that could be waiting on it."""
        with self._shared_lock:
            future = self._shared.get(key)
            first = future is None
            if future is None:
                future = self._shared[key] = Future()
        if first:
            try:
                future.set_result(work())
            except BaseException as exc:
                future.set_exception(exc)
                raise
        result: R = future.result()
        return result

    def fan_out(self, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`work(item)` for every item concurrently on the leaf pool, results in order.

        `work` must not call `fan_out` itself (leaf tasks never wait on other tasks).
        """
        futures = [self.leaf_pool.submit(work, item) for item in items]
        return [future.result() for future in futures]


def utc(value: Any) -> datetime | None:
    """An aware UTC datetime from boto3's datetimes or ISO strings; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value)
        if text in ("N/A", "no_information", "not_supported"):
            return None
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def listing(response: Mapping[str, Any], key: str) -> list[Any]:
    """The answer's list `key`. AWS sends its lists even when empty; an answer without one
    cannot tell "there is none" from "not said", so this raises `KeyError` (`convert`
    makes it an ERROR for the whole listing) instead of reading it as empty."""
    if key not in response:
        raise KeyError(f"the answer has no {key}")
    return list(response[key] or [])


def strings(items: Iterable[Mapping[str, Any]], key: str) -> tuple[str, ...]:
    """`[item[key] for item in items if present]` as a tuple of strings."""
    return tuple(str(item[key]) for item in items if item.get(key))
