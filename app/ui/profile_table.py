"""The Sign-in screen's table of AWS profiles (name, kind in words, region, notes), and
what shows instead when there is none: how to connect, with the button that does it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
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

from app.aws.profiles import Profile, ProfileKind

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


class ProfileTable(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, len(_COLUMNS))
        self.setAccessibleName("AWS profiles")
        self.setHorizontalHeaderLabels(list(_COLUMNS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def show_profiles(self, profiles: list[Profile]) -> None:
        self.setRowCount(len(profiles))
        for row, profile in enumerate(profiles):
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
                self.setItem(row, column, item)

    def selected_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else None


class NoProfiles(QWidget):
    """The empty state: no profile yet, and connecting as the one main action."""

    def __init__(self, connect_text: str) -> None:
        super().__init__()
        self.setAccessibleName("No AWS profiles yet")
        title = QLabel("No AWS profiles yet")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connect_button = QPushButton(connect_text)
        self.connect_button.setAccessibleName("Connect with IAM Identity Center")
        self.connect_button.setMinimumHeight(40)
        column = QWidget()
        column.setMaximumWidth(680)
        inner = QVBoxLayout(column)
        inner.addWidget(title)
        inner.addWidget(self.text)
        inner.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 4)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
