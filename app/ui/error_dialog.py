"""Bugs get a dialog with copyable details and the log file's path; expected trouble does not.

`install_excepthook` routes uncaught exceptions (GUI thread or a slot) to
`BugDialog`. Expected trouble (no credentials, expired SSO, a bad file, a locked DB)
is shown inline or in the status bar by the screen that hit it, never here.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def format_details(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return f"audit-binder {__version__}, Python {sys.version.split()[0]}\n\n" + "".join(lines)


class BugDialog(QDialog):
    """Something went wrong that should not have: what, where the log is, copyable details."""

    def __init__(self, exc: BaseException, log_file: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Audit Binder hit a bug")
        self.setAccessibleName("Unexpected error")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Something unexpected went wrong. Your data is safe: nothing was changed by this "
            "error. Please copy the details below into a bug report."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        summary = QLabel(f"<b>{type(exc).__name__}</b>: {_escape(str(exc))}")
        summary.setWordWrap(True)
        layout.addWidget(summary)
        where = f"Log file: {log_file}" if log_file else "Logging to a file is off."
        self.log_label = QLabel(where)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.log_label)
        self.details = QPlainTextEdit(format_details(exc))
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.setAccessibleName("Copy error details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_copy_clicked(self) -> None:
        text = self.details.toPlainText() + "\n" + self.log_label.text()
        QGuiApplication.clipboard().setText(text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def install_excepthook(log_file: Path | None) -> ExceptHook:
    """Route uncaught exceptions to the log and `BugDialog`; returns the previous hook."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        log.critical("Uncaught exception", exc_info=(kind, exc, tb))
        if QApplication.instance() is None:
            previous(kind, exc, tb)
            return
        BugDialog(exc, log_file, QApplication.activeWindow()).exec()

    sys.excepthook = hook
    return previous
