"""Sign in: pick a profile (with its kind), or log in with IAM Identity Center.

Every AWS call runs in a worker: `whoami` for a profile, the SSO device flow (the
code is handed to the GUI while the worker keeps polling), the account and role
lists. The GUI thread only shows values and writes the chosen SSO profile.
"""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.aws import sso
from app.aws.identity import Identity, whoami
from app.aws.login_errors import SignInError, SignInRequired
from app.aws.profiles import Profile, ProfileKind, list_profiles
from app.aws.setup_hints import first_profile_in_app
from app.aws.sso_cache import SsoTarget, SsoToken
from app.aws.sso_config import save_sso_profile
from app.ui.context import AppContext, SignedIn
from app.ui.page_title import page_title
from app.ui.sso_widgets import AccountRolePicker, DeviceCodeBox
from app.ui.workers import Progress, Worker

KIND_WORDS = {
    ProfileKind.SSO: "IAM Identity Center (SSO)",
    ProfileKind.LOGIN: "aws login (console)",
    ProfileKind.ASSUME_ROLE: "Assume role",
    ProfileKind.WEB_IDENTITY: "Web identity",
    ProfileKind.STATIC_KEYS: "Access keys (long-term)",
    ProfileKind.TEMPORARY_KEYS: "Temporary keys",
    ProfileKind.PROCESS: "credential_process",
    ProfileKind.NONE: "Environment / default chain",
}
_COLUMNS = ("Profile", "Kind", "Region", "Notes")


def _how(profile: Profile) -> str:
    """A short "what this signs in as" for profiles without a problem or a flag."""
    if profile.kind is ProfileKind.ASSUME_ROLE and profile.role_arn:
        via = " → ".join(profile.chain[1:]) or profile.credential_source or ""
        return f"{profile.role_arn}" + (f" via {via}" if via else "")
    if profile.kind is ProfileKind.SSO and profile.sso_account_id:
        return f"{profile.sso_role_name} in {profile.sso_account_id} ({profile.sso_start_url})"
    if profile.kind is ProfileKind.LOGIN:
        return "renewed with `aws login`"
    return ""


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

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setAccessibleName("AWS profiles")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # Enter or a double-click (the platform's "activate") acts on the row.
        self.table.activated.connect(lambda _index: self.sign_in_selected())
        layout.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.sign_in_button = QPushButton("&Sign in with this profile")
        self.sign_in_button.setAccessibleName("Sign in with the selected profile")
        self.sign_in_button.setDefault(True)
        self.refresh_button = QPushButton("&Reload profiles")
        self.refresh_button.setAccessibleName("Reload AWS profiles")
        self.sign_out_button = QPushButton("Sign &out")
        self.sign_out_button.setAccessibleName("Sign out")
        row.addWidget(self.sign_in_button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.sign_out_button)
        layout.addLayout(row)
        self.sign_in_button.clicked.connect(self.sign_in_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.sign_out_button.clicked.connect(self._on_sign_out_clicked)

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
            self.profiles = list_profiles()
        except SignInError as exc:
            self.profiles = []
            self.show_message(str(exc))
        self.table.setRowCount(len(self.profiles))
        for row, profile in enumerate(self.profiles):
            notes = profile.problem or "; ".join(profile.flags) or _how(profile)
            values = (
                profile.name,
                KIND_WORDS.get(profile.kind, profile.kind.value),
                profile.region or "",
                notes,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        if not self.profiles:
            self.show_message(
                "No AWS profiles found in ~/.aws/config or ~/.aws/credentials. "
                + first_profile_in_app("~/.aws/config")
            )
        last = self.ctx.settings.last_profile()
        names = [p.name for p in self.profiles]
        if names:
            self.table.selectRow(names.index(last) if last in names else 0)

    def selected_profile(self) -> Profile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.profiles[rows[0].row()] if rows else None

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
        self.sign_in_button.setEnabled(False)
        self.ctx.submit(worker)

    def _idle(self) -> None:
        self._busy = None
        self.sign_in_button.setEnabled(True)

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
        self.picker.show_accounts(list(accounts), self._sso[0].session_name or "")

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
