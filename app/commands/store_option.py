"""The `--db` option of every command that opens the store: an SQLite file or a URL."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.store.location import BadLocation, StoreLocation, default_location, parse_location

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def store_location_argument(value: str) -> StoreLocation:
    """argparse `type=`: a usage error (exit 2) names the problem, never the password."""
    try:
        return parse_location(value)
    except BadLocation as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_db_option(parser: Any) -> None:
    parser.add_argument(
        "--db",
        type=store_location_argument,
        metavar="PATH|URL",
        help="the store: an SQLite file, or a team store's URL "
        "(postgresql+psycopg://user@host/database); default: AUDIT_BINDER_DB, else the "
        "file in the user data folder",
    )


def chosen_location(args: argparse.Namespace) -> StoreLocation:
    """`--db`, else `AUDIT_BINDER_DB`, else the default file (`BadLocation` when the
    variable holds an unusable URL)."""
    chosen: StoreLocation | None = args.db
    return chosen if chosen is not None else default_location()


def no_engagement(session: Session, name: str) -> str:
    """Why a command cannot go on: there is no engagement of that name (and which there are)."""
    from app.store.engagements import list_engagements

    names = ", ".join(f"'{e.name}'" for e in list_engagements(session)) or "none"
    return f"there is no engagement named '{name}' (there are: {names})."
