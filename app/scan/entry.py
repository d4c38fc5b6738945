"""The one way to run a scan: `scan(request, db, watch)`.

`audit-binder scan`, `scan --org-role` and the GUI's child process (`app.scan.child`)
all come through here: a request without `org` scans the signed-in account
(`app.scan.runner`), one with `org` scans the organization's member accounts through
the audit role (`app.scan.accounts`). `ScanReport` is either's outcome.

`expected_trouble` sorts what a scan may raise into the few kinds every front door
handles the same way (the CLI's exit codes, the GUI's messages).
"""

from __future__ import annotations

import enum

from app.aws.calls import ScanCancelled
from app.aws.identity import ScanUnavailable
from app.aws.login_errors import SignInError
from app.aws.regions import UnknownRegions
from app.scan.accounts import MembersSummary, scan_members
from app.scan.request import ScanRequest, ScanWatch
from app.scan.runner import ScanOutcome, run_scan
from app.scan.storing import ScanNotStored
from app.store.database import Database
from app.store.errors import StoreError

ScanReport = ScanOutcome | MembersSummary


def scan(request: ScanRequest, db: Database, watch: ScanWatch | None = None) -> ScanReport:
    """Run the scan `request` describes; see `run_scan` and `scan_members` for what each
    stores and raises."""
    if request.org is not None:
        return scan_members(request, db, watch)
    return run_scan(request, db, watch)


class Trouble(enum.Enum):
    """How a scan that did not finish normally ended, for the front doors."""

    USAGE = "usage"  # a region name the account does not know: nothing stored
    UNAVAILABLE = "unavailable"  # could not run (sign-in, access, settings): said why
    NOT_STORED = "not-stored"  # ran, but the DB would not take it: results in a file
    INTERRUPTED = "interrupted"  # cancelled or Ctrl-C: stored as incomplete
    STORE = "store"  # the DB failed


def expected_trouble(exc: BaseException) -> Trouble | None:
    """The kind of expected trouble `exc` is; None for a bug."""
    if isinstance(exc, UnknownRegions):
        return Trouble.USAGE
    if isinstance(exc, ScanNotStored):
        return Trouble.NOT_STORED
    if isinstance(exc, ScanCancelled | KeyboardInterrupt):
        return Trouble.INTERRUPTED
    if isinstance(exc, ScanUnavailable | SignInError):
        return Trouble.UNAVAILABLE
    if isinstance(exc, StoreError):
        return Trouble.STORE
    return None
