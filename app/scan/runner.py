"""Run a scan: identity → regions → inventory → checks → results stored, append-only.

`scan_account` is the pure part (AWS in, `CheckResult`s out, no DB). `run_scan` wraps
it with the store: the region names are checked first (a typo stores nothing), the scan
row is committed as "running" before any inventory call, and results plus the final
state are committed together at the end, so a scan killed half-way leaves earlier scans
intact and itself "running" (the store marks it "incomplete" on next open). Cancelled
or Ctrl-C → "incomplete", with the rows of the controls already checked; could not
run → "failed".

`run_scan` takes a `ScanRequest` (what to scan) and a `ScanWatch` (progress
`(done, total, message)` called from worker threads, `on_results`, and the
`threading.Event` that cancels); the GUI runs it in a child process
(`app.scan.child`) and reads progress and rows from a pipe.

Results as they arrive: each control is checked as soon as every inventory part it
needs (`NEEDS`) is in, while the rest is still being fetched, and handed to the
optional `watch.on_results(control_id, rows)`. It is called from the scan's thread (not the
GUI's), once per control, in no fixed order, never after a cancel; the rows are final
(the same objects end up in `ScanOutcome.results`) but not yet stored: the store still
gets them all at once at the end; an interrupted scan stores those of the controls
already checked (the scan marked incomplete, its error naming the controls not checked).
An exception raised by `on_results` is logged and ignored: a display problem must not
cost the scan.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from app.aws.caller import ScanUnavailable, caller_identity
from app.aws.calls import ScanCancelled
from app.aws.clients import ScanClients
from app.aws.identity import Identity
from app.aws.inventory.collect import GLOBAL_PARTS, REGION_PARTS, collect_inventory
from app.aws.inventory.model import Inventory
from app.aws.receipts import CallReceipt, ReceiptLog
from app.aws.regions import RegionPlan, UnknownRegions, plan_regions
from app.controls.checks import CheckSettings, check_control
from app.controls.results import CheckResult
from app.scan.document import result_document
from app.scan.needs import NEEDS, parts_for
from app.scan.request import Progress, ResultsCallback, ScanRequest, ScanWatch
from app.scan.start import (
    ALL_CONTROLS,
    chosen_controls,
    default_actor,
    fail_scan,
    start_scan,
    wanted_regions,
)
from app.scan.storing import store_final
from app.store.database import Database
from app.store.scan_state import ScanState

log = logging.getLogger(__name__)

__all__ = [
    "ALL_CONTROLS",
    "ScanInterrupted",
    "ScanOutcome",
    "default_actor",
    "prepare",
    "run_scan",
    "scan_account",
]


@dataclass(frozen=True)
class ScanOutcome:
    """What a finished scan produced (also what `--json` and the GUI show)."""

    identity: Identity
    regions: tuple[str, ...]
    skipped_regions: tuple[str, ...]
    controls: tuple[str, ...]
    started_at: datetime
    finished_at: datetime
    results: tuple[CheckResult, ...]
    state: ScanState = ScanState.COMPLETE
    scan_id: int | None = None
    engagement: str = ""
    error: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    # What each API call returned as received (request ids, hashes, counts, recount).
    receipts: tuple[CallReceipt, ...] = ()

    def document(self) -> dict[str, Any]:
        """The `scan --json` result document (docs/scan-result.schema.json)."""
        return result_document(
            account_id=self.identity.account_id,
            caller_arn=self.identity.caller_arn,
            started_at=self.started_at,
            finished_at=self.finished_at,
            regions=self.regions,
            results=self.results,
            skipped_regions=self.skipped_regions,
            engagement=self.engagement,
            scan_id=self.scan_id,
            state=self.state,
            error=self.error,
            receipts=self.receipts,
        )


class _Steps:
    """Progress across phases; the total grows once the regions are known."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self.done = 0
        self.total = 2  # identity, regions

    def add(self, count: int) -> None:
        with self._lock:
            self.total += count

    def step(self, message: str) -> None:
        with self._lock:
            self.done += 1
            done, total = self.done, self.total
        if self._progress is not None:
            self._progress(done, total, message)


