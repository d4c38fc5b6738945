"""Sign in: pick a profile (with its kind), log in with IAM Identity Center, or connect
to it a first time ("Connect with IAM Identity Center…", the empty state's main action).

Every AWS call runs in a worker: `whoami` for a profile, the SSO device flow (the
code is handed to the GUI while the worker keeps polling), the account and role
lists, `aws login` for console-login profiles; one at a time (`TaskSlot`). The GUI
thread only shows values and writes the chosen SSO profile. No button is enabled that
cannot act. The IAM Identity Center steps are `app/ui/sso_sign_in.py`'s.
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

from app.aws.identity import Identity, whoami
from app.aws.login_errors import SignInError, SignInRequired
from app.aws.profiles import Profile, ProfileKind, list_profiles, load_config
from app.aws.setup_hints import CONNECT_BUTTON, first_profile_in_app
from app.ui.aws_login_action import AwsLoginAction, login_profile
from app.ui.connect_dialog import ConnectDialog
from app.ui.context import AppContext, SignedIn
from app.ui.page_title import page_title
from app.ui.profile_table import NoProfiles, ProfileTable
from app.ui.sso_sign_in import SsoSignIn, TaskSlot
from app.ui.workers import Progress, Worker


class SignInPanel(QWidget):
    signed_in = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profiles: list[Profile] = []
        self.tasks = TaskSlot(ctx, self)
        self.tasks.changed.connect(self._update_buttons)
        self.sso = SsoSignIn(ctx, self.tasks, self)
        self.sso.logged_in.connect(self._on_sso_logged_in)
        self.sso.profile_saved.connect(self._on_sso_profile_saved)
        self.sso.message.connect(self.show_message)
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

        self.device = self.sso.device
        layout.addWidget(self.device)
        self.picker = self.sso.picker
        layout.addWidget(self.picker)

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
        return self.tasks.busy

    # -- signing in with a profile ------------------------------------------------------
    @Slot()
    def sign_in_selected(self) -> None:
        profile = self.selected_profile()
        if profile is None or self.tasks.busy:
            return
        if profile.problem:
            self.show_message(f"Profile “{profile.name}” cannot be used: {profile.problem}")
            return
        if profile.kind is ProfileKind.SSO and not (
            profile.sso_account_id and profile.sso_role_name
        ):
            self.sso.start(profile.name)
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
        self.tasks.start(worker)

    @Slot()
    def _update_buttons(self) -> None:
        """Enabled only when it can act; with no profile, connecting is the main action."""
        idle = not self.tasks.busy and not self.aws_login.is_busy
        profile = self.selected_profile()
        self.sign_in_button.setEnabled(idle and profile is not None)
        self.connect_button.setEnabled(idle)
        self.no_profiles.connect_button.setEnabled(idle)
        self.refresh_button.setEnabled(idle)
        self.sign_in_button.setDefault(bool(self.profiles))
        self.no_profiles.connect_button.setDefault(not self.profiles)
        self.aws_login.follow(profile, idle=idle)

    def _on_whoami_finished(self, profile: Profile, identity: Any) -> None:
        self.tasks.idle()
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
        self.tasks.idle()
        root_sso = profile.kind is ProfileKind.SSO or profile.root_kind is ProfileKind.SSO
        if isinstance(error, SignInRequired) and root_sso:
            # The SSO token is missing or expired: log in again right here.
            self.show_message(f"{error}\nStarting IAM Identity Center sign-in…")
            self.sso.start(profile.root)
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
        self.tasks.idle()
        self.device.hide()
        self.show_message("Sign-in cancelled.")

    @Slot()
    def cancel(self) -> None:
        self.tasks.cancel()

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
        if self.tasks.busy:
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

    # -- IAM Identity Center (app/ui/sso_sign_in.py) ------------------------------------
    @Slot(str)
    def _on_sso_logged_in(self, profile_name: str) -> None:
        self.refresh()
        profile = next((p for p in self.profiles if p.name == profile_name), None)
        if profile is not None and profile.sso_account_id and profile.sso_role_name:
            self.select_profile(profile.name)
            self.whoami(profile)
            return
        self.show_message("Signed in to IAM Identity Center. Choose the account and role.")
        self.sso.choose_account(frozenset(p.name for p in self.profiles))

    @Slot(str)
    def _on_sso_profile_saved(self, profile_name: str) -> None:
        self.refresh()
        if self.select_profile(profile_name):
            profile = self.selected_profile()
            if profile is not None:
                self.whoami(profile)
