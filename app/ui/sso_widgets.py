"""IAM Identity Center sign-in widgets: the device code (large), and account / role pickers."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.aws.login_errors import ProfileConfigError
from app.aws.sso import DeviceCode, SsoAccount, SsoRole
from app.aws.sso_config import check_profile_name
from app.aws.sso_connect import suggest_profile_name


class DeviceCodeBox(QGroupBox):
    """Shows the code to confirm, the page to confirm it on, a busy bar and Cancel."""

    cancel_requested = Signal()
    open_browser_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sign in with IAM Identity Center", parent)
        self.setAccessibleName("IAM Identity Center sign-in")
        layout = QVBoxLayout(self)
        self.intro = QLabel("Starting the sign-in…")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.code_label = QLabel("")
        self.code_label.setAccessibleName("Device code")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 3.2)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 115)
        self.code_label.setFont(font)
        self.code_label.setMinimumHeight(self.code_label.fontMetrics().height() + 8)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label)
        self.url_label = QLabel("")
        self.url_label.setAccessibleName("Verification page")
        self.url_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_label.setWordWrap(True)
        layout.addWidget(self.url_label)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Waiting for approval")
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        row.addWidget(self.bar, 1)
        self.copy_button = QPushButton("Cop&y code")
        self.copy_button.setAccessibleName("Copy device code")
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.code_label.text())
        )
        self.browser_button = QPushButton("Open &browser again")
        self.browser_button.setAccessibleName("Open the verification page in the browser")
        self.browser_button.clicked.connect(self.open_browser_requested)
        self.cancel_button = QPushButton("&Cancel sign-in")
        self.cancel_button.setAccessibleName("Cancel sign-in")
        self.cancel_button.clicked.connect(self.cancel_requested)
        for button in (self.copy_button, self.browser_button, self.cancel_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.hide()

    def starting(self, profile: str = "", *, text: str = "") -> None:
        self.intro.setText(text or f"Contacting IAM Identity Center for profile “{profile}”…")
        self.code_label.setText("")
        self.code_label.show()
        self.url_label.setText("")
        self.url_label.setToolTip("")
        self.copy_button.setEnabled(False)
        self.copy_button.show()
        self.browser_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.show()

    def show_browser(self, url: str) -> None:
        """The browser flow: no code to compare, only the page to approve on."""
        self.intro.setText(
            "Your browser opens the AWS sign-in page. Sign in there and allow the request; "
            "this window goes on by itself. No browser window? Press “Open browser again”."
        )
        self.code_label.setText("")
        self.code_label.hide()
        self.copy_button.hide()
        host = urlsplit(url).netloc
        self.url_label.setText(f"Waiting for the approval at {host}…")
        self.url_label.setToolTip(url)
        self.browser_button.setEnabled(True)

    def show_code(self, code: DeviceCode) -> None:
        self.intro.setText(
            "Your browser opens the sign-in page. Check that it shows this code, then approve:"
        )
        self.code_label.show()
        self.copy_button.show()
        self.code_label.setText(code.user_code)
        self.url_label.setText(code.verification_uri)
        expires = code.expires_at.strftime("%H:%M UTC")
        self.url_label.setToolTip(f"The code expires at {expires}.")
        self.copy_button.setEnabled(True)
        self.browser_button.setEnabled(True)


class AccountRolePicker(QGroupBox):
    """After SSO: pick the account and role to audit; saved as a profile for next time.

    The profile name is suggested from the role and account (as `aws configure sso`
    does) and checked as it is typed: "Use" is enabled only for a name that is free
    and can be written.
    """

    account_changed = Signal(str)
    chosen = Signal(str, str, str)  # account id, role name, profile name
    ready_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Choose the account and role to audit", parent)
        self.setAccessibleName("Account and role")
        form = QFormLayout(self)
        self.accounts = QComboBox()
        self.accounts.setAccessibleName("AWS account")
        self.roles = QComboBox()
        self.roles.setAccessibleName("Role")
        self.profile_name = QLineEdit()
        self.profile_name.setAccessibleName("Save as profile")
        self.name_problem = QLabel("")
        self.name_problem.setAccessibleName("Profile name problem")
        self.name_problem.setWordWrap(True)
        self.name_problem.hide()
        self.use_button = QPushButton("&Use this account and role")
        self.use_button.setAccessibleName("Use this account and role")
        form.addRow("&Account:", self.accounts)
        form.addRow("&Role:", self.roles)
        form.addRow("Save as &profile:", self.profile_name)
        form.addRow("", self.name_problem)
        form.addRow(self.use_button)
        for label_field in (self.accounts, self.roles, self.profile_name):
            label = form.labelForField(label_field)
            if isinstance(label, QLabel):
                label.setBuddy(label_field)
        self.accounts.currentIndexChanged.connect(self._on_accounts_current_index_changed)
        self.roles.currentIndexChanged.connect(lambda _i: self._suggest_name())
        self.profile_name.textChanged.connect(lambda _text: self._check())
        self.use_button.clicked.connect(self._on_use_button_clicked)
        self._taken: frozenset[str] = frozenset()
        self._ready = False
        self._check()
        self.hide()

    def show_accounts(self, accounts: list[SsoAccount], taken: frozenset[str]) -> None:
        self._taken = taken
        self.accounts.blockSignals(True)
        self.accounts.clear()
        for account in accounts:
            text = f"{account.name} ({account.account_id})" if account.name else account.account_id
            self.accounts.addItem(text, account.account_id)
        self.accounts.blockSignals(False)
        self.roles.clear()
        self.profile_name.clear()
        self.show()
        if accounts:
            self.accounts.setCurrentIndex(0)
            self._on_accounts_current_index_changed(0)

    def show_roles(self, roles: list[SsoRole]) -> None:
        self.roles.clear()
        for role in roles:
            self.roles.addItem(role.role_name, role.role_name)
        self._suggest_name()
        self._check()

    def choice(self) -> tuple[str, str, str] | None:
        """(account id, role name, profile name) when all three can be used."""
        account = str(self.accounts.currentData() or "")
        role = str(self.roles.currentData() or "")
        name = self.profile_name.text().strip()
        return (account, role, name) if self._ready else None

    def _on_accounts_current_index_changed(self, _index: int) -> None:
        account = self.accounts.currentData()
        self.roles.clear()
        self._check()
        if account:
            self.account_changed.emit(str(account))

    def _suggest_name(self) -> None:
        account = str(self.accounts.currentData() or "")
        role = str(self.roles.currentData() or "")
        if account and role:
            self.profile_name.setText(suggest_profile_name(account, role, self._taken))

    def _check(self) -> None:
        name = self.profile_name.text().strip()
        problem = ""
        if name in self._taken:
            problem = f"A profile named “{name}” already exists; choose another name."
        elif name:
            try:
                check_profile_name(name)
            except ProfileConfigError as exc:
                problem = exc.problem[:1].upper() + exc.problem[1:] + "."
        self.name_problem.setText(problem)
        self.name_problem.setVisible(bool(problem))
        ready = bool(self.accounts.currentData() and self.roles.currentData() and name)
        ready = ready and not problem
        self.use_button.setEnabled(ready)
        if ready != self._ready:
            self._ready = ready
            self.ready_changed.emit(ready)

    def _on_use_button_clicked(self) -> None:
        choice = self.choice()
        if choice is not None:
            self.chosen.emit(*choice)
