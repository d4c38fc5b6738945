"""The demo engagement: created before the first scan, its manual work applied after it.

`create_demo_engagement` makes the engagement (flagged `is_demo`, so the UI and every
binder page say DEMO) from `resources/demo/account.toml` and `engagement.toml`;
`seed_manual_work` then adds what a team would have done by hand: evidence files,
notes, an exception, sign-offs, a note written after a sign-off (which makes that
sign-off stale, to show the warning), and the approved Statement of Applicability
(`app/demo/statement.py`). Everything goes through the store's repositories,
so the audit log and the sign-off chain are exactly what real use produces.
"""

from __future__ import annotations

import calendar
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue, load_catalogue
from app.demo.history import HISTORY_NOTE
from app.demo.scenario import ACCOUNT_ID, BuiltAccount
from app.demo.statement import seed_statement
from app.paths import resources_dir
from app.recurrence import add_months, parse_recurrence
from app.services.recurring import set_request_recurrence
from app.store.accounts import add_account
from app.store.attachments import add_attachment
from app.store.control_states import control_state, set_control_state
from app.store.engagements import create_engagement, delete_engagement, find_engagement
from app.store.models import Engagement
from app.store.risk import add_exception, today_utc
from app.store.signoffs import sign_off

# Who the app itself is in the demo's audit log (people in engagement.toml act for themselves).
DEMO_ACTOR = "demo"
DEMO_ACCOUNT_ALIAS = "northwind-robotics (demo)"


@dataclass(frozen=True)
class DemoData:
    """The two demo files, read: the account scenario and the engagement's manual work."""

    account: Mapping[str, Any]
    engagement: Mapping[str, Any]
    folder: Path

    @property
    def engagement_name(self) -> str:
        return str(self.account["company"]["engagement"])


def load_demo_data(folder: Path | None = None) -> DemoData:
    where = folder or resources_dir() / "demo"
    with (where / "account.toml").open("rb") as handle:
        account = tomllib.load(handle)
    with (where / "engagement.toml").open("rb") as handle:
        engagement = tomllib.load(handle)
    return DemoData(account=account, engagement=engagement, folder=where)


def demo_period(today: date, months: int) -> tuple[date, date]:
    """The `months` calendar months ending with the current one.

    Relative to today so the demo always looks the same: evidence collected now falls
    inside the period, whenever the demo is run.
    """
    end = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    index = today.year * 12 + (today.month - 1) - (months - 1)
    return date(index // 12, index % 12 + 1, 1), end


def create_demo_engagement(
    session: Session, data: DemoData, account_id: str, *, today: date | None = None
) -> Engagement:
    """The demo engagement, fresh: an earlier one of the same name is replaced."""
    company = data.account["company"]
    spec = data.engagement["engagement"]
    earlier = find_engagement(session, data.engagement_name)
    if earlier is not None:
        delete_engagement(session, earlier, actor=DEMO_ACTOR)
    start, end = demo_period(today or today_utc(), int(spec.get("period_months", 6)))
    engagement = create_engagement(
        session,
        data.engagement_name,
        actor=DEMO_ACTOR,
        client=str(spec["client"]),
        frameworks=list(company["frameworks"]),
        period_start=start,
        period_end=end,
        regions=list(company["regions"]),
        settings={"sensitive_buckets": list(spec.get("sensitive_buckets", []))},
        notes=f"DEMO DATA: a fictitious company on a local fake AWS account. {HISTORY_NOTE}",
        is_demo=True,
    )
    add_account(
        session,
        engagement,
        account_id,
        actor=DEMO_ACTOR,
        alias=DEMO_ACCOUNT_ALIAS,
        sign_in={"kind": "demo"},
    )
    return engagement


def seed_manual_work(
    session: Session,
    engagement: Engagement,
    data: DemoData,
    built: BuiltAccount,
    *,
    today: date | None = None,
    catalogue: Catalogue | None = None,
) -> None:
    """Evidence, notes, the exception, the sign-offs, then the notes written after them,
    and the Statement of Applicability."""
    day = today or today_utc()
    spec = data.engagement
    for item in spec.get("evidence", []):
        source = data.folder / str(item["file"])
        months_ago = item.get("effective_months_ago")
        add_attachment(
            session,
            engagement,
            str(item["control"]),
            name=source.name,
            content=source.read_bytes(),
            actor=str(item["added_by"]),
            description=str(item.get("description", "")),
            evidence_item=str(item.get("item", "")),
            effective_on=None if months_ago is None else month_end_ago(day, int(months_ago)),
        )
    for item in spec.get("recurring", []):
        set_request_recurrence(
            session,
            engagement,
            str(item["control"]),
            str(item["item"]),
            parse_recurrence(str(item["recurrence"])),
            due_on=month_end_ago(day, int(item["due_months_ago"])),
            actor=str(item.get("set_by", DEMO_ACTOR)),
            catalogue=catalogue,
        )
    for note in spec.get("notes", []):
        set_control_state(
            session,
            engagement,
            str(note["control"]),
            actor=str(note.get("owner", DEMO_ACTOR)),
            owner=str(note.get("owner", "")),
            notes=str(note["text"]),
        )
    for item in spec.get("exceptions", []):
        add_exception(
            session,
            engagement,
            str(item["control"]),
            actor=str(item["approver"]),
            justification=str(item["justification"]),
            approver=str(item["approver"]),
            expires_on=day + timedelta(days=int(item["expires_in_days"])),
            resource_pattern=_exception_pattern(item, built),
        )
    for item in spec.get("sign_offs", []):
        sign_off(
            session,
            engagement,
            str(item["control"]),
            reviewer=str(item["reviewer"]),
            role=str(item.get("role", "")),
            comment=str(item.get("comment", "")),
            on=day,
        )
    # Written after the sign-offs on purpose: each changes what was approved, so that
    # control's sign-off shows as stale.
    for item in spec.get("sign_offs", []):
        if item.get("note_after"):
            _append_note(session, engagement, str(item["control"]), str(item["note_after"]))
    if "soa" in spec:
        seed_statement(session, engagement, spec["soa"], catalogue or load_catalogue())


def month_end_ago(today: date, months: int) -> date:
    """The last day of the month `months` before today's (0: this month's last day)."""
    return add_months(today.replace(day=1), 1 - months) - timedelta(days=1)


def _exception_pattern(item: Mapping[str, Any], built: BuiltAccount) -> str:
    group = item.get("security_group")
    if group is None:
        return str(item.get("resource_pattern", "*"))
    region, name = str(group["region"]), str(group["name"])
    group_id = built.groups.get((region, name))
    if group_id is None:
        raise KeyError(f"the demo exception names security group {name} in {region}, not built")
    return f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{group_id}"


def _append_note(session: Session, engagement: Engagement, control_id: str, text: str) -> None:
    state = control_state(session, engagement, control_id)
    earlier = state.notes if state is not None else ""
    set_control_state(
        session,
        engagement,
        control_id,
        actor=DEMO_ACTOR,
        notes=f"{earlier}\n{text}".strip(),
    )
