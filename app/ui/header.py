"""The always-visible strip: who the app acts as (account, ARN) and which engagement is open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.context import AppContext, SignedIn


class IdentityHeader(QFrame):
    """Account, ARN and engagement; selectable text so the ARN can be copied."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # AlternateBase follows the system palette: a subtle band in light and dark mode.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Signed-in identity")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)

        who = QVBoxLayout()
        self.account_label = QLabel()
        bold = QFont(self.account_label.font())
        bold.setBold(True)
        self.account_label.setFont(bold)
        self.account_label.setAccessibleName("AWS account")
        self.arn_label = QLabel()
        self.arn_label.setAccessibleName("Caller ARN")
        for label in (self.account_label, self.arn_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            who.addWidget(label)
        layout.addLayout(who, 1)

        # The demo must never be mistaken for a real account: a badge that
        # reads the same in light and dark palettes.
        self.demo_badge = QLabel("DEMO — fictitious company on a local fake AWS")
        self.demo_badge.setAccessibleName("Demo data")
        self.demo_badge.setStyleSheet(
            "QLabel { background: #b3261e; color: white; font-weight: bold;"
            " padding: 3px 8px; border-radius: 3px; }"
        )
        self.demo_badge.setVisible(False)
        layout.addWidget(self.demo_badge)

        self.engagement_label = QLabel()
        self.engagement_label.setAccessibleName("Open engagement")
        self.engagement_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        layout.addWidget(self.engagement_label)

        ctx.signed_in_changed.connect(self._on_ctx_signed_in_changed)
        self._on_ctx_signed_in_changed(ctx.signed_in)
        self.set_engagement_name("")

    @Slot(object)
    def _on_ctx_signed_in_changed(self, who: SignedIn | None) -> None:
        if who is None:
            self.account_label.setText("Not signed in")
            self.arn_label.setText("Sign in to run live checks; everything else works offline.")
        else:
            via = f"  ·  profile {who.profile}" if who.profile else ""
            self.account_label.setText(f"Account {who.account_id}{via}")
            self.arn_label.setText(who.arn)

    def set_engagement_name(self, name: str) -> None:
        self.demo_badge.setVisible(self.ctx.demo is not None)
        self.engagement_label.setText(
            f"Engagement: <b>{_escape(name)}</b>" if name else "No engagement open"
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
