"""Scan member accounts: pick the organization's accounts, the audit role, then scan.

The organization's accounts are listed in a worker (a ListAccounts call must not
freeze the window) as checkable rows; active accounts start checked, suspended or
closing ones unchecked. Scanning goes through the `ScanController`, like "Run all
checks": progress in the task bar, Scan ▸ Cancel stops it, the history shows one scan
per account. The external id is passed to AssumeRole only, never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.aws.identity import ScanUnavailable
from app.aws.organizations import MemberAccount, audit_role_arn
from app.scan.accounts import DEFAULT_ROLE, organization_accounts
from app.ui.context import AppContext
from app.ui.scan_controller import ScanController
from app.ui.workers import Progress, Worker


class MemberAccountsDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        scans: ScanController,
        engagement_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._scans = scans
        self._engagement_id = engagement_id
        self._accounts: list[MemberAccount] = []
        self._worker: Worker | None = None
        self.setWindowTitle("Scan member accounts")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Signed in to the organization's management (or delegated administrator) "
                "account, Audit Binder assumes the audit role in each chosen account and "
                "scans them one after the other into this engagement."
            )
        )
        form = QFormLayout()
        self.role_edit = QLineEdit(DEFAULT_ROLE)
        self.role_edit.setAccessibleName("Audit role name")
        form.addRow("Audit &role:", self.role_edit)
        self.external_id_edit = QLineEdit()
        self.external_id_edit.setPlaceholderText("optional: the role's external id")
        self.external_id_edit.setAccessibleName("External id")
        form.addRow("E&xternal id:", self.external_id_edit)
        layout.addLayout(form)

        self.account_list = QListWidget()
        self.account_list.setAccessibleName("Organization accounts")
        self.account_list.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.account_list, 1)
        picks = QHBoxLayout()
        self.all_button = QPushButton("Select &all")
        self.all_button.clicked.connect(self._on_select_all)
        self.none_button = QPushButton("Select &none")
        self.none_button.clicked.connect(self._on_select_none)
        picks.addWidget(self.all_button)
        picks.addWidget(self.none_button)
        picks.addStretch(1)
        layout.addLayout(picks)
        self.message = QLabel("Listing the organization's accounts…")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.scan_button = self.buttons.addButton(
            "&Scan accounts", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.scan_button.setEnabled(False)
        self.buttons.accepted.connect(self._on_scan)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._list_accounts()

    # -- listing ------------------------------------------------------------------------
    def _list_accounts(self) -> None:
        who = self.ctx.signed_in
        if who is None or who.make_session is None:
            self.message.setText("Sign in first: the accounts are listed as the signed-in user.")
            return
        make_session = who.make_session

        def task(progress: Progress) -> list[MemberAccount]:
            return organization_accounts(make_session())

        worker = Worker(task, name="list organization accounts")
        worker.signals.finished.connect(self._on_listed)
        worker.signals.failed.connect(self._on_list_failed)
        self._worker = worker
        self.ctx.submit(worker)

    @Slot(object)
    def _on_listed(self, accounts: Any) -> None:
        self._worker = None
        self.show_accounts(list(accounts))

    @Slot(object)
    def _on_list_failed(self, error: object) -> None:
        self._worker = None
        if isinstance(error, ScanUnavailable):
            self.message.setText(str(error))
        else:
            self.message.setText(f"Could not list the accounts ({type(error).__name__}: {error}).")

    def show_accounts(self, accounts: Sequence[MemberAccount]) -> None:
        self._accounts = list(accounts)
        self.account_list.blockSignals(True)
        self.account_list.clear()
        for account in self._accounts:
            state = "" if account.active else f" — {account.status.lower()}"
            item = QListWidgetItem(f"{account.name} ({account.account_id}){state}")
            item.setData(Qt.ItemDataRole.UserRole, account.account_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = Qt.CheckState.Checked if account.active else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            self.account_list.addItem(item)
        self.account_list.blockSignals(False)
        if not self._accounts:
            self.message.setText("The organization lists no accounts.")
        self._update_choice()

    # -- choosing -----------------------------------------------------------------------
    def chosen_ids(self) -> list[str]:
        chosen = []
        for row in range(self.account_list.count()):
            item = self.account_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return chosen

    def _check_all(self, state: Qt.CheckState) -> None:
        for row in range(self.account_list.count()):
            self.account_list.item(row).setCheckState(state)

    @Slot()
    def _on_select_all(self) -> None:
        self._check_all(Qt.CheckState.Checked)

    @Slot()
    def _on_select_none(self) -> None:
        self._check_all(Qt.CheckState.Unchecked)

    @Slot(QListWidgetItem)
    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self._update_choice()

    def _update_choice(self) -> None:
        count = len(self.chosen_ids())
        self.scan_button.setEnabled(count > 0)
        self.scan_button.setText(f"&Scan {count} account(s)" if count else "&Scan accounts")
        if self._accounts:
            self.message.setText(f"{count} of {len(self._accounts)} account(s) chosen.")

    @Slot()
    def _on_scan(self) -> None:
        role = self.role_edit.text().strip()
        try:
            audit_role_arn("000000000000", role)
        except ValueError:
            self.message.setText(
                "Give the audit role's name (the same in every account), e.g. "
                f"{DEFAULT_ROLE}; not an ARN."
            )
            return
        chosen = self.chosen_ids()
        if not chosen:
            self.message.setText("Choose at least one account.")
            return
        started = self._scans.run_members(
            self._engagement_id,
            role=role,
            account_ids=chosen,
            external_id=self.external_id_edit.text().strip() or None,
            accounts=self._accounts,
        )
        if started:
            self.accept()
        else:
            self.message.setText("The scan could not start; see the status bar.")

    def reject(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # the listing's answer is no longer wanted
        super().reject()
