"""The services every screen is handed: the one thing the composition root builds for the GUI.

`launch.run_gui` builds an `AppContext` and passes it to the main window, which passes
it on to each panel (ChecklistView, ControlPage, ...). Nothing in `app/ui` reaches for
a global: what a widget needs comes from here, so tests build a context of their own
(a temp DB, an `ImmediatePool` or a real `QThreadPool`) and drive the real widgets.

Signals on the context are the app-wide news: who is signed in, which engagement is
open, and "this engagement's data changed" (after a scan, sign-off, import...), so
the checklist, dashboard and control page refresh without knowing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.aws.clients import SessionFactory
from app.controls.catalogue import Catalogue
from app.controls.results import CheckResult
from app.secrets import SecretStore
from app.services.engagements import EngagementInfo
from app.services.engagements import get_engagement as _get_engagement
from app.services.live_results import LiveControl
from app.store.database import Database
from app.ui.prompts import Prompts
from app.ui.settings import AppSettings
from app.ui.workers import TaskPool, Worker, WorkerRegistry

if TYPE_CHECKING:
    import boto3

    from app.demo.session import DemoEnvironment

# Builds a boto3 session for a named profile (app.aws.login.session_for_profile).
ProfileSessions = Callable[[str], "boto3.Session"]


class ScanRunner(Protocol):
    """What the screens use of the scan controller (`app.ui.scan_controller`), which the
    main window builds and sets as `AppContext.scans`. A protocol, so that the context
    does not import the controller that imports it."""

    scan_started: SignalInstance
    scan_progress: SignalInstance
    results_arrived: SignalInstance
    scan_finished: SignalInstance
    scan_failed: SignalInstance
    live_results: dict[str, tuple[CheckResult, ...]]
    last_error: str

    @property
    def live_engagement_id(self) -> int | None: ...

    @property
    def is_running(self) -> bool: ...

    def live_control(self, control_id: str) -> LiveControl | None: ...

    def run_checks(self, engagement_id: int, control_ids: Sequence[str] | None = None) -> bool: ...

    def cancel(self) -> None: ...


@dataclass(frozen=True)
class SignedIn:
    """Who the app acts as: shown in the header, stamped on scans and the binder.

    `make_session` builds a fresh boto3 session for one task (sessions are not
    thread-safe: one per worker); it is opaque here because only app/aws touches boto3.
    """

    account_id: str
    arn: str
    profile: str = ""
    region: str = ""
    kind: str = ""
    make_session: SessionFactory | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        who = self.arn.rsplit("/", 1)[-1] if "/" in self.arn else self.arn
        via = f" via {self.profile}" if self.profile else ""
        return f"{who} @ {self.account_id}{via}"


class AppContext(QObject):
    """Services handed down to every screen. Lives on the GUI thread."""

    signed_in_changed = Signal(object)  # SignedIn | None
    engagement_changed = Signal(object)  # int | None (engagement id)
    data_changed = Signal(int)  # engagement id whose results/evidence/sign-offs changed
    status_message = Signal(str)  # expected trouble or news, for the status bar
    session_expired = Signal(str)  # the reason; the window goes back to sign-in

    def __init__(
        self,
        *,
        db: Database,
        catalogue: Catalogue,
        secrets: SecretStore | None,
        pool: TaskPool,
        settings: AppSettings,
        session_factory: ProfileSessions | None = None,
        prompts: Prompts | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # The store's open database (app.store): short-lived ORM sessions, GUI thread only.
        self.db = db
        self.catalogue = catalogue
        # The keyring-backed SecretStore (app.secrets): client credentials, never in the DB.
        self.secrets = secrets
        self.pool = pool
        self.workers = WorkerRegistry(pool)
        self.settings = settings
        # Builds a boto3 session for a profile (app.aws); None until sign-in is wired.
        self.session_factory = session_factory
        # Modal questions, file choosers, URL opening: tests inject answers here.
        self.prompts = prompts if prompts is not None else Prompts()
        self._signed_in: SignedIn | None = None
        self._engagement_id: int | None = None
        # Set by the main window once built; the control page runs checks through it.
        self.scans: ScanRunner | None = None
        # The demo environment (moto server, seeded account) when run with --demo.
        self.demo: DemoEnvironment | None = None

    # -- who is signed in ---------------------------------------------------------------
    @property
    def signed_in(self) -> SignedIn | None:
        return self._signed_in

    def set_signed_in(self, who: SignedIn | None) -> None:
        self._signed_in = who
        self.signed_in_changed.emit(who)

    @property
    def actor(self) -> str:
        """Who the audit log names: the signed-in ARN, else the local user."""
        if self._signed_in is not None and self._signed_in.arn:
            return self._signed_in.arn
        from app.scan.runner import default_actor  # the scan engine, loaded when first needed

        return default_actor()

    # -- which engagement is open -------------------------------------------------------
    @property
    def engagement_id(self) -> int | None:
        return self._engagement_id

    def set_engagement(self, engagement_id: int | None) -> None:
        if engagement_id == self._engagement_id:
            return
        self._engagement_id = engagement_id
        self.engagement_changed.emit(engagement_id)

    def notify_data_changed(self, engagement_id: int) -> None:
        self.data_changed.emit(engagement_id)

    def say(self, message: str) -> None:
        self.status_message.emit(message)

    def submit(self, worker: Worker) -> Worker:
        """Run a worker on the injected pool, keeping it alive until it reports."""
        return self.workers.submit(worker)


# Shortcuts for the screens: the services, with what the context knows filled in.
def actor(ctx: AppContext) -> str:
    return ctx.actor


def get_engagement(ctx: AppContext, engagement_id: int) -> EngagementInfo:
    return _get_engagement(ctx.db, engagement_id)
