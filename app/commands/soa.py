"""`audit-binder soa --engagement NAME [--db PATH|URL] [--csv OUT] [--xlsx OUT]
[--apply FILE.csv] [--approve --reviewer NAME --role ROLE]`: the Statement of Applicability.

`--apply` and `--approve` run in one transaction (a refused approval also undoes the
apply), then `--csv`/`--xlsx` write the table as it now stands. With none of these
options the table is printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands.store_option import add_db_option, chosen_location, no_engagement
from app.controls.catalogue import Catalogue, CatalogueError, load_catalogue
from app.store.errors import StoreError
from app.store.location import StoreLocation

if TYPE_CHECKING:  # the services load SQLAlchemy: only when the command runs
    from app.services.soa_model import SoaRow, SoaState, TableRow
    from app.store.soa_approvals import SoaApproval

PROG = "audit-binder soa"
_LINE = 120
_WIDTHS = (("CRITERION", 9), ("APPLIES", 7), ("REASON / JUSTIFICATION", 28), ("IMPL.", 11))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "soa",
        help="the ISO 27001 Statement of Applicability: print, CSV/XLSX, apply, approve",
        description="The engagement's ISO 27001:2022 Statement of Applicability: every Annex A "
        "control with whether it applies, the reason or the exclusion's justification, the "
        "implementation status derived from its controls, and its owner. Write it as CSV or "
        "XLSX, edit it in a spreadsheet, apply it back (all or nothing), approve it.",
    )
    parser.add_argument("--engagement", required=True, metavar="NAME", help="the engagement")
    add_db_option(parser)
    parser.add_argument("--csv", type=Path, metavar="OUT", help="write the table as CSV")
    parser.add_argument("--xlsx", type=Path, metavar="OUT", help="write the table as XLSX")
    parser.add_argument(
        "--apply",
        type=Path,
        metavar="FILE.csv",
        help="set the decisions from a CSV (or XLSX) in the same columns (all or nothing)",
    )
    parser.add_argument(
        "--approve", action="store_true", help="approve the decisions: the next SoA version"
    )
    parser.add_argument("--reviewer", metavar="NAME", help="who approves (with --approve)")
    parser.add_argument("--role", metavar="ROLE", help="the approver's role (with --approve)")
    parser.set_defaults(handler=run, parser=parser)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.approve and not ((args.reviewer or "").strip() and (args.role or "").strip()):
        return "--approve needs --reviewer NAME and --role ROLE"
    if not args.approve and (args.reviewer is not None or args.role is not None):
        return "--reviewer and --role go with --approve"
    return None


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from app.services.soa_table import TableFileError, read_table, refusal_to_replace

    problem = _usage_problem(args)
    if problem is not None:
        args.parser.error(problem)  # exits 2
    for target in (args.csv, args.xlsx):
        refusal = refusal_to_replace(target) if target is not None else None
        if refusal is not None:
            return _fail(refusal)
    try:
        db_path = chosen_location(args)
    except StoreError as exc:
        return _fail(str(exc))
    if not db_path.is_server and not db_path.sqlite_path.exists():
        return _fail(f"no database at {db_path}, so no engagement '{args.engagement}'.")
    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        return _fail(f"the control catalogue cannot be loaded: {exc}")
    table: list[TableRow] | None = None
    if args.apply is not None:
        try:
            table = read_table(args.apply)
        except TableFileError as exc:
            return _fail(str(exc))
        except OSError as exc:
            return _fail(f"cannot read {args.apply}: {exc.strerror or exc}")
    try:
        return _run(args, db_path, catalogue, table)
    except StoreError as exc:
        return _fail(str(exc))


def _run(
    args: argparse.Namespace,
    db_path: StoreLocation,
    catalogue: Catalogue,
    table: Sequence[TableRow] | None,
) -> int:
    from app.scan.runner import default_actor
    from app.services import soa
    from app.services.soa_model import SoaRejected
    from app.store.database import open_database
    from app.store.engagements import find_engagement

    with open_database(db_path) as database, database.session() as session:
        engagement = find_engagement(session, args.engagement)
        if engagement is None:
            return _fail(no_engagement(session, args.engagement))
        messages: list[str] = []
        try:
            if table is not None:
                outcome = soa.apply_table(
                    session, engagement, catalogue, table, actor=default_actor()
                )
                messages.append(
                    f"Applied {args.apply}: {len(outcome.changed)} decisions changed, "
                    f"{outcome.unchanged} unchanged."
                )
            if args.approve:
                approval = soa.approve(
                    session, engagement, catalogue, reviewer=args.reviewer, role=args.role
                )
                messages.append(_approved(approval))
        except SoaRejected as exc:
            session.rollback()
            lines = [f"{PROG}: {args.apply}: {exc}"] + [f"  {p}" for p in exc.problems]
            print("\n".join(lines), file=sys.stderr)
            return 1
        rows = soa.soa_rows(session, engagement, catalogue)
        state = soa.soa_state(session, engagement, catalogue)
        name = engagement.name
    return _output(args, rows, state, name, messages)


def _approved(approval: SoaApproval) -> str:
    from app.services.soa_table import approval_text

    return f"Approved the Statement of Applicability: {approval_text(approval)}."


def _output(
    args: argparse.Namespace,
    rows: Sequence[SoaRow],
    state: SoaState,
    name: str,
    messages: list[str],
) -> int:
    from app.services.soa_table import status_text, write_csv, write_xlsx

    for message in messages:
        print(message)
    targets = [(args.csv, "CSV"), (args.xlsx, "XLSX")]
    for target, kind in targets:
        if target is None:
            continue
        try:
            if kind == "CSV":
                write_csv(rows, target)
            else:
                write_xlsx(rows, target, engagement=name, state=state)
        except OSError as exc:
            return _fail(f"cannot write {target}: {exc.strerror or exc}")
        print(f"Wrote {target} ({len(rows)} rows).")
    if not messages and args.csv is None and args.xlsx is None:
        print(render_table(rows))
    print(f"{name}: {state.progress}; {status_text(state)}.")
    return 0


def render_table(rows: Sequence[SoaRow]) -> str:
    """The rows grouped by theme, one line each (long text cut with an ellipsis)."""
    head = "  ".join(title.ljust(width) for title, width in _WIDTHS) + "  OWNER / TITLE"
    lines = [head]
    theme = None
    for row in rows:
        if row.theme != theme:
            theme = row.theme
            lines += ["", row.theme_title]
        decision = row.decision
        applies = "" if decision.applies is None else ("yes" if decision.applies else "no")
        why = decision.justification if decision.applies is False else decision.reason
        cells = (row.criterion_id, applies or "-", why or "-", row.implementation.label)
        text = "  ".join(
            _cut(cell, width).ljust(width) for cell, (_, width) in zip(cells, _WIDTHS, strict=True)
        )
        tail = f"{decision.owner} / {row.title}" if decision.owner else row.title
        lines.append(text + "  " + _cut(tail, _LINE - len(text) - 2))
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    """One line of at most `width` characters (newlines and runs of blanks collapsed)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