@dataclass(frozen=True)
class Prepared:
    """A scan ready to collect: the caller and the regions (the first two steps)."""

    clients: ScanClients
    identity: Identity
    plan: RegionPlan


def _signed_in(clients: ScanClients, profile: str | None, steps: _Steps) -> Identity:
    identity = caller_identity(clients, profile)
    steps.step(f"Signed in as {identity.arn}")
    return identity


def _planned(
    clients: ScanClients, identity: Identity, regions: Sequence[str] | None, steps: _Steps
) -> RegionPlan:
    plan = plan_regions(clients, identity, regions)
    steps.step(f"{len(plan.regions)} region(s) to scan, {len(plan.skipped)} skipped")
    return plan


def prepare(
    clients: ScanClients,
    *,
    regions: Sequence[str] | None = None,
    profile: str | None = None,
    steps: _Steps | None = None,
) -> Prepared:
    """Identity and regions; raises `ScanUnavailable` with the reason when impossible."""
    steps = steps or _Steps(None)
    identity = _signed_in(clients, profile, steps)
    return Prepared(clients, identity, _planned(clients, identity, regions, steps))


def scan_account(
    prepared: Prepared,
    *,
    controls: Sequence[str] = ALL_CONTROLS,
    settings: CheckSettings | None = None,
    cancel: threading.Event | None = None,
    steps: _Steps | None = None,
    on_results: ResultsCallback | None = None,
    receipts: ReceiptLog | None = None,
) -> list[CheckResult]:
    """Inventory then checks, no DB. Raises `ScanCancelled` when `cancel` is set.

    Each control is checked as soon as its parts are in (see the module docstring for
    `on_results`); the rows come back in `controls` order, as `run_checks` gives them.
    """
    steps = steps or _Steps(None)
    settings = settings or CheckSettings()
    parts = parts_for(controls)
    regional = len(parts & REGION_PARTS.keys()) * len(prepared.plan.regions)
    steps.add(regional + len(parts & GLOBAL_PARTS.keys()) + 1)  # fetches, then the checks
    by_control: dict[str, list[CheckResult]] = {}

    def ready(control: str, inventory: Inventory) -> None:
        by_control[control] = rows = check_control(inventory, control, settings)
        if on_results is not None:
            try:
                on_results(control, list(rows))
            except Exception:  # the callback only shows rows; the scan goes on
                log.exception("on_results for %s failed", control)

    inventory = collect_inventory(
        prepared.clients,
        prepared.identity,
        prepared.plan,
        parts=parts,
        cancel=cancel,
        progress=lambda done, total, message: steps.step(message),
        watch={control: NEEDS.get(control, parts) for control in controls},
        on_ready=ready,
        receipts=receipts,
    )
    if cancel is not None and cancel.is_set():
        raise ScanCancelled()
    for control in controls:
        if control not in by_control:  # cannot happen with every part in; kept for safety
            ready(control, inventory)
    results = [row for control in controls for row in by_control[control]]
    steps.step(f"Checked {len(controls)} control(s): {len(results)} rows")
    return results


class ScanInterrupted(ScanCancelled):
    """Cancelled (or Ctrl-C): stored as "incomplete" with the rows of every control already
    checked; `outcome` holds them (state "incomplete", `error` says what is missing)."""

    def __init__(self, outcome: ScanOutcome) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome

    def __reduce__(self) -> tuple[type[ScanInterrupted], tuple[ScanOutcome]]:
        return (type(self), (self.outcome,))


