"""Engagements: one audit preparation for one client. Names are unique."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.controls.catalogue import SOC2_CATEGORIES
from app.store.audit import record
from app.store.errors import InvalidInput, NameTaken, NotFound
from app.store.models import Attachment, Engagement, RiskException
from app.store.unset import UNSET, Unset

FRAMEWORK_KEYS = ("iso27001", "soc2")
# The SOC 2 category every SOC 2 examination covers.
SECURITY = "security"


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("An engagement needs a name (e.g. the client and the year).")
    if len(cleaned) > 200:
        raise InvalidInput("An engagement name can have at most 200 characters.")
    return cleaned


def _clean_frameworks(frameworks: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(frameworks))
    unknown = [f for f in chosen if f not in FRAMEWORK_KEYS]
    if unknown:
        raise InvalidInput(
            f"Unknown framework {', '.join(unknown)}; choose from {', '.join(FRAMEWORK_KEYS)}."
        )
    return chosen


def clean_soc2_categories(categories: Iterable[str]) -> list[str]:
    """The SOC 2 categories in scope, in `SOC2_CATEGORIES` order, security always among them."""
    chosen = {c.strip().lower().replace(" ", "-") for c in categories} | {SECURITY}
    unknown = sorted(chosen - set(SOC2_CATEGORIES))
    if unknown:
        raise InvalidInput(
            f"Unknown SOC 2 category {', '.join(unknown)}; "
            f"choose from {', '.join(SOC2_CATEGORIES)}."
        )
    return [key for key in SOC2_CATEGORIES if key in chosen]


def _check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"The audit period ends ({end}) before it starts ({start}).")


def find_engagement(session: Session, name: str) -> Engagement | None:
    return session.scalar(select(Engagement).where(Engagement.name == " ".join(name.split())))


def _ensure_free(session: Session, name: str, keep: Engagement | None = None) -> None:
    existing = find_engagement(session, name)
    if existing is not None and existing is not keep:
        raise NameTaken(f"An engagement named '{name}' already exists; choose another name.")


def create_engagement(
    session: Session,
    name: str,
    *,
    actor: str,
    client: str = "",
    frameworks: Iterable[str] = FRAMEWORK_KEYS,
    period_start: date | None = None,
    period_end: date | None = None,
    regions: Iterable[str] = (),
    settings: Mapping[str, Any] | None = None,
    notes: str = "",
    is_demo: bool = False,
    soc2_categories: Iterable[str] = (SECURITY,),
) -> Engagement:
    """Add an engagement; `NameTaken` if the name is in use, `InvalidInput` if odd."""
    clean = _clean_name(name)
    _ensure_free(session, clean)
    _check_period(period_start, period_end)
    engagement = Engagement(
        name=clean,
        client=client.strip(),
        frameworks=_clean_frameworks(frameworks),
        period_start=period_start,
        period_end=period_end,
        regions=list(regions),
        settings=dict(settings or {}),
        notes=notes,
        is_demo=is_demo,
        soc2_categories=clean_soc2_categories(soc2_categories),
    )
    session.add(engagement)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent writer took the name meanwhile
        raise NameTaken(f"An engagement named '{clean}' already exists.") from error
    record(session, actor=actor, action="engagement.create", target=clean, engagement=engagement)
    return engagement


def find_or_create_engagement(session: Session, name: str, *, actor: str) -> Engagement:
    """The engagement named `name`, created if missing, also when another writer (a
    scheduled scan, a colleague on the team store) creates it at the same moment."""
    found = find_engagement(session, name)
    if found is not None:
        return found
    savepoint = session.begin_nested()
    try:
        created = create_engagement(session, name, actor=actor)
    except NameTaken:
        savepoint.rollback()
        return engagement_named(session, name)
    savepoint.commit()
    return created


def lock_engagement(session: Session, engagement: Engagement) -> None:
    """Serialise writers who append to one engagement's chain, until the transaction ends.

    PostgreSQL: a row lock on the engagement (FOR NO KEY UPDATE, so other writers can
    still add rows that refer to it). SQLite has one writer at a time anyway; a no-op
    write takes its write lock now, before the chain is read.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("UPDATE engagements SET id = id WHERE id = :id"), {"id": engagement.id}
        )
        return
    session.execute(
        select(Engagement.id).where(Engagement.id == engagement.id).with_for_update(key_share=True)
    )


