"""The questions the app asks through modal OS dialogs, and the URLs it opens.

They go through one injectable object so tests answer them without a modal loop
(and never open a real browser); the app uses `Prompts` itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Prompts:
    def confirm(self, parent: QWidget | None, title: str, text: str, action: str = "OK") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes

    def save_path(
        self, parent: QWidget | None, title: str, suggested: Path, file_filter: str
    ) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
        return Path(path) if path else None

    def open_path(self, parent: QWidget | None, title: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
        return Path(path) if path else None

    def text(self, parent: QWidget | None, title: str, label: str, value: str = "") -> str | None:
        answer, ok = QInputDialog.getText(parent, title, label, text=value)
        return answer if ok else None

    def password(self, parent: QWidget | None, title: str, label: str) -> str | None:
        """A secret typed in a masked field; None when cancelled. Never kept."""
        answer, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
        return answer if ok else None

    def open_url(self, url: str) -> bool:
        return QDesktopServices.openUrl(QUrl(url))

    def open_file(self, path: Path) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