def _counts(results: Sequence[CheckResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    return counts


def _stopped_reason(how: str, chosen: Sequence[str], judged: Sequence[str], rows: int) -> str:
    if not judged:
        return f"{how} before it finished, before any control was checked."
    missing = [c for c in chosen if c not in judged]
    return (
        f"{how} before it finished: {len(judged)} of {len(chosen)} control(s) were checked "
        f"({', '.join(judged)}) and their {rows} results kept; not checked: "
        f"{', '.join(missing)}."
    )


def run_scan(request: ScanRequest, db: Database, watch: ScanWatch | None = None) -> ScanOutcome:
    """Scan the account behind `request.sessions` into `request.engagement`.

    Raises `UnknownRegions` (a typo in `regions`: nothing stored, not even the
    engagement), `ScanUnavailable` when the scan cannot start (nothing stored when even
    the caller is unknown; otherwise the scan is stored as "failed" with the reason),
    `ScanInterrupted` after storing the scan as "incomplete" with the rows of the
    controls already checked, and `ScanNotStored` when the store would not take the
    results (they are in the file it names). `watch.on_results(control_id, rows)`: each
    control's rows as soon as they are known, from the scan's thread, before they are
    stored (module docstring). `request.org` is ignored: `app.scan.entry.scan` sends
    organization scans to `app.scan.accounts`.
    """
    watch = watch or ScanWatch()
    actor = request.actor or default_actor()
    chosen = chosen_controls(request.controls)
    steps = _Steps(watch.progress)
    clients = ScanClients(request.sessions, hooks=request.hooks)
    identity = _signed_in(clients, request.profile, steps)
    wanted = wanted_regions(db, request.engagement, identity, request.regions)
    try:
        plan = _planned(clients, identity, wanted or None, steps)
    except UnknownRegions:
        raise  # a typo: nothing stored
    except ScanUnavailable as exc:  # the regions could not be listed: a failed scan
        failed = start_scan(db, request.engagement, identity, actor, chosen, wanted)
        fail_scan(db, failed.scan_id, actor, exc)
        raise
    started = start_scan(db, request.engagement, identity, actor, chosen, plan.regions)
    judged: dict[str, list[CheckResult]] = {}
    log = ReceiptLog()

    def keep(control: str, rows: list[CheckResult]) -> None:
        judged[control] = list(rows)
        if watch.on_results is not None:
            watch.on_results(control, rows)

    def outcome(results: Sequence[CheckResult], **fields: Any) -> ScanOutcome:
        return ScanOutcome(
            identity=identity,
            regions=plan.regions,
            skipped_regions=plan.skipped,
            controls=chosen,
            started_at=started.started_at,
            results=tuple(results),
            scan_id=started.scan_id,
            engagement=started.engagement,
            counts=_counts(results),
            receipts=log.receipts(),
            **fields,
        )

    try:
        results = scan_account(
            Prepared(clients, identity, plan),
            controls=chosen,
            settings=started.settings,
            cancel=watch.cancel,
            steps=steps,
            on_results=keep,
            receipts=log,
        )
    except (ScanCancelled, KeyboardInterrupt) as exc:
        how = "Cancelled" if isinstance(exc, ScanCancelled) else "Interrupted"
        done = [c for c in chosen if c in judged]
        kept = [row for control in done for row in judged[control]]
        reason = _stopped_reason(how, chosen, done, len(kept))
        partial = outcome(
            kept, finished_at=datetime.now(UTC), state=ScanState.INCOMPLETE, error=reason
        )
        partial = replace(partial, controls=tuple(done))
        at = store_final(
            db,
            started.scan_id,
            actor,
            kept,
            state=ScanState.INCOMPLETE,
            skipped=plan.skipped,
            error=reason,
            receipts=partial.receipts,
            document=lambda error: replace(
                partial, state=ScanState.NOT_STORED, error=error
            ).document(),
        )
        raise ScanInterrupted(replace(partial, finished_at=at)) from exc
    except BaseException as exc:
        fail_scan(db, started.scan_id, actor, exc)
        raise
    finished_at = store_final(
        db,
        started.scan_id,
        actor,
        results,
        skipped=plan.skipped,
        receipts=log.receipts(),
        document=lambda error: outcome(
            results, finished_at=datetime.now(UTC), state=ScanState.NOT_STORED, error=error
        ).document(),
    )
    return outcome(results, finished_at=finished_at)
