"""Sign in: pick a profile (with its kind), log in with IAM Identity Center, or connect
to it a first time ("Connect with IAM Identity Center…", the empty state's main action).

Every AWS call runs in a worker: `whoami` for a profile, the SSO device flow (the
code is handed to the GUI while the worker keeps polling), the account and role
lists, `aws login` for console-login profiles. The GUI thread only shows values and
writes the chosen SSO profile. No button is enabled that cannot act.
"""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.aws import sso
from app.aws.identity import Identity, whoami
from app.aws.login_errors import SignInError, SignInRequired
from app.aws.profiles import Profile, ProfileKind, list_profiles, load_config
from app.aws.setup_hints import CONNECT_BUTTON, first_profile_in_app
from app.aws.sso_cache import SsoTarget, SsoToken
from app.aws.sso_config import save_sso_profile
from app.ui.aws_login_action import AwsLoginAction, login_profile
from app.ui.connect_dialog import ConnectDialog
from app.ui.context import AppContext, SignedIn
from app.ui.page_title import page_title
from app.ui.profile_table import NoProfiles, ProfileTable
from app.ui.sso_widgets import AccountRolePicker, DeviceCodeBox
from app.ui.workers import Progress, Worker


class SignInPanel(QWidget):
    signed_in = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profiles: list[Profile] = []
        self._busy: Worker | None = None
        self._sso: tuple[SsoTarget, SsoToken] | None = None
        self.setAccessibleName("Sign in")
        layout = QVBoxLayout(self)
        title = page_title("Sign in to AWS")
        layout.addWidget(title)
        intro = QLabel(
            "Pick the profile to audit with. The checks only read: they never change anything "
            "in the account. IAM Identity Center profiles open your browser to sign in."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = QLabel()
        self.message.setAccessibleName("Sign-in message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.table = ProfileTable()
        self.table.itemSelectionChanged.connect(self._update_buttons)
        # Enter or a double-click (the platform's "activate") acts on the row.
        self.table.activated.connect(lambda _index: self.sign_in_selected())
        self.no_profiles = NoProfiles(CONNECT_BUTTON.replace("Connect", "&Connect", 1))
        self.lists = QStackedWidget()
        self.lists.addWidget(self.table)
        self.lists.addWidget(self.no_profiles)
        layout.addWidget(self.lists, 1)

        row = QHBoxLayout()
        self.sign_in_button = QPushButton("&Sign in with this profile")
        self.sign_in_button.setAccessibleName("Sign in with the selected profile")
        self.connect_button = QPushButton(CONNECT_BUTTON.replace("Connect", "&Connect", 1))
        self.connect_button.setAccessibleName("Connect with IAM Identity Center")
        self.connect_button.setToolTip(
            "A first connection: your AWS access portal URL and region, a browser sign-in, "
            "then the account and role, saved as a profile the AWS CLI shares too."
        )
        self.aws_login = AwsLoginAction(ctx, self)
        self.refresh_button = QPushButton("&Reload profiles")
        self.refresh_button.setAccessibleName("Reload AWS profiles")
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setAccessibleName("Sign out")
        for button in (self.sign_in_button, self.aws_login.button, self.connect_button):
            row.addWidget(button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.sign_out_button)
        layout.addLayout(row)
        self.sign_in_button.clicked.connect(self.sign_in_selected)
        self.connect_button.clicked.connect(self.open_connect_dialog)
        self.no_profiles.connect_button.clicked.connect(self.open_connect_dialog)
        self.refresh_button.clicked.connect(self.refresh)
        self.sign_out_button.clicked.connect(self._on_sign_out_clicked)
        self.aws_login.logged_in.connect(self._on_aws_login_logged_in)
        self.aws_login.failed.connect(self.show_message)
        self.aws_login.busy_changed.connect(lambda _busy: self._update_buttons())
        self.connect_dialog: ConnectDialog | None = None

        self.device = DeviceCodeBox()
        self.device.cancel_requested.connect(self.cancel)
        self.device.open_browser_requested.connect(self._on_device_open_browser_requested)
        layout.addWidget(self.device)
        self.picker = AccountRolePicker()
        self.picker.account_changed.connect(self._on_picker_account_changed)
        self.picker.chosen.connect(self._on_picker_chosen)
        layout.addWidget(self.picker)
        self._code: sso.DeviceCode | None = None

        ctx.signed_in_changed.connect(self._on_ctx_signed_in_changed)
        self.refresh()
        self._on_ctx_signed_in_changed(ctx.signed_in)

    # -- the list -----------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        try:
            config = load_config()
            self.profiles, config_file = list_profiles(config), config.config_file
        except SignInError as exc:
            self.profiles, config_file = [], ""
            self.show_message(str(exc))
        self.table.show_profiles(self.profiles)
        empty = not self.profiles and bool(config_file)
        if empty:
            self.no_profiles.text.setText(first_profile_in_app(config_file))
        self.lists.setCurrentWidget(self.no_profiles if empty else self.table)
        self.connect_button.setVisible(not empty)  # the empty state has its own, larger
        last = self.ctx.settings.last_profile()
        names = [p.name for p in self.profiles]
        if names:
            self.table.selectRow(names.index(last) if last in names else 0)
        self._update_buttons()

    def selected_profile(self) -> Profile | None:
        row = self.table.selected_row()
        return self.profiles[row] if row is not None and row < len(self.profiles) else None

    def select_profile(self, name: str) -> bool:
        for row, profile in enumerate(self.profiles):
            if profile.name == name:
                self.table.selectRow(row)
                return True
        return False

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @property
    def is_busy(self) -> bool:
        return self._busy is not None

    # -- signing in with a profile ------------------------------------------------------
    @Slot()
    def sign_in_selected(self) -> None:
        profile = self.selected_profile()
        if profile is None or self._busy is not None:
            return
        if profile.problem:
            self.show_message(f"Profile “{profile.name}” cannot be used: {profile.problem}")
            return
        if profile.kind is ProfileKind.SSO and not (
            profile.sso_account_id and profile.sso_role_name
        ):
            self.start_sso_login(profile.name)
            return
        self.whoami(profile)

    def whoami(self, profile: Profile) -> None:
        factory = self.ctx.session_factory
        if factory is None:
            self.show_message("Signing in is not available in this build.")
            return
        name = profile.name

        def task(_progress: Progress) -> Identity:
            return whoami(factory(name), name)

        self.show_message(f"Signing in with “{name}”…")
        worker = Worker(task, name=f"whoami {name}")
        worker.signals.finished.connect(functools.partial(self._on_whoami_finished, profile))
        worker.signals.failed.connect(functools.partial(self._on_whoami_failed, profile))
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self._start(worker)

    def _start(self, worker: Worker) -> None:
        self._busy = worker
        self._update_buttons()
        self.ctx.submit(worker)

    def _idle(self) -> None:
        self._busy = None
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        """Enabled only when it can act; with no profile, connecting is the main action."""
        idle = self._busy is None and not self.aws_login.is_busy
        profile = self.selected_profile()
        self.sign_in_button.setEnabled(idle and profile is not None)
        self.connect_button.setEnabled(idle)
        self.no_profiles.connect_button.setEnabled(idle)
        self.refresh_button.setEnabled(idle)
        self.sign_in_button.setDefault(bool(self.profiles))
        self.no_profiles.connect_button.setDefault(not self.profiles)
        self.aws_login.follow(profile, idle=idle)

    def _on_whoami_finished(self, profile: Profile, identity: Any) -> None:
        self._idle()
        factory = self.ctx.session_factory
        if not isinstance(identity, Identity) or factory is None:
            return
        self.show_message("")
        self.ctx.settings.set_last_profile(profile.name)
        self.ctx.set_signed_in(
            SignedIn(
                account_id=identity.account_id,
                arn=identity.arn,
                profile=profile.name,
                region=profile.region or "",
                kind=profile.kind.value,
                make_session=functools.partial(factory, profile.name),
            )
        )
        self.ctx.say(f"Signed in as {identity.arn}")
        self.signed_in.emit()

    def _on_whoami_failed(self, profile: Profile, error: object) -> None:
        self._idle()
        root_sso = profile.kind is ProfileKind.SSO or profile.root_kind is ProfileKind.SSO
        if isinstance(error, SignInRequired) and root_sso:
            # The SSO token is missing or expired: log in again right here.
            self.show_message(f"{error}\nStarting IAM Identity Center sign-in…")
            self.start_sso_login(profile.root)
            return
        login = login_profile(profile)
        if isinstance(error, SignInRequired) and login is not None:
            self.show_message(f"{error} {self.aws_login.hint(login)}")
            return
        if isinstance(error, SignInError):
            self.show_message(str(error))
        else:
            self.show_message(f"Could not sign in: {type(error).__name__}: {error}")

    @Slot()
    def _on_worker_cancelled(self) -> None:
        self._idle()
        self.device.hide()
        self.show_message("Sign-in cancelled.")

    @Slot()
    def cancel(self) -> None:
        if self._busy is not None:
            self._busy.cancel()

    def show_expired(self, reason: str) -> None:
        """A session that expired mid-task: the reason, and which button here renews it."""
        who = self.ctx.signed_in
        profile = next((p for p in self.profiles if who and p.name == who.profile), None)
        button = ""
        if profile is not None:
            self.select_profile(profile.name)
            login = login_profile(profile)
            if login is not None:
                button = " " + self.aws_login.hint(login)
            else:
                button = f" Or press “Sign in with this profile” here for “{profile.name}”."
        self.show_message(reason + button)

    # -- a first connection -------------------------------------------------------------
    @Slot()
    def open_connect_dialog(self) -> None:
        if self._busy is not None:
            return
        dialog = ConnectDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connected.connect(self._on_connect_dialog_connected)
        dialog.finished.connect(lambda _result: setattr(self, "connect_dialog", None))
        self.connect_dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_connect_dialog_connected(self, profile_name: str) -> None:
        saved = self.connect_dialog.saved_profile if self.connect_dialog else None
        backup = f" (backup: {saved.backup_file.name})" if saved and saved.backup_file else ""
        self.ctx.say(f"Saved profile “{profile_name}” in ~/.aws/config{backup}")
        self.refresh()
        profile = next((p for p in self.profiles if p.name == profile_name), None)
        if profile is not None and self.select_profile(profile_name):
            self.whoami(profile)

    @Slot(str)
    def _on_aws_login_logged_in(self, profile_name: str) -> None:
        # The profile chosen (maybe a role chained on the login profile) signs in now.
        self.refresh()
        selected = self.selected_profile()
        if selected is not None and login_profile(selected) == profile_name:
            self.whoami(selected)

    @Slot()
    def _on_sign_out_clicked(self) -> None:
        self.ctx.set_signed_in(None)
        self.show_message("Signed out. Live checks need a sign-in; everything else works.")

    @Slot(object)
    def _on_ctx_signed_in_changed(self, who: object) -> None:
        self.sign_out_button.setEnabled(isinstance(who, SignedIn))

    # -- IAM Identity Center ------------------------------------------------------------
    def start_sso_login(self, profile_name: str) -> None:
        try:
            target = sso.target_for_profile(profile_name)
        except SignInError as exc:
            self.show_message(str(exc))
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
        self._start(worker)

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
        self._idle()
        self.device.hide()
        target, token = value
        self._sso = (target, token)
        self.refresh()
        profile = next((p for p in self.profiles if p.name == profile_name), None)
        if profile is not None and profile.sso_account_id and profile.sso_role_name:
            self.select_profile(profile.name)
            self.whoami(profile)
            return
        self.show_message("Signed in to IAM Identity Center. Choose the account and role.")
        self._list(lambda: sso.list_accounts(token, target), self._on_accounts_listed)

    def _on_sso_failed(self, error: object) -> None:
        self._idle()
        self.device.hide()
        self.show_message(
            str(error) if isinstance(error, SignInError) else f"Sign-in failed: {error}"
        )

    def _list(self, fetch: Any, done: Any) -> None:
        worker = Worker(lambda _p: fetch(), name="sso list")
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(self._on_sso_failed)
        self._start(worker)

    @Slot(object)
    def _on_accounts_listed(self, accounts: Any) -> None:
        self._idle()
        if self._sso is None:
            return
        if not accounts:
            self.show_message("This IAM Identity Center user has no AWS account assigned.")
            return
        self.picker.show_accounts(list(accounts), frozenset(p.name for p in self.profiles))

    @Slot(str)
    def _on_picker_account_changed(self, account_id: str) -> None:
        if self._sso is None or self._busy is not None:
            return
        target, token = self._sso
        self._list(lambda: sso.list_account_roles(token, target, account_id), self._on_roles_listed)

    @Slot(object)
    def _on_roles_listed(self, roles: Any) -> None:
        self._idle()
        self.picker.show_roles(list(roles))

    @Slot(str, str, str)
    def _on_picker_chosen(self, account_id: str, role: str, profile_name: str) -> None:
        if self._sso is None:
            return
        target = self._sso[0]
        try:
            saved = save_sso_profile(profile_name, target, account_id, role)
        except SignInError as exc:
            self.show_message(str(exc))
            return
        self.picker.hide()
        self.ctx.say(f"Saved profile “{saved.name}” in {saved.config_file}")
        self.refresh()
        if self.select_profile(saved.name):
            profile = self.selected_profile()
            if profile is not None:
                self.whoami(profile)
