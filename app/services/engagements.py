"""What the engagement screens read and write, through the store's repositories.

Every function opens one short-lived ORM session on the calling (GUI) thread and
returns plain frozen values, so no ORM object outlives its session or crosses a
thread. Errors are the store's typed `StoreError`s, shown inline by the screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.controls.catalogue import FRAMEWORKS
from app.services.engagement_setup import set_up_scope
from app.store import accounts as account_store
from app.store import engagements as engagement_store
from app.store import scans as scan_store
from app.store import transfer
from app.store.control_status import control_summaries, framework_summaries
from app.store.errors import NotFound
from app.store.models import Engagement
from app.ui.context import AppContext


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


def actor(ctx: AppContext) -> str:
    """Who the audit log names: the signed-in ARN, else the local user."""
    if ctx.signed_in is not None and ctx.signed_in.arn:
        return ctx.signed_in.arn
    from app.scan.runner import default_actor

    return default_actor()


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


def list_engagements(ctx: AppContext) -> list[EngagementInfo]:
    with ctx.db.session() as session:
        found = []
        for engagement in engagement_store.list_engagements(session):
            history = scan_store.scans(session, engagement)
            last = history[0].started_at if history else None
            found.append(_info(engagement, len(history), last))
        return found


def get_engagement(ctx: AppContext, engagement_id: int) -> EngagementInfo:
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        history = scan_store.scans(session, engagement)
        return _info(engagement, len(history), history[0].started_at if history else None)


def engagement_exists(ctx: AppContext, engagement_id: int) -> bool:
    try:
        get_engagement(ctx, engagement_id)
    except NotFound:
        return False
    return True


def _sign_in(line: AccountLine) -> dict[str, str]:
    return {"kind": "profile", "profile": line.profile} if line.profile else {}


def create_engagement(ctx: AppContext, draft: EngagementDraft) -> int:
    who = actor(ctx)
    with ctx.db.session() as session:
        engagement = engagement_store.create_engagement(
            session,
            draft.name,
            actor=who,
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
                actor=who,
                alias=line.alias,
                sign_in=_sign_in(line),
            )
        set_up_scope(
            session,
            engagement,
            soc2_categories=draft.soc2_categories,
            start_from_id=draft.start_from,
            actor=who,
        )
        return engagement.id


def update_engagement(ctx: AppContext, engagement_id: int, draft: EngagementDraft) -> None:
    """Change the fields and make the accounts match the draft (scans stay: append-only)."""
    who = actor(ctx)
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        engagement_store.update_engagement(
            session,
            engagement,
            actor=who,
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
                account_store.remove_account(session, account, actor=who)
            elif (account.alias, account.sign_in) != (line.alias, _sign_in(line)):
                account_store.update_account(
                    session, account, actor=who, alias=line.alias, sign_in=_sign_in(line)
                )
        for line in wanted.values():
            account_store.add_account(
                session,
                engagement,
                line.account_id,
                actor=who,
                alias=line.alias,
                sign_in=_sign_in(line),
            )


def delete_engagement(ctx: AppContext, engagement_id: int) -> str:
    """Delete it and its keyring secrets; returns its name for the status message."""
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        name = engagement.name
        engagement_store.delete_engagement(session, engagement, actor=actor(ctx))
    if ctx.secrets is not None:
        # Secrets are keyed by id and by name (app.secrets accepts either reference).
        ctx.secrets.delete_engagement_secrets(engagement_id)
        ctx.secrets.delete_engagement_secrets(name)
    return name


def export_engagement(ctx: AppContext, engagement_id: int, destination: Path) -> Path:
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        return transfer.export_engagement(session, engagement, destination, actor=actor(ctx))


def import_engagement(ctx: AppContext, source: Path, new_name: str | None = None) -> int:
    with ctx.db.session() as session:
        engagement = transfer.import_engagement(
            session, source, actor=actor(ctx), new_name=new_name
        )
        return engagement.id


@dataclass(frozen=True)
class FrameworkCounts:
    framework: str
    title: str
    passed: int
    failing: int
    errors: int
    exceptions: int
    not_checked: int
    not_applicable: int
    evidence_attached: int = 0
    evidence_missing: int = 0

    @property
    def applicable(self) -> int:
        checks = self.passed + self.failing + self.errors + self.exceptions + self.not_checked
        return checks + self.evidence_attached + self.evidence_missing

    @property
    def checked(self) -> int:
        return self.applicable - self.not_checked


def dashboard_counts(ctx: AppContext, engagement_id: int) -> list[FrameworkCounts]:
    """Per framework of the engagement: its controls by outcome (the store's rules)."""
    catalogue = ctx.catalogue
    mapping = {
        control.id: {f for f in FRAMEWORKS if control.mapping.ids(f)}
        for control in catalogue.controls
    }
    with ctx.db.session() as session:
        engagement = engagement_store.get_engagement(session, engagement_id)
        frameworks = list(engagement.frameworks or FRAMEWORKS)
        summaries = control_summaries(session, engagement, catalogue.controls)
        totals = framework_summaries(summaries, mapping, frameworks)
    return [
        FrameworkCounts(
            framework=t.framework,
            title=FRAMEWORKS.get(t.framework, t.framework),
            passed=t.passed,
            failing=t.failing,
            errors=t.errors,
            exceptions=t.exceptions,
            not_checked=t.not_checked,
            not_applicable=t.not_applicable,
            evidence_attached=t.evidence_attached,
            evidence_missing=t.evidence_missing,
        )
        for t in totals
    ]