def get_engagement(session: Session, engagement_id: int) -> Engagement:
    engagement = session.get(Engagement, engagement_id)
    if engagement is None:
        raise NotFound(f"Engagement #{engagement_id} no longer exists.")
    return engagement


# What an engagement owns and an edit names by id.
Owned = TypeVar("Owned", Attachment, RiskException)


def owned_row(
    session: Session, model: type[Owned], row_id: int, engagement_id: int, what: str
) -> Owned:
    """Row `row_id` of `model` if it belongs to the engagement, else `NotFound` naming
    `what` ("Evidence file", "Exception"): an id from another engagement is as gone as a
    deleted one."""
    row = session.get(model, row_id)
    if row is None or row.engagement_id != engagement_id:
        raise NotFound(f"{what} #{row_id} no longer exists.")
    return row


def engagement_named(session: Session, name: str) -> Engagement:
    engagement = find_engagement(session, name)
    if engagement is None:
        raise NotFound(f"There is no engagement named '{name}'.")
    return engagement


def list_engagements(session: Session) -> list[Engagement]:
    return list(session.scalars(select(Engagement).order_by(Engagement.name)))


def update_engagement(
    session: Session,
    engagement: Engagement,
    *,
    actor: str,
    name: str | Unset = UNSET,
    client: str | Unset = UNSET,
    frameworks: Iterable[str] | Unset = UNSET,
    period_start: date | Unset | None = UNSET,
    period_end: date | Unset | None = UNSET,
    regions: Iterable[str] | Unset = UNSET,
    settings: Mapping[str, Any] | Unset = UNSET,
    notes: str | Unset = UNSET,
    soc2_categories: Iterable[str] | Unset = UNSET,
) -> Engagement:
    """Change the given fields; the audit log records old and new values."""
    changes: dict[str, Any] = {}
    if name is not UNSET:
        clean = _clean_name(name)
        _ensure_free(session, clean, keep=engagement)
        changes["name"] = clean
    if client is not UNSET:
        changes["client"] = client.strip()
    if frameworks is not UNSET:
        changes["frameworks"] = _clean_frameworks(frameworks)
    if period_start is not UNSET:
        changes["period_start"] = period_start
    if period_end is not UNSET:
        changes["period_end"] = period_end
    if regions is not UNSET:
        changes["regions"] = list(regions)
    if settings is not UNSET:
        changes["settings"] = dict(settings)
    if notes is not UNSET:
        changes["notes"] = notes
    if soc2_categories is not UNSET:
        changes["soc2_categories"] = clean_soc2_categories(soc2_categories)
    _check_period(
        changes.get("period_start", engagement.period_start),
        changes.get("period_end", engagement.period_end),
    )
    logged: dict[str, Any] = {}
    for field, value in changes.items():
        before = getattr(engagement, field)
        if before != value:
            logged[field] = {"from": _jsonable(before), "to": _jsonable(value)}
            setattr(engagement, field, value)
    if logged:
        session.flush()
        record(
            session,
            actor=actor,
            action="engagement.update",
            target=engagement.name,
            engagement=engagement,
            detail=logged,
        )
    return engagement


def delete_engagement(session: Session, engagement: Engagement, *, actor: str) -> None:
    """Delete it with everything in it; the audit log keeps the fact (without the link)."""
    record(session, actor=actor, action="engagement.delete", target=engagement.name)
    session.delete(engagement)
    session.flush()


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
