"""Connect with IAM Identity Center: a first SSO connection from the app, no AWS CLI needed.

Three steps in one dialog: the AWS access portal URL and region; the sign-in (the
browser flow with a 127.0.0.1 redirect, or the device code shown large when asked
for, or when no local port can be opened); the account, role and profile name. Every
network call runs in a worker; the GUI thread only shows values, and writes the
profile (after a backup of the config file) when the user presses Save. Cancel, at any
step, leaves `~/.aws/config` as it was.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.aws.login_errors import SignInError
from app.aws.sso import DeviceCode, SsoAccount, list_account_roles, list_accounts
from app.aws.sso_cache import SsoToken
from app.aws.sso_config import SavedProfile
from app.aws.sso_connect import (
    BrowserPrompt,
    Connection,
    DeviceFallback,
    prepare_connection,
    save_connection,
    signed_in,
    taken_profile_names,
)
from app.aws.sso_start import (
    COMMON_SSO_REGIONS,
    StartUrlError,
    parse_start_url,
    sso_regions,
    sso_test_endpoint,
)
from app.ui.context import AppContext
from app.ui.sso_widgets import AccountRolePicker, DeviceCodeBox
from app.ui.workers import Progress, Worker

PLACEHOLDER_URL = "https://your-org.awsapps.com/start"


class StartForm(QWidget):
    """The start URL and the region, checked as they are entered."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "Sign in with your organization's IAM Identity Center (AWS SSO). You need its "
            "AWS access portal URL and its region: the IAM Identity Center console's "
            "dashboard shows both, under Settings summary; your administrator knows them too."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.url = QLineEdit()
        self.url.setAccessibleName("AWS access portal URL")
        self.url.setPlaceholderText(PLACEHOLDER_URL)
        self.url.setClearButtonEnabled(True)
        self.region = QComboBox()
        self.region.setAccessibleName("IAM Identity Center region")
        self.region.setPlaceholderText("Choose the region")
        regions = sso_regions()
        common = [r for r in regions if r in COMMON_SSO_REGIONS]
        self.region.addItems(common)
        self.region.insertSeparator(len(common))
        self.region.addItems(regions[len(common) :])
        self.region.setCurrentIndex(-1)
        self.device_code = QCheckBox("Sign in with a code instead (on this or another device)")
        self.device_code.setAccessibleName("Use a device code")
        form.addRow("AWS access portal &URL:", self.url)
        form.addRow("&Region:", self.region)
        form.addRow("", self.device_code)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setAccessibleName("Start URL problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        self.url.textChanged.connect(self._on_url_text_changed)
        self.url.editingFinished.connect(self._on_url_editing_finished)
        self.region.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def url_problem(self) -> str:
        try:
            start = parse_start_url(self.url.text(), test_endpoint=sso_test_endpoint())
        except SignInError as exc:
            return str(exc)
        if start.region_hint and self.region.currentIndex() < 0:
            self.region.setCurrentText(start.region_hint)
        return ""

    @property
    def is_complete(self) -> bool:
        return not self.url_problem() and self.region.currentIndex() >= 0

    def _on_url_text_changed(self, _text: str) -> None:
        if not self.url_problem():
            self.problem.setText("")  # fixed: the complaint goes as soon as it is wrong no more
        self.changed.emit()

    def _on_url_editing_finished(self) -> None:
        # Said once the field is left, not at every keystroke of a URL being typed.
        self.problem.setText(self.url_problem() if self.url.text().strip() else "")


class ConnectDialog(QDialog):
    """From a start URL to a saved profile; `connected(profile name)` when saved."""

    connected = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Connect with IAM Identity Center")
        self.setAccessibleName("Connect with IAM Identity Center")
        # Room for the large code and a two-line message without the dialog jumping.
        self.setMinimumSize(620, 420)
        self._worker: Worker | None = None
        self._connection: Connection | None = None
        self._token: SsoToken | None = None
        self._browser_url = ""
        self.saved_profile: SavedProfile | None = None
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.form = StartForm()
        self.wait = DeviceCodeBox()
        self.wait.setTitle("Signing in")
        self.wait.cancel_button.hide()  # the dialog's own Cancel does it
        self.picker = AccountRolePicker()
        self.picker.use_button.hide()  # the dialog's Save does it
        self.picker.setTitle("Choose the account and role, and name the profile")
        for page in (self.form, self.wait, self.picker):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)
        self.message = QLabel("")
        self.message.setAccessibleName("Connection message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.next_button = QPushButton("&Sign in")
        self.next_button.setDefault(True)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.AcceptRole)
        layout.addWidget(buttons)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        buttons.rejected.connect(self.reject)
        self.form.changed.connect(self._update_next)
        self.wait.open_browser_requested.connect(self._on_wait_open_browser_requested)
        self.picker.account_changed.connect(self._on_picker_account_changed)
        self.picker.ready_changed.connect(lambda _ready: self._update_next())
        self._show_page(self.form)

    # -- steps --------------------------------------------------------------------------
    def _show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.next_button.setText("&Save profile" if page is self.picker else "&Sign in")
        self.next_button.setVisible(page is not self.wait)
        self._update_next()

    @Slot()
    def _update_next(self) -> None:
        page = self.pages.currentWidget()
        if page is self.form:
            ready = self.form.is_complete
        else:
            ready = page is self.picker and self.picker.choice() is not None
        self.next_button.setEnabled(ready and self._worker is None)

    @Slot()
    def _on_next_button_clicked(self) -> None:
        if self.pages.currentWidget() is self.form:
            self._start_sign_in()
        elif self.pages.currentWidget() is self.picker:
            self._save()

    def _start_sign_in(self) -> None:
        try:
            connection = prepare_connection(self.form.url.text(), self.form.region.currentText())
        except (StartUrlError, SignInError) as exc:
            self.message.setText(str(exc))
            return
        self._connection = connection
        use_code = self.form.device_code.isChecked()
        self.message.setText("")
        self.wait.starting(text=f"Contacting {connection.target.start_url}…")
        self._show_page(self.wait)

        def task(progress: Progress) -> tuple[SsoToken, list[SsoAccount]]:
            cancel = progress.token.event
            token, _reused = signed_in(
                connection, progress.item, device_code=use_code, cancel=cancel
            )
            progress.token.raise_if_cancelled()
            return token, list_accounts(token, connection.target)

        worker = Worker(task, name="sso connect")
        worker.signals.item.connect(self._on_worker_item)
        self._run(worker, self._on_signed_in)

    def _run(self, worker: Worker, done: Any) -> None:
        # Idle again before `done` runs: it may start the next worker (the role list).
        worker.signals.finished.connect(self._on_worker_done)
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(self._on_worker_failed)
        worker.signals.cancelled.connect(self._on_worker_cancelled)
        self._worker = worker
        self._update_next()
        self.ctx.submit(worker)

    @Slot(object)
    def _on_worker_item(self, prompt: object) -> None:
        if isinstance(prompt, BrowserPrompt):
            self._browser_url = prompt.url
            self.wait.show_browser(prompt.url)
            self.ctx.prompts.open_url(prompt.url)
        elif isinstance(prompt, DeviceFallback):
            self.message.setText(prompt.reason)
        elif isinstance(prompt, DeviceCode):
            self._browser_url = prompt.verification_uri_complete
            self.wait.show_code(prompt)
            self.ctx.prompts.open_url(prompt.verification_uri_complete)

    @Slot()
    def _on_wait_open_browser_requested(self) -> None:
        if self._browser_url:
            self.ctx.prompts.open_url(self._browser_url)

    @Slot(object)
    def _on_worker_done(self, _value: object) -> None:
        self._worker = None
        self._update_next()

    @Slot(object)
    def _on_signed_in(self, value: Any) -> None:
        token, accounts = value
        self._token = token
        self.picker.show_accounts(list(accounts), taken_profile_names())
        self._show_page(self.picker)
        if not accounts:
            self.message.setText(
                "This IAM Identity Center user has no AWS account assigned. Ask your "
                "administrator to assign one (with a permission set), then connect again."
            )
        else:
            self.message.setText(f"Signed in to {self._target_url()}.")

    @Slot(str)
    def _on_picker_account_changed(self, account_id: str) -> None:
        connection, token = self._connection, self._token
        if connection is None or token is None or self._worker is not None:
            return
        worker = Worker(
            lambda _p: list_account_roles(token, connection.target, account_id), name="sso roles"
        )
        self._run(worker, self._on_roles_listed)

    @Slot(object)
    def _on_roles_listed(self, roles: Any) -> None:
        self.picker.show_roles(list(roles))
        if not roles:
            self.message.setText("You have no role in this account; choose another account.")

    def _save(self) -> None:
        choice = self.picker.choice()
        if self._connection is None or choice is None:
            return
        account_id, role_name, name = choice
        try:
            saved = save_connection(self._connection, account_id, role_name, name)
        except SignInError as exc:
            self.message.setText(str(exc))
            return
        self.saved_profile = saved
        self.connected.emit(saved.name)
        self.accept()

    def _target_url(self) -> str:
        return self._connection.target.start_url if self._connection else ""

    # -- trouble and cancel -------------------------------------------------------------
    @Slot(object)
    def _on_worker_failed(self, error: object) -> None:
        self._worker = None
        text = str(error) if isinstance(error, SignInError) else f"Sign-in failed: {error!r}"
        self.message.setText(text)
        if self.pages.currentWidget() is self.wait:
            self._show_page(self.form)
        self._update_next()

    @Slot()
    def _on_worker_cancelled(self) -> None:
        self._worker = None

    def reject(self) -> None:
        """Cancel at any step: stop the running worker; nothing has been written."""
        if self._worker is not None:
            self._worker.cancel()
        super().reject()
