"""The PDF evidence binder of an engagement, written from the open `Database`. No Qt.

Why a service here and not a `Database` entry point in `app/report`: the report renders
a binder from what it is given (a session or ready `BinderData`) and stays unaware of
which store it reads and on which thread it runs; opening a session of the calling
thread's own is what every service the app's screens call does (they take the
`Database`). So the GUI's export worker and `audit-binder export` call this one
function, and neither opens a session itself.

Imports run one way: `app/ui`, `app/commands` -> this module -> `app/report` -> the
domain services the binder prints (`soa`, `framework_summary`) -> `app/store`. No module
of `app/report` imports this one (tests/services/test_binder.py checks it): no cycle.
"""

from __future__ import annotations

from pathlib import Path

from app.controls.catalogue import Catalogue
from app.report.binder import BinderSummary, ProgressCallback, export_binder
from app.signing.identity import SigningIdentity
from app.store.database import Database


def write_binder(
    db: Database,
    engagement_name: str,
    path: Path,
    progress: ProgressCallback | None = None,
    *,
    catalogue: Catalogue | None = None,
    signer: SigningIdentity | None = None,
    actor: str = "",
) -> BinderSummary:
    """Write the binder of `engagement_name` to `path` (atomically: complete or not at all).

    Reads the store in one session of its own, held until the file is written. Raises
    `app.report.data.UnknownEngagement`, `StoreError` or `OSError`; `progress` may raise to
    stop between steps (the GUI's cancel), which leaves no file. `signer` signs it (None:
    unsigned); the export is logged as done by `actor`.
    """
    with db.session() as session:
        return export_binder(
            session,
            engagement_name,
            path,
            progress,
            catalogue=catalogue,
            signer=signer,
            actor=actor,
        )
