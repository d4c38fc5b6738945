"""`audit-binder db upgrade [--db PATH|URL]`: bring a store's schema up to this version.

An SQLite file is upgraded by the app itself when it opens it (after a backup beside
it); a team store on PostgreSQL is not, because the app cannot back a server up, so
its administrator runs this once after a backup (`pg_dump`). A new, empty database
gets the schema.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.commands.store_option import add_db_option, chosen_location
from app.store.errors import StoreError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "db",
        help="look after the store (schema upgrades)",
        description="Look after the store itself.",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="upgrade the store's schema to this version of Audit Binder",
        description="Upgrade the store's schema to this version. A team store on PostgreSQL "
        "is only upgraded this way: back it up first (pg_dump). An SQLite file is backed up "
        "beside itself and upgraded (the app also does that whenever it opens one).",
    )
    add_db_option(upgrade)
    upgrade.set_defaults(handler=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from app.store.database import open_database

    try:
        location = chosen_location(args)
        database = open_database(location, upgrade=True)
    except StoreError as exc:
        print(f"audit-binder db upgrade: {exc}", file=sys.stderr)
        return 1
    with database:
        before, head = database.upgraded_from, database.revision
        if before is None:
            print(f"{location} is up to date (schema revision {head}).")
        elif not before:
            print(f"Created the Audit Binder schema (revision {head}) in {location}.")
        else:
            print(f"Upgraded {location} from schema revision {', '.join(before)} to {head}.")
        if database.backup_path is not None:
            print(f"The file as it was before is at {database.backup_path}.")
    return 0
