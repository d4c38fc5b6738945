"""IAM Identity Center sign-in on the Sign-in screen: the device code, shown large while
a worker polls for the browser's approval, then the account and role, saved as a profile.

`SsoSignIn` owns the two widgets (`device`, `picker`; the panel lays them out) and runs
each AWS call in a worker through the screen's one task at a time (`TaskSlot`), so the
panel's buttons follow it and Cancel stops it. What the panel does next it hears:
`logged_in(profile)` (sign in with it, or `choose_account`), `profile_saved(name)`,
`message(text)`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.aws import sso
from app.aws.login_errors import SignInError
from app.aws.sso_cache import SsoTarget, SsoToken
from app.aws.sso_config import save_sso_profile
from app.ui.context import AppContext
from app.ui.sso_widgets import AccountRolePicker, DeviceCodeBox
from app.ui.workers import Progress, Worker


class TaskSlot(QObject):
    """The Sign-in screen's one AWS task at a time (`changed` when it starts or ends)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._worker: Worker | None = None

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self, worker: Worker) -> None:
        self._worker = worker
        self.changed.emit()
        self._ctx.submit(worker)

    def idle(self) -> None:
        self._worker = None
        self.changed.emit()

    @Slot()
    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()


class SsoSignIn(QObject):
    logged_in = Signal(str)  # the profile whose IAM Identity Center sign-in finished
    profile_saved = Signal(str)  # a profile saved from the account and role chosen
    message = Signal(str)

    def __init__(self, ctx: AppContext, tasks: TaskSlot, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tasks = tasks
        self.device = DeviceCodeBox()
        self.device.cancel_requested.connect(tasks.cancel)
        self.device.open_browser_requested.connect(self._on_device_open_browser_requested)
        self.picker = AccountRolePicker()
        self.picker.account_changed.connect(self._on_picker_account_changed)
        self.picker.chosen.connect(self._on_picker_chosen)
        self._code: sso.DeviceCode | None = None
        self._sso: tuple[SsoTarget, SsoToken] | None = None
        self._taken: frozenset[str] = frozenset()

    def start(self, profile_name: str) -> None:
        """Sign in to IAM Identity Center for `profile_name`'s SSO session (a browser)."""
        try:
            target = sso.target_for_profile(profile_name)
        except SignInError as exc:
            self.message.emit(str(exc))
            return
        self.picker.hide()
        self.device.starting(profile_name)

        def task(progress: Progress) -> tuple[SsoTarget, SsoToken]:
            token = sso.device_login(target, progress.item, cancel=progress.token.event)
            return target, token

        worker = Worker(task, name=f"sso login {profile_name}")
        worker.signals.item.connect(self._on_device_code)
        worker.signals.finished.connect(functools.partial(self._on_sso_finished, profile_name))
        worker.signals.failed.connect(self._on_sso_failed)
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self.tasks.start(worker)

    def choose_account(self, taken: frozenset[str]) -> None:
        """List the signed-in user's accounts, then their roles; `taken`: profile names
        already in use (the picker refuses them)."""
        if self._sso is None:
            return
        target, token = self._sso
        self._taken = taken
        self._list(lambda: sso.list_accounts(token, target), self._on_accounts_listed)

    @Slot(object)
    def _on_device_code(self, code: object) -> None:
        if isinstance(code, sso.DeviceCode):
            self._code = code
            self.device.show_code(code)
            self.ctx.prompts.open_url(code.verification_uri_complete)

    @Slot()
    def _on_device_open_browser_requested(self) -> None:
        if self._code is not None:
            self.ctx.prompts.open_url(self._code.verification_uri_complete)

    def _on_sso_finished(self, profile_name: str, value: Any) -> None:
        self.tasks.idle()
        self.device.hide()
        target, token = value
        self._sso = (target, token)
        self.logged_in.emit(profile_name)

    def _on_sso_failed(self, error: object) -> None:
        self.tasks.idle()
        self.device.hide()
        self.message.emit(
            str(error) if isinstance(error, SignInError) else f"Sign-in failed: {error}"
        )

    @Slot()
    def _on_worker_cancelled(self) -> None:
        self.tasks.idle()
        self.device.hide()
        self.message.emit("Sign-in cancelled.")

    def _list(self, fetch: Callable[[], Any], done: Callable[[Any], None]) -> None:
        worker = Worker(lambda _p: fetch(), name="sso list")
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(self._on_sso_failed)
        self.tasks.start(worker)

    @Slot(object)
    def _on_accounts_listed(self, accounts: Any) -> None:
        self.tasks.idle()
        if self._sso is None:
            return
        if not accounts:
            self.message.emit("This IAM Identity Center user has no AWS account assigned.")
            return
        self.picker.show_accounts(list(accounts), self._taken)

    @Slot(str)
    def _on_picker_account_changed(self, account_id: str) -> None:
        if self._sso is None or self.tasks.busy:
            return
        target, token = self._sso
        self._list(lambda: sso.list_account_roles(token, target, account_id), self._on_roles_listed)

    @Slot(object)
    def _on_roles_listed(self, roles: Any) -> None:
        self.tasks.idle()
        self.picker.show_roles(list(roles))

    @Slot(str, str, str)
    def _on_picker_chosen(self, account_id: str, role: str, profile_name: str) -> None:
        if self._sso is None:
            return
        try:
            saved = save_sso_profile(profile_name, self._sso[0], account_id, role)
        except SignInError as exc:
            self.message.emit(str(exc))
            return
        self.picker.hide()
        self.ctx.say(f"Saved profile “{saved.name}” in {saved.config_file}")
        self.profile_saved.emit(saved.name)
