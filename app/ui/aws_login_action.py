"""The Sign-in screen's "Run aws login" button, for profiles that sign in with `aws login`.

Only the AWS CLI (2.32 or later) can start an `aws login` session. The button looks for
it once (in a worker: `aws --version` can take a second), and is enabled only when it
can act; otherwise its tooltip and `hint()` say what to install. Pressed, it runs `aws
login --profile P` in a worker (the CLI opens the browser and waits) and reports
`logged_in(profile)` or `failed(message)`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QPushButton

from app.aws.aws_cli import AwsCli, find_aws_cli, login_command, login_help, run_aws_login
from app.aws.login_errors import SignInError
from app.aws.profiles import Profile, ProfileKind
from app.ui.context import AppContext
from app.ui.workers import Progress, Worker

BUTTON_TEXT = "Run aws &login"


def login_profile(profile: Profile | None) -> str | None:
    """The profile whose `aws login` session `profile` rests on, if any."""
    if profile is None:
        return None
    kind = profile.root_kind if profile.kind is ProfileKind.ASSUME_ROLE else profile.kind
    return profile.root if kind is ProfileKind.LOGIN else None


class AwsLoginAction(QObject):
    logged_in = Signal(str)  # the profile signed in with `aws login`
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.button = QPushButton(BUTTON_TEXT)
        self.button.setAccessibleName("Run aws login for the selected profile")
        self.button.hide()
        self.button.clicked.connect(self._on_button_clicked)
        self._profile: str | None = None
        self._cli: AwsCli | None = None
        self._looked = False
        self._finding: Worker | None = None
        self._running: Worker | None = None

    @property
    def is_busy(self) -> bool:
        return self._running is not None

    def follow(self, profile: Profile | None, *, idle: bool = True) -> None:
        """Show the button for an `aws login` profile; look for the AWS CLI once."""
        self._profile = login_profile(profile)
        self.button.setVisible(self._profile is not None)
        if self._profile is not None and not self._looked and self._finding is None:
            worker = Worker(lambda _p: find_aws_cli(), name="find aws cli")
            worker.signals.finished.connect(self._on_found)
            worker.signals.failed.connect(lambda _e: self._on_found(None))
            self._finding = worker
            self.ctx.submit(worker)
        self._update(idle)

    def hint(self, profile: str) -> str:
        """What renews the profile's session: this button, or what to install first."""
        if not self._looked:
            return f"Run `{login_command(profile)}` (AWS CLI 2.32 or later) to renew it."
        if self._cli is not None and self._cli.can_login:
            return (
                f"Press “Run aws login” to renew it here (it runs `{login_command(profile)}` "
                f"with the AWS CLI {self._cli.version_text})."
            )
        return login_help(profile, self._cli)

    def cancel(self) -> None:
        if self._running is not None:
            self._running.cancel()

    def _update(self, idle: bool = True) -> None:
        usable = self._cli is not None and self._cli.can_login
        self.button.setEnabled(bool(self._profile and usable and idle and not self.is_busy))
        if self._profile is None:
            self.button.setToolTip("")
        elif not self._looked:
            self.button.setToolTip("Looking for the AWS CLI…")
        else:
            self.button.setToolTip(self.hint(self._profile))

    @Slot(object)
    def _on_found(self, cli: object) -> None:
        self._finding = None
        self._looked = True
        self._cli = cli if isinstance(cli, AwsCli) else None
        self._update()

    @Slot()
    def _on_button_clicked(self) -> None:
        cli, profile = self._cli, self._profile
        if cli is None or profile is None or self._running is not None:
            return

        def task(progress: Progress) -> str:
            run_aws_login(cli, profile, cancel=progress.token.event)
            return profile

        worker = Worker(task, name=f"aws login {profile}")
        worker.signals.finished.connect(self._on_run_finished)
        worker.signals.failed.connect(self._on_run_failed)
        worker.signals.cancelled.connect(lambda: self._on_run_failed("`aws login` cancelled."))
        self._running = worker
        self._update()
        self.busy_changed.emit(True)
        self.ctx.submit(worker)

    def _done(self) -> None:
        self._running = None
        self._update()
        self.busy_changed.emit(False)

    @Slot(object)
    def _on_run_finished(self, profile: object) -> None:
        self._done()
        self.logged_in.emit(str(profile))

    @Slot(object)
    def _on_run_failed(self, error: object) -> None:
        self._done()
        self.failed.emit(str(error) if isinstance(error, SignInError | str) else repr(error))
