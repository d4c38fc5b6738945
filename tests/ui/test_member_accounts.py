"""Scan ▸ Scan member accounts…: list the organization, pick accounts, scan each one."""

from __future__ import annotations

import functools
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.aws.organizations import MemberAccount
from app.store.models import Account, Scan
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.member_accounts_dialog import MemberAccountsDialog
from tests.scan.helpers import make_organization, refusing_assume_role
from tests.ui.helpers import signed_in_window


def open_dialog(window: MainWindow) -> MemberAccountsDialog:
    window.members_action.trigger()
    dialog = window.findChild(MemberAccountsDialog)
    assert isinstance(dialog, MemberAccountsDialog)
    return dialog


def check_only(dialog: MemberAccountsDialog, ids: set[str]) -> None:
    for row in range(dialog.account_list.count()):
        item = dialog.account_list.item(row)
        wanted = item.data(Qt.ItemDataRole.UserRole) in ids
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)


@pytest.mark.slow
def test_members_are_listed_picked_and_scanned_one_failing(
    ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    ids = make_organization(aws)
    window = signed_in_window(ctx, qtbot, moto_profile, "Acme group")
    # The role cannot be assumed in prod (as when it is missing there); staging works.
    who = ctx.signed_in
    assert who is not None
    # A partial, not a lambda: it goes to the scan's process as it is, hook included.
    refusing = functools.partial(refusing_assume_role, ids["prod"])
    ctx.set_signed_in(replace(who, make_session=refusing))
    assert window.members_action.isEnabled()

    dialog = open_dialog(window)
    listed = [dialog.account_list.item(r).text() for r in range(dialog.account_list.count())]
    assert len(listed) == 3  # the management account and the two members
    assert f"prod ({ids['prod']})" in listed and f"staging ({ids['staging']})" in listed
    assert dialog.role_edit.text() == "AuditBinderReadOnly"
    assert len(dialog.chosen_ids()) == 3  # every active account starts checked
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert not dialog.scan_button.isEnabled()
    check_only(dialog, {ids["prod"], ids["staging"]})
    assert dialog.scan_button.text() == "&Scan 2 account(s)"

    progress: list[str] = []
    window.scans.scan_progress.connect(lambda d, t, m: progress.append(m))
    with qtbot.waitSignal(window.scans.scan_finished, timeout=180000):
        qtbot.mouseClick(dialog.scan_button, Qt.MouseButton.LeftButton)

    summary = window.scans.last_members
    assert summary is not None
    assert [m.account.account_id for m in summary.scanned] == [ids["staging"]]
    assert [m.account.account_id for m in summary.failed] == [ids["prod"]]
    assert f"Account 1 of 2: prod ({ids['prod']})" in progress
    assert any(m.startswith(f"staging ({ids['staging']}): ") for m in progress)
    message = window.statusBar().currentMessage()
    assert "Scanned 1 of 2 member account(s)" in message and "access denied" in message
    assert window.history.table.rowCount() == 2
    states = {line.account_id: line.state for line in window.history.lines}
    assert states == {ids["prod"]: "failed", ids["staging"]: "complete"}
    assert window.members_action.isEnabled() and window.run_all_action.isEnabled()
    with ctx.db.session() as session:
        assert {s.account_id for s in session.query(Scan).all()} == {ids["prod"], ids["staging"]}
        assert {a.account_id for a in session.query(Account).all()} >= set(ids.values())
    # The checklist counts the scanned account only: no row came from the failed one.
    assert set(window.checklist.checklist.statuses.values()) - {"not_checked"}


def test_dialog_refuses_a_bad_role_and_says_when_listing_fails(
    ctx: AppContext, qtbot: QtBot, moto_profile: str, aws: str
) -> None:
    window = signed_in_window(ctx, qtbot, moto_profile, "Solo")
    # Outside an organization moto lists nothing (AWS would refuse): nothing to pick.
    dialog = open_dialog(window)
    assert dialog.account_list.count() == 0
    assert "no accounts" in dialog.message.text()
    assert not dialog.scan_button.isEnabled()

    accounts = [
        MemberAccount("111111111111", "dev", "d@example.test", "ACTIVE", "arn:dev"),
        MemberAccount("222222222222", "old", "o@example.test", "SUSPENDED", "arn:old"),
    ]
    dialog.show_accounts(accounts)
    assert dialog.chosen_ids() == ["111111111111"]  # suspended ones start unchecked
    assert "suspended" in dialog.account_list.item(1).text()
    dialog.role_edit.setText("arn:aws:iam::111111111111:role/Audit")
    qtbot.mouseClick(dialog.scan_button, Qt.MouseButton.LeftButton)
    assert "not an ARN" in dialog.message.text()
    assert not window.scans.is_running and dialog.isVisible()
    dialog.reject()
