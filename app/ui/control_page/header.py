"""The top of the control page: title, status (icon and words), previous / next control,
run button, lock banner."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evidence import iso_utc
from app.ui.control_page.remediation_panel import plain_label
from app.ui.control_page.snapshot import ControlSnapshot
from app.ui.status_badges import RESULT_LOOKS, ResultStatusKey, control_look, status_icon

# Next / previous control, as listed in the checklist (its filter applied).
PREVIOUS_KEYS = ("Alt+Left", "Ctrl+[")
NEXT_KEYS = ("Alt+Right", "Ctrl+]")


def lock_text(snapshot: ControlSnapshot) -> str:
    """The banner's words, or "" when there is nothing to say."""
    latest = snapshot.latest_sign_off
    if latest is None:
        return ""
    who = f"{latest.reviewer} on {iso_utc(latest.signed_at)}"
    if snapshot.status == "stale":
        reason = f" ({snapshot.stale_reason})" if snapshot.stale_reason else ""
        return (
            f"Sign-off stale: signed off by {who}, but the control changed since{reason}. "
            "The old sign-off is kept as it was; review and sign off again."
        )
    if snapshot.locked:
        return (
            f"Locked: signed off by {who}. Evidence, notes, exceptions, owner and "
            "applicability cannot be changed unless you unlock it, and any change will make "
            "this sign-off stale."
        )
    if snapshot.unlocked:
        return (
            f"Unlocked: signed off by {who}. Changes you make now will make this sign-off "
            "stale (it is kept, never edited)."
        )
    return ""


class ControlHeader(QWidget):
    run_requested = Signal()
    unlock_requested = Signal()
    step_requested = Signal(int)  # -1 previous control, 1 next

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label("", name="controlTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        # Wraps, so the page leaves the checklist room for its titles.
        self.control_id = plain_label("")
        self.status_icon = QLabel()
        self.status_text = plain_label("", wrap=False, name="controlStatus")
        self.status_text.setAccessibleName("Control status")
        self.run_button = QPushButton("Run checks for this control")
        self.run_button.setAccessibleName("Run checks for this control")
        self.run_button.clicked.connect(self.run_requested)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setAccessibleName("Previous control")
        self.previous_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button = QPushButton("Next ▶")
        self.next_button.setAccessibleName("Next control")
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.set_neighbours(None, None)

        self.banner = QFrame()
        self.banner.setObjectName("lockBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet(
            "QFrame#lockBanner { border: 1px solid palette(mid); border-radius: 4px;"
            " background: palette(alternate-base); }"
        )
        self.banner_icon = QLabel()
        self.banner_text = plain_label("")
        self.banner_text.setAccessibleName("Sign-off lock")
        self.unlock_button = QPushButton("Unlock for changes…")
        self.unlock_button.setAccessibleName("Unlock this signed-off control for changes")
        self.unlock_button.clicked.connect(self.unlock_requested)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_icon, 0, Qt.AlignmentFlag.AlignTop)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignTop)

        self.message = plain_label("", name="inlineMessage")
        self.message.setAccessibleName("Message")
        self.message.setVisible(False)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_icon)
        status_row.addWidget(self.status_text)
        status_row.addSpacing(12)
        status_row.addWidget(self.control_id, 1)
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addLayout(status_row)
        top.addLayout(titles, 1)
        for button in (self.previous_button, self.next_button, self.run_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.message)

    def show_snapshot(self, snapshot: ControlSnapshot) -> None:
        control = snapshot.control
        self.title.setText(control.title)
        kind = "automated" if control.automated else "manual"
        if control.inherited is not None:
            kind += f", inherited from {control.inherited.provider}"
        facts = [f"id: {control.id}", f"family: {control.family}", kind]
        if snapshot.owner:
            facts.append(f"owner: {snapshot.owner}")
        if not snapshot.applicable:
            facts.append("not applicable")
        self.control_id.setText(" · ".join(facts))
        self.control_id.setToolTip(
            ""
            if snapshot.applicable
            else f"Not applicable in this engagement: {snapshot.applicability_reason}"
        )
        look = control_look(snapshot.status)
        if not snapshot.applicable:
            # As in the checklist and the binder: excluded, whatever the checks say.
            look = RESULT_LOOKS[ResultStatusKey.NOT_APPLICABLE]
        self.status_icon.setPixmap(status_icon(look, self.palette()).pixmap(18, 18))
        self.status_text.setText(look.label)
        text = lock_text(snapshot)
        self.banner.setVisible(bool(text))
        self.banner_text.setText(text)
        banner_look = control_look("stale" if snapshot.status == "stale" else "signed_off")
        self.banner_icon.setPixmap(status_icon(banner_look, self.palette()).pixmap(18, 18))
        self.unlock_button.setVisible(snapshot.locked)
        self.run_button.setVisible(control.automated)

    def set_neighbours(self, previous: str | None, following: str | None) -> None:
        """The titles of the controls before and after this one as listed (None: none)."""
        for button, title, keys in (
            (self.previous_button, previous, PREVIOUS_KEYS),
            (self.next_button, following, NEXT_KEYS),
        ):
            button.setEnabled(title is not None)
            where = "Previous" if button is self.previous_button else "Next"
            shortcut = " or ".join(keys)
            button.setToolTip(
                f"{where}: {title} ({shortcut})" if title else f"No {where.lower()} control"
            )
            button.setAccessibleDescription(button.toolTip())

    def say(self, text: str) -> None:
        """An inline message (expected trouble or news); "" hides it."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.run_button.setText("Checking…" if running else "Run checks for this control")
