"""Run a scan: identity → regions → inventory → checks → results stored, append-only.

`scan_account` is the pure part (AWS in, `CheckResult`s out, no DB). `run_scan` wraps
it with the store: the region names are checked first (a typo stores nothing), the scan
row is committed as "running" before any inventory call, and results plus the final
state are committed together at the end, so a scan killed half-way leaves earlier scans
intact and itself "running" (the store marks it "incomplete" on next open). Cancelled
or Ctrl-C → "incomplete", with the rows of the controls already checked; could not
run → "failed".

Both take `progress(done, total, message)` (called from worker threads) and a
`threading.Event` to cancel; the GUI runs `run_scan` in a worker and forwards
progress through its signals.

Results as they arrive: each control is checked as soon as every inventory part it
needs (`NEEDS`) is in, while the rest is still being fetched, and handed to the
optional `on_results(control_id, rows)`. It is called from the scan's thread (not the
GUI's), once per control, in no fixed order, never after a cancel; the rows are final
(the same objects end up in `ScanOutcome.results`) but not yet stored: the store still
gets them all at once at the end; an interrupted scan stores those of the controls
already checked (the scan marked incomplete, its error naming the controls not checked).
An exception raised by `on_results` is logged and ignored: a display problem must not
cost the scan.
"""

from __future__ import annotations

import getpass
import logging
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from app.aws.caller import ScanUnavailable, caller_identity
from app.aws.calls import ScanCancelled
from app.aws.clients import ClientHook, ScanClients, SessionFactory
from app.aws.identity import Identity
from app.aws.inventory.collect import GLOBAL_PARTS, REGION_PARTS, collect_inventory
from app.aws.inventory.model import Inventory
from app.aws.receipts import CallReceipt, ReceiptLog
from app.aws.regions import RegionPlan, UnknownRegions, plan_regions
from app.controls.checks import CHECK_IDS, CHECKS, CheckSettings
from app.controls.results import CheckResult, Status
from app.scan.document import NOT_STORED, result_document
from app.scan.needs import NEEDS, parts_for
from app.scan.storing import finish, store_final
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import Database
from app.store.models import Engagement

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
# `on_results(control_id, rows)`: one control's rows, as soon as they are known.
ResultsCallback = Callable[[str, list[CheckResult]], None]
ALL_CONTROLS: tuple[str, ...] = tuple(CHECKS)


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
    state: str = scan_store.COMPLETE
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


def _crashed_check(control: str, account_id: str, exc: BaseException) -> CheckResult:
    return CheckResult(
        control=control,
        check=CHECK_IDS.get(control, (control,))[0],
        region="global",
        resource=account_id,
        status=Status.ERROR,
        detail=f"The check itself failed ({type(exc).__name__}: {exc}); please report this.",
        account_id=account_id,
    )


def check_control(inventory: Inventory, control: str, settings: CheckSettings) -> list[CheckResult]:
    """One control's rows; a check that raises gives one ERROR row instead."""
    try:
        rows = CHECKS[control](inventory, settings)
    except Exception as exc:  # a bug in one check must not lose the other ten
        log.exception("check %s failed", control)
        rows = [_crashed_check(control, inventory.account_id, exc)]
    return [row if row.account_id else _with_account(row, inventory.account_id) for row in rows]


def run_checks(
    inventory: Inventory, controls: Sequence[str], settings: CheckSettings
) -> list[CheckResult]:
    """Each control's rows, in `controls` order; a crashing check does not stop the others."""
    return [row for control in controls for row in check_control(inventory, control, settings)]


def _with_account(row: CheckResult, account_id: str) -> CheckResult:
    return replace(row, account_id=account_id)


def _controls(controls: Collection[str] | None) -> tuple[str, ...]:
    if not controls:
        return ALL_CONTROLS
    unknown = sorted(set(controls) - set(CHECKS))
    if unknown:
        raise ScanUnavailable(
            f"Unknown control(s): {', '.join(unknown)}. Known: {', '.join(ALL_CONTROLS)}."
        )
    return tuple(c for c in ALL_CONTROLS if c in controls)


@dataclass(frozen=True)
class Prepared:
    """A scan ready to collect: the caller and the regions (the first two steps)."""

    clients: ScanClients
    identity: Identity
    plan: RegionPlan


def prepare(
    clients: ScanClients,
    *,
    regions: Sequence[str] | None = None,
    profile: str | None = None,
    steps: _Steps | None = None,
) -> Prepared:
    """Identity and regions; raises `ScanUnavailable` with the reason when impossible."""
    steps = steps or _Steps(None)
    identity = caller_identity(clients, profile)
    steps.step(f"Signed in as {identity.arn}")
    plan = plan_regions(clients, identity, regions)
    steps.step(f"{len(plan.regions)} region(s) to scan, {len(plan.skipped)} skipped")
    return Prepared(clients, identity, plan)


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


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def _engagement(
    db: Database, engagement: str | int | None, identity: Identity, actor: str
) -> tuple[int, str]:
    """The engagement's id and name: by id, or by name (created if missing); by default
    one named after the account id."""
    with db.session() as session:
        if isinstance(engagement, int):
            found = engagement_store.get_engagement(session, engagement)  # NotFound if gone
            return found.id, found.name
        wanted = engagement or identity.account_id
        row = engagement_store.find_or_create_engagement(session, wanted, actor=actor)
        return row.id, row.name


