"""Engagements as the app's screens read and write them, through the store's repositories.

Every function takes the open `Database` (and, when it changes something, the actor
the audit log names), opens one short-lived ORM session on the calling thread and
returns plain frozen values, so no ORM object outlives its session or crosses a
thread. Errors are the store's typed `StoreError`s, shown inline by the screens. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.controls.catalogue import FRAMEWORKS, Catalogue
from app.secrets import SecretStore
from app.services.engagement_setup import DecisionSource, decision_sources, set_up_scope
from app.services.framework_summary import FrameworkSummary, framework_totals
from app.store import accounts as account_store
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store import transfer_export, transfer_import
from app.store.control_status import control_summaries
from app.store.database import Database
from app.store.errors import NotFound
from app.store.models import Engagement


@dataclass(frozen=True)
class AccountLine:
    account_id: str
    alias: str = ""
    profile: str = ""


@dataclass(frozen=True)
class EngagementInfo:
    id: int
    name: str
    client: str
    frameworks: tuple[str, ...]
    period_start: date | None
    period_end: date | None
    regions: tuple[str, ...]
    accounts: tuple[AccountLine, ...]
    is_demo: bool
    scans: int
    last_scan: datetime | None
    soc2_categories: tuple[str, ...] = ("security",)

    @property
    def frameworks_text(self) -> str:
        return ", ".join(FRAMEWORKS.get(f, f) for f in self.frameworks) or "—"

    @property
    def frameworks_short(self) -> str:
        """E.g. "ISO 27001, SOC 2": the titles without their editions, for narrow lists."""
        return ", ".join(FRAMEWORKS.get(f, f).split(":")[0] for f in self.frameworks) or "—"

    @property
    def period_text(self) -> str:
        if self.period_start is None and self.period_end is None:
            return "—"
        start = self.period_start.isoformat() if self.period_start else "…"
        end = self.period_end.isoformat() if self.period_end else "…"
        return f"{start} → {end}"


@dataclass(frozen=True)
class EngagementDraft:
    """What the engagement dialog returns: the fields a person edits."""

    name: str
    client: str
    frameworks: tuple[str, ...]
    period_start: date | None
    period_end: date | None
    regions: tuple[str, ...]
    accounts: tuple[AccountLine, ...]
    soc2_categories: tuple[str, ...] = ("security",)
    # A new engagement only: the engagement whose SoA decisions it starts from.
    start_from: int | None = None


def _info(engagement: Engagement, scans: int, last: datetime | None) -> EngagementInfo:
    return EngagementInfo(
        id=engagement.id,
        name=engagement.name,
        client=engagement.client,
        frameworks=tuple(engagement.frameworks or ()),
        period_start=engagement.period_start,
        period_end=engagement.period_end,
        regions=tuple(engagement.regions or ()),
        accounts=tuple(
            AccountLine(a.account_id, a.alias, str((a.sign_in or {}).get("profile") or ""))
            for a in engagement.accounts
        ),
        is_demo=engagement.is_demo,
        scans=scans,
        last_scan=last,
        soc2_categories=tuple(engagement.soc2_categories),
    )


def list_engagements(db: Database) -> list[EngagementInfo]:
    with db.session() as session:
        found = []
        for engagement in engagement_store.list_engagements(session):
            history = scan_store.scans(session, engagement)
            last = history[0].started_at if history else None
            found.append(_info(engagement, len(history), last))
        return found


def get_engagement(db: Database, engagement_id: int) -> EngagementInfo:
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        history = scan_store.scans(session, engagement)
        return _info(engagement, len(history), history[0].started_at if history else None)


def engagement_exists(db: Database, engagement_id: int) -> bool:
    try:
        get_engagement(db, engagement_id)
    except NotFound:
        return False
    return True


def start_from_choices(db: Database, catalogue: Catalogue) -> list[DecisionSource]:
    """The engagements a new one can start its SoA decisions from (the dialog's choice)."""
    with db.session() as session:
        return decision_sources(session, catalogue)


def _sign_in(line: AccountLine) -> dict[str, str]:
    return {"kind": "profile", "profile": line.profile} if line.profile else {}


def create_engagement(db: Database, draft: EngagementDraft, actor: str) -> int:

    with db.session() as session:
        engagement = engagement_store.create_engagement(
            session,
            draft.name,
            actor=actor,
            client=draft.client,
            frameworks=draft.frameworks,
            period_start=draft.period_start,
            period_end=draft.period_end,
            regions=draft.regions,
        )
        for line in draft.accounts:
            account_store.add_account(
                session,
                engagement,
                line.account_id,
                actor=actor,
                alias=line.alias,
                sign_in=_sign_in(line),
            )
        set_up_scope(
            session,
            engagement,
            soc2_categories=draft.soc2_categories,
            start_from_id=draft.start_from,
            actor=actor,
        )
        return engagement.id


def update_engagement(db: Database, engagement_id: int, draft: EngagementDraft, actor: str) -> None:
    """Change the fields and make the accounts match the draft (scans stay: append-only)."""

    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        engagement_store.update_engagement(
            session,
            engagement,
            actor=actor,
            name=draft.name,
            client=draft.client,
            frameworks=draft.frameworks,
            period_start=draft.period_start,
            period_end=draft.period_end,
            regions=draft.regions,
            soc2_categories=draft.soc2_categories,
        )
        wanted = {line.account_id: line for line in draft.accounts}
        for account in account_store.list_accounts(session, engagement):
            line = wanted.pop(account.account_id, None)
            if line is None:
                account_store.remove_account(session, account, actor=actor)
            elif (account.alias, account.sign_in) != (line.alias, _sign_in(line)):
                account_store.update_account(
                    session, account, actor=actor, alias=line.alias, sign_in=_sign_in(line)
                )
        for line in wanted.values():
            account_store.add_account(
                session,
                engagement,
                line.account_id,
                actor=actor,
                alias=line.alias,
                sign_in=_sign_in(line),
            )


def delete_engagement(
    db: Database, engagement_id: int, actor: str, secrets: SecretStore | None
) -> str:
    """Delete it and its keyring secrets; returns its name for the status message."""
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        name = engagement.name
        engagement_store.delete_engagement(session, engagement, actor=actor)
    if secrets is not None:
        # Secrets are keyed by id and by name (app.secrets accepts either reference).
        secrets.delete_engagement_secrets(engagement_id)
        secrets.delete_engagement_secrets(name)
    return name


def export_engagement(db: Database, engagement_id: int, destination: Path, actor: str) -> Path:
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        return transfer_export.export_engagement(session, engagement, destination, actor=actor)


def import_engagement(db: Database, source: Path, actor: str, new_name: str | None = None) -> int:
    with db.session() as session:
        engagement = transfer_import.import_engagement(
            session, source, actor=actor, new_name=new_name
        )
        return engagement.id


def dashboard_counts(
    db: Database, catalogue: Catalogue, engagement_id: int
) -> list[FrameworkSummary]:
    """Per framework of the engagement (both when none is chosen): its controls by outcome."""
    with db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        frameworks = list(engagement.frameworks or FRAMEWORKS)
        summaries = control_summaries(session, engagement, catalogue.controls)
    return framework_totals(summaries, catalogue, frameworks)
