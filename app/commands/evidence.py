"""`audit-binder evidence --engagement NAME`: manual evidence requests, how often each is
due, what is overdue; set a request's recurrence, add (or remove) a request of your own,
attach a file with the day it is effective for.

Changes run in one transaction, before the listing; a refused change changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.store_option import add_db_option, chosen_location, no_engagement
from app.controls.catalogue import Catalogue, CatalogueError, load_catalogue
from app.recurrence import parse_recurrence
from app.store.errors import StoreError

if TYPE_CHECKING:  # the services load SQLAlchemy: only when the command runs
    from sqlalchemy.orm import Session

    from app.services.recurring_model import EvidenceSchedule, RequestSchedule
    from app.store.models import Engagement

PROG = "audit-binder evidence"
DUE_SOON_DAYS = 30


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evidence",
        help="manual evidence: what is due when, what is overdue; set recurrence, attach",
        description="The engagement's manual evidence requests (the catalogue's and your "
        "own) with how often each recurs, when it is next due and what is overdue. Set a "
        "request's recurrence, add or remove a request of your own, or attach a file with "
        "the day it is effective for.",
    )
    parser.add_argument("--engagement", required=True, metavar="NAME", help="the engagement")
    add_db_option(parser)
    parser.add_argument(
        "--due",
        action="store_true",
        help=f"list only what is overdue or due within {DUE_SOON_DAYS} days",
    )
    parser.add_argument("--as-of", type=_day, metavar="DATE", help="judge as of this day")
    parser.add_argument(
        "--set-recurrence",
        nargs=3,
        metavar=("CONTROL", "ITEM", "RECURRENCE"),
        help="how often a request recurs: once, monthly, quarterly, half-yearly, yearly",
    )
    parser.add_argument(
        "--add-request",
        nargs=3,
        metavar=("CONTROL", "TITLE", "RECURRENCE"),
        help="a request of your own for a control",
    )
    parser.add_argument(
        "--remove-request",
        nargs=2,
        metavar=("CONTROL", "ITEM"),
        help="remove a request of your own (one with no files against it)",
    )
    parser.add_argument(
        "--due-on",
        type=_day,
        metavar="DATE",
        help="one due date of the series (with --set-recurrence or --add-request; default: "
        "the end of the first step from the audit period's start)",
    )
    parser.add_argument("--attach", type=Path, metavar="FILE", help="attach a file")
    parser.add_argument("--control", metavar="ID", help="the control to attach to")
    parser.add_argument("--item", default="", metavar="ID", help="the request it answers")
    parser.add_argument(
        "--effective", type=_day, metavar="DATE", help="the day the file is evidence for"
    )
    parser.add_argument("--description", default="", metavar="TEXT", help="what the file is")
    parser.set_defaults(handler=run, parser=parser)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.attach is not None and not args.control:
        return "--attach needs --control ID"
    attaching = (args.control, args.item, args.effective, args.description)
    if args.attach is None and any(attaching):
        return "--control, --item, --effective and --description go with --attach"
    if args.due_on is not None and not (args.set_recurrence or args.add_request):
        return "--due-on goes with --set-recurrence or --add-request"
    for given in (args.set_recurrence, args.add_request):
        if given is not None:
            try:
                parse_recurrence(given[2])
            except ValueError as error:
                return str(error)
    return None


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    problem = _usage_problem(args)
    if problem is not None:
        args.parser.error(problem)  # exits 2
    content = b""
    if args.attach is not None:
        try:
            content = args.attach.read_bytes()
        except OSError as exc:
            return _fail(f"cannot read {args.attach}: {exc.strerror or exc}")
    try:
        location = chosen_location(args)
        if not location.is_server and not location.sqlite_path.exists():
            return _fail(f"no database at {location}, so no engagement '{args.engagement}'.")
        catalogue = load_catalogue()
    except CatalogueError as exc:
        return _fail(f"the control catalogue cannot be loaded: {exc}")
    except StoreError as exc:
        return _fail(str(exc))
    from app.store.database import open_database

    try:
        with open_database(location) as database, database.session() as session:
            return _run(session, args, catalogue, content)
    except StoreError as exc:
        return _fail(str(exc))


def _run(session: Session, args: argparse.Namespace, catalogue: Catalogue, content: bytes) -> int:
    from app.services.recurring import evidence_schedule
    from app.store.engagements import find_engagement

    engagement = find_engagement(session, args.engagement)
    if engagement is None:
        return _fail(no_engagement(session, args.engagement))
    for message in _changes(session, engagement, args, catalogue, content):
        print(message)
    schedule = evidence_schedule(session, engagement, catalogue=catalogue, as_of=args.as_of)
    print(render(schedule, engagement.name, due_only=args.due))
    return 0


def _changes(
    session: Session,
    engagement: Engagement,
    args: argparse.Namespace,
    catalogue: Catalogue,
    content: bytes,
) -> list[str]:
    from app.scan.runner import default_actor
    from app.services.recurring import (
        add_own_request,
        attach_evidence,
        remove_own_request,
        set_request_recurrence,
    )

    actor, done = default_actor(), []
    if args.set_recurrence is not None:
        control_id, item_id, recurrence = args.set_recurrence
        changed = set_request_recurrence(
            session,
            engagement,
            control_id,
            item_id,
            parse_recurrence(recurrence),
            actor=actor,
            due_on=args.due_on,
            catalogue=catalogue,
        )
        done.append(f"Set {control_id}/{item_id}: {changed.words}.")
    if args.add_request is not None:
        control_id, title, recurrence = args.add_request
        added = add_own_request(
            session,
            engagement,
            control_id,
            title=title,
            recurrence=parse_recurrence(recurrence),
            actor=actor,
            due_on=args.due_on,
            catalogue=catalogue,
        )
        done.append(f"Added {control_id}/{added.item_id}: {added.words}.")
    if args.remove_request is not None:
        control_id, item_id = args.remove_request
        remove_own_request(
            session, engagement, control_id, item_id, actor=actor, catalogue=catalogue
        )
        done.append(f"Removed {control_id}/{item_id}.")
    if args.attach is not None:
        attachment = attach_evidence(
            session,
            engagement,
            args.control,
            name=args.attach.name,
            content=content,
            actor=actor,
            item_id=args.item,
            effective_on=args.effective,
            description=args.description,
            catalogue=catalogue,
        )
        effective = attachment.effective_on or attachment.added_at.date()
        done.append(
            f"Attached {attachment.original_name} to {args.control}"
            + (f"/{args.item}" if args.item else "")
            + f", effective for {effective.isoformat()} (SHA-256 {attachment.sha256})."
        )
    return done


def render(schedule: EvidenceSchedule, name: str, *, due_only: bool = False) -> str:
    """One line per request (recurring or with a due date first), then what is overdue."""
    from app.services.ledger_words import full_date

    until = full_date(schedule.counted_until) if schedule.counted_until else "open"
    lines = [
        f"{name}: manual evidence as of {full_date(schedule.as_of)} (due dates count from "
        f"{full_date(schedule.counted_from)} to {until})"
    ]
    shown = [r for r in schedule.requests if not due_only or _due_soon(r)]
    shown.sort(key=lambda r: (r.next_due is None and not r.overdue, r.control_id, r.item_id))
    for request in shown:
        files = len(request.files)
        state = f"{files} file{'s' if files != 1 else ''}"
        if not request.applicable:
            state += ", control not applicable"
        lines.append(f"  {request.control_id}/{request.item_id}: {request.words}; {state}")
        for item in request.overdue_items:
            lines.append(f"      OVERDUE: {item.words}")
    if due_only and not shown:
        lines.append(f"  Nothing overdue or due within {DUE_SOON_DAYS} days.")
    lines.append(f"Overdue: {len(schedule.overdue)}.")
    return "\n".join(lines)


def _due_soon(request: RequestSchedule) -> bool:
    if request.overdue and request.applicable:
        return True
    nxt = request.next_due
    return nxt is not None and (nxt - request.as_of).days <= DUE_SOON_DAYS