def _wanted_regions(
    db: Database,
    engagement: str | int | None,
    identity: Identity,
    regions: Sequence[str] | Literal["all"] | None,
) -> list[str]:
    """The regions asked for (empty: every enabled one); the engagement's own when none
    were named. Reads only: nothing is created before the names are checked."""
    if regions == "all":
        return []
    if regions:
        return list(regions)
    with db.session() as session:
        if isinstance(engagement, int):
            row: Engagement | None = engagement_store.get_engagement(session, engagement)
        else:
            row = engagement_store.find_engagement(session, engagement or identity.account_id)
        return list(row.regions or []) if row is not None else []


def check_region_names(
    session_factory: SessionFactory,
    db: Database,
    engagement: str | int | None,
    identity: Identity,
    regions: Sequence[str] | Literal["all"] | None,
) -> None:
    """Raise `UnknownRegions` when a region the scan would cover is not one of the
    account's own names (`DescribeRegions(AllRegions=True)`); before anything is stored.
    Silent when the names cannot be listed: each scan then says why per region."""
    names = _wanted_regions(db, engagement, identity, regions)
    if names:
        plan_regions(ScanClients(session_factory), identity, names)


@dataclass(frozen=True)
class _Started:
    scan_id: int
    started_at: datetime
    engagement: str
    settings: CheckSettings


def _start(
    db: Database,
    engagement: str | int | None,
    identity: Identity,
    actor: str,
    controls: tuple[str, ...],
    regions: Sequence[str],
) -> _Started:
    """Commit the scan as "running" (before any inventory call) with what it will cover."""
    engagement_id, name = _engagement(db, engagement, identity, actor)
    with db.session() as session:
        row = engagement_store.get_engagement(session, engagement_id)
        try:
            settings = CheckSettings.from_engagement_settings(row.settings or {})
        except (TypeError, ValueError) as exc:
            raise ScanUnavailable(
                f"The engagement's check settings are invalid: {exc}. Fix them and scan again."
            ) from exc
        scan = scan_store.start_scan(
            session,
            row,
            account_id=identity.account_id,
            actor=actor,
            caller_arn=identity.arn,
            regions=regions,
            controls=[] if controls == ALL_CONTROLS else controls,
        )
        return _Started(scan.id, scan.started_at, name, settings)


class ScanInterrupted(ScanCancelled):
    """Cancelled (or Ctrl-C): stored as "incomplete" with the rows of every control already
    checked; `outcome` holds them (state "incomplete", `error` says what is missing)."""

    def __init__(self, outcome: ScanOutcome) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome


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


def run_scan(
    session_factory: SessionFactory,
    db: Database,
    engagement: str | int | None = None,
    *,
    controls: Collection[str] | None = None,
    regions: Sequence[str] | Literal["all"] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    profile: str | None = None,
    actor: str | None = None,
    hooks: Sequence[ClientHook] = (),
    on_results: ResultsCallback | None = None,
) -> ScanOutcome:
    """Scan the account behind `session_factory` into `engagement` (an id, or a name
    created if missing; default: one named after the account id).

    Raises `UnknownRegions` (a typo in `regions`: nothing stored, not even the
    engagement), `ScanUnavailable` when the scan cannot start (nothing stored when even
    the caller is unknown; otherwise the scan is stored as "failed" with the reason),
    `ScanInterrupted` after storing the scan as "incomplete" with the rows of the
    controls already checked, and `ScanNotStored` when the store would not take the
    results (they are in the file it names). `regions`: names, "all" (every enabled
    region), or None (the engagement's regions, else every enabled one).
    `on_results(control_id, rows)`: each control's rows as soon as they are known, from
    the scan's thread, before they are stored (module docstring).
    """
    actor = actor or default_actor()
    chosen = _controls(controls)
    steps = _Steps(progress)
    clients = ScanClients(session_factory, hooks=hooks)
    identity = caller_identity(clients, profile)
    steps.step(f"Signed in as {identity.arn}")
    wanted = _wanted_regions(db, engagement, identity, regions)
    try:
        plan = plan_regions(clients, identity, wanted or None)
    except UnknownRegions:
        raise  # a typo: nothing stored
    except ScanUnavailable as exc:  # the regions could not be listed: a failed scan
        failed = _start(db, engagement, identity, actor, chosen, wanted)
        finish(db, failed.scan_id, scan_store.FAILED, actor, error=str(exc))
        raise
    steps.step(f"{len(plan.regions)} region(s) to scan, {len(plan.skipped)} skipped")
    started = _start(db, engagement, identity, actor, chosen, plan.regions)
    judged: dict[str, list[CheckResult]] = {}
    log = ReceiptLog()

    def keep(control: str, rows: list[CheckResult]) -> None:
        judged[control] = list(rows)
        if on_results is not None:
            on_results(control, rows)

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
            cancel=cancel,
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
            kept, finished_at=datetime.now(UTC), state=scan_store.INCOMPLETE, error=reason
        )
        partial = replace(partial, controls=tuple(done))
        at = store_final(
            db,
            started.scan_id,
            actor,
            kept,
            state=scan_store.INCOMPLETE,
            skipped=plan.skipped,
            error=reason,
            receipts=partial.receipts,
            document=lambda error: replace(partial, state=NOT_STORED, error=error).document(),
        )
        raise ScanInterrupted(replace(partial, finished_at=at)) from exc
    except ScanUnavailable as exc:
        finish(db, started.scan_id, scan_store.FAILED, actor, error=str(exc))
        raise
    except BaseException as exc:
        finish(db, started.scan_id, scan_store.FAILED, actor, error=f"{type(exc).__name__}: {exc}")
        raise
    finished_at = store_final(
        db,
        started.scan_id,
        actor,
        results,
        skipped=plan.skipped,
        receipts=log.receipts(),
        document=lambda error: outcome(
            results, finished_at=datetime.now(UTC), state=NOT_STORED, error=error
        ).document(),
    )
    return outcome(results, finished_at=finished_at)
