"""Before the inventory: which controls and regions, which engagement, the scan row.

Shared by the single-account scan (`app.scan.runner`) and the member-account scan
(`app.scan.accounts`): both check the names first (a typo stores nothing), then find or
create the engagement, then commit the scan as "running" before any inventory call.
"""

from __future__ import annotations

import getpass
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.aws.clients import ScanClients, SessionFactory
from app.aws.identity import Identity, ScanUnavailable
from app.aws.regions import plan_regions
from app.controls.checks import CHECKS, CheckSettings
from app.scan.request import Regions
from app.scan.storing import finish
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store.database import Database
from app.store.models import Engagement
from app.store.scan_state import ScanState

ALL_CONTROLS: tuple[str, ...] = tuple(CHECKS)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "unknown"


def chosen_controls(controls: Collection[str] | None) -> tuple[str, ...]:
    """The controls to check, in catalogue order; `ScanUnavailable` naming unknown ids."""
    if not controls:
        return ALL_CONTROLS
    unknown = sorted(set(controls) - set(CHECKS))
    if unknown:
        raise ScanUnavailable(
            f"Unknown control(s): {', '.join(unknown)}. Known: {', '.join(ALL_CONTROLS)}."
        )
    return tuple(c for c in ALL_CONTROLS if c in controls)


def engagement_for(
    db: Database, engagement: str | int | None, identity: Identity, actor: str
) -> tuple[int, str]:
    """The engagement's id and name: by id, or by name (created if missing); by default
    one named after the signed-in account."""
    with db.session() as session:
        if isinstance(engagement, int):
            found = engagement_store.get_engagement(session, engagement)  # NotFound if gone
            return found.id, found.name
        wanted = engagement or identity.account_id
        row = engagement_store.find_or_create_engagement(session, wanted, actor=actor)
        return row.id, row.name


def wanted_regions(
    db: Database, engagement: str | int | None, identity: Identity, regions: Regions
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
    regions: Regions,
) -> None:
    """Raise `UnknownRegions` when a region the scan would cover is not one of the
    account's own names (`DescribeRegions(AllRegions=True)`); before anything is stored.
    Silent when the names cannot be listed: each scan then says why per region."""
    names = wanted_regions(db, engagement, identity, regions)
    if names:
        plan_regions(ScanClients(session_factory), identity, names)


@dataclass(frozen=True)
class Started:
    """A scan committed as "running": its row, its engagement and the checks' settings."""

    scan_id: int
    started_at: datetime
    engagement: str
    settings: CheckSettings


def start_scan(
    db: Database,
    engagement: str | int | None,
    identity: Identity,
    actor: str,
    controls: tuple[str, ...],
    regions: Sequence[str],
) -> Started:
    """Commit the scan as "running" (before any inventory call) with what it will cover."""
    engagement_id, name = engagement_for(db, engagement, identity, actor)
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
        return Started(scan.id, scan.started_at, name, settings)


def store_failed_scan(
    db: Database,
    engagement_id: int,
    account_id: str,
    caller: Identity,
    reason: str,
    controls: tuple[str, ...],
    actor: str,
) -> int:
    """A failed scan row for an account that could not be scanned at all; its id."""
    with db.session() as session:
        row = engagement_store.get_engagement(session, engagement_id)
        scan = scan_store.start_scan(
            session,
            row,
            account_id=account_id,
            actor=actor,
            caller_arn=caller.caller_arn,
            controls=[] if controls == ALL_CONTROLS else controls,
        )
        scan_store.finish_scan(session, scan, ScanState.FAILED, actor=actor, error=reason)
        return scan.id


def fail_scan(db: Database, scan_id: int, actor: str, exc: BaseException) -> None:
    """Close a started scan as "failed" with the reason (expected trouble, or a bug)."""
    error = str(exc) if isinstance(exc, ScanUnavailable) else f"{type(exc).__name__}: {exc}"
    finish(db, scan_id, ScanState.FAILED, actor, error=error)
