"""What a scan is asked to do, and who hears about it as it goes.

`ScanRequest` is the one description of a scan, whoever starts it: `audit-binder scan`,
`scan --org-role` (then `org` is set) and the GUI (which sends it to a child process).
`ScanWatch` holds the callbacks and the cancel flag, which belong to the process
running the scan and never travel with the request. `app.scan.entry.scan` runs one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from app.aws.clients import ClientHook, SessionFactory
from app.aws.organizations import MemberAccount
from app.controls.results import CheckResult

if TYPE_CHECKING:
    from app.scan.accounts import MemberScan

DEFAULT_ROLE = "AuditBinderReadOnly"

# Names, "all" or None; a request keeps names as a tuple.
Regions = Sequence[str] | Literal["all"] | None
# `progress(done, total, message)`, from the scan's threads.
Progress = Callable[[int, int, str], None]
# `on_results(control_id, rows)`: one control's rows, as soon as they are known.
ResultsCallback = Callable[[str, list[CheckResult]], None]
# `on_account(index, total, account)`: called as each member account's turn starts (1-based).
AccountCallback = Callable[[int, int, MemberAccount], None]
# `on_scanned(member)`: called as each member account's turn ends, whatever came of it.
ScannedCallback = Callable[["MemberScan"], None]


@dataclass(frozen=True)
class OrgScope:
    """Scan an organization's member accounts through an audit role (`scan --org-role`)."""

    role: str = DEFAULT_ROLE
    account_ids: tuple[str, ...] | None = None  # None: every account of the organization
    external_id: str | None = field(default=None, repr=False)
    # The organization's accounts when the caller already listed them (the GUI's picker).
    accounts: tuple[MemberAccount, ...] | None = None


@dataclass(frozen=True)
class ScanRequest:
    """One scan: whose credentials, into which engagement, where and what.

    `sessions` builds a fresh boto3 session per task (for `org`: the management or
    delegated administrator account's). `engagement`: an id, or a name created if
    missing; None: one named after the signed-in account. `regions`: names, "all"
    (every enabled region) or None (the engagement's regions, else every enabled one).
    `controls`: None for every control. `profile` only names the profile in messages.
    `unattended`: a scheduled job's scan (never prompts, recorded as "(scheduled)").
    """

    sessions: SessionFactory
    engagement: str | int | None = None
    regions: Regions = None
    controls: Sequence[str] | None = None
    profile: str | None = None
    actor: str | None = None
    org: OrgScope | None = None
    unattended: bool = False
    hooks: tuple[ClientHook, ...] = ()

    def __post_init__(self) -> None:
        # Lists are welcome from callers; kept as tuples so the request stays immutable.
        if self.regions is not None and self.regions != "all":
            object.__setattr__(self, "regions", _names(self.regions))
        if self.controls is not None:
            object.__setattr__(self, "controls", _names(self.controls))
        object.__setattr__(self, "hooks", tuple(self.hooks))


def _names(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(values)


@dataclass(frozen=True)
class ScanWatch:
    """Who hears about a running scan, and the flag that cancels it."""

    progress: Progress | None = None
    on_results: ResultsCallback | None = None
    on_account: AccountCallback | None = None
    on_scanned: ScannedCallback | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
