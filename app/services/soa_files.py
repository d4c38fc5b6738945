"""The SoA spreadsheet from the app: write the table, read one back. No Qt.

The same files and rules as `audit-binder soa --csv/--xlsx/--apply`
(`app/services/soa_table.py`): CSV or XLSX by the file's suffix; an existing file is
replaced only when it is empty or an earlier SoA table; reading is all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.controls.catalogue import Catalogue
from app.services.soa import apply_table
from app.services.soa_model import ApplyOutcome, SoaRow, SoaState
from app.services.soa_table import (
    TableFileError,
    read_table,
    refusal_to_replace,
    write_csv,
    write_xlsx,
)
from app.store.database import Database
from app.store.engagements import get_engagement


def table_path(chosen: Path, suffix: str = ".csv") -> Path:
    """The file to write: as chosen, with `suffix` added when it has no spreadsheet one."""
    if chosen.suffix.lower() in (".csv", ".xlsx"):
        return chosen
    return chosen.with_name(chosen.name + suffix)


def export_table(
    rows: Sequence[SoaRow],
    state: SoaState,
    engagement_name: str,
    chosen: Path,
    suffix: str = ".csv",
) -> Path:
    """Write the table (XLSX for `.xlsx`, else CSV); returns the path written.

    Raises `TableFileError` when the file exists and is something else (it is left
    untouched), OSError when it cannot be written.
    """
    target = table_path(chosen, suffix)
    refusal = refusal_to_replace(target)
    if refusal is not None:
        raise TableFileError(refusal)
    if target.suffix.lower() == ".xlsx":
        write_xlsx(rows, target, engagement=engagement_name, state=state)
    else:
        write_csv(rows, target)
    return target


def import_table(
    db: Database, engagement_id: int, catalogue: Catalogue, source: Path, actor: str
) -> ApplyOutcome:
    """Set the decisions from a CSV or XLSX file, all or nothing, in one session of its own.

    Raises `TableFileError` (unreadable, not UTF-8, columns missing), `SoaRejected`
    (rows at fault, each named) or OSError; nothing is changed then. The file says what
    each row is to be (as `audit-binder soa --apply` does), not which version it edits.
    """
    rows = read_table(source)  # before the session: a slow or bad file holds no lock
    if not rows:
        raise TableFileError(f"{source.name} has no rows under its header. Nothing was changed.")
    with db.session() as session:
        engagement = get_engagement(session, engagement_id)
        return apply_table(session, engagement, catalogue, rows, actor=actor)
