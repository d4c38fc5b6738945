"""Settings: where the database lives, which regions new engagements start with, and how
binders are signed (`SigningBox`)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.paths import default_db_path
from app.ui.prompts import Prompts
from app.ui.settings import AppSettings
from app.ui.signing_box import SigningBox

_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")


def parse_regions(text: str) -> tuple[list[str], list[str]]:
    """Split `eu-west-1, us-east-1` into (valid, invalid) region names."""
    names = [part.strip() for part in re.split(r"[,\s]+", text) if part.strip()]
    good = [n for n in names if _REGION.match(n)]
    bad = [n for n in names if not _REGION.match(n)]
    return good, bad


class SettingsDialog(QDialog):
    """Edits `AppSettings`; a changed DB location applies at the next start."""

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        layout = QVBoxLayout(self)
        form = QFormLayout()

        self.db_edit = QLineEdit(settings.custom_db_path())
        self.db_edit.setPlaceholderText(str(default_db_path()))
        self.db_edit.setAccessibleName("Database file")
        self.db_edit.setToolTip("Empty: the default location shown in grey.")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose database file")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.db_edit, 1)
        row.addWidget(browse)
        db_label = QLabel("&Database file:")
        db_label.setBuddy(self.db_edit)
        form.addRow(db_label, row)

        self.regions_edit = QLineEdit(", ".join(settings.default_regions()))
        self.regions_edit.setPlaceholderText("every enabled region")
        self.regions_edit.setAccessibleName("Default regions")
        regions_label = QLabel("Default &regions:")
        regions_label.setBuddy(self.regions_edit)
        form.addRow(regions_label, self.regions_edit)
        layout.addLayout(form)

        self.note = QLabel("A new database location is used the next time the app starts.")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.signing = SigningBox(settings, prompts or Prompts(), parent=self)
        layout.addWidget(self.signing)
        self.error = QLabel()
        self.error.setAccessibleName("Settings error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Database file",
            self.db_edit.text() or str(default_db_path()),
            "SQLite database (*.sqlite3 *.db);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.db_edit.setText(path)

    def _on_save(self) -> None:
        good, bad = parse_regions(self.regions_edit.text())
        if bad:
            self.error.setText(
                "Not a region name: " + ", ".join(bad) + " (expected names like eu-west-1)."
            )
            self.error.show()
            self.regions_edit.setFocus()
            return
        problem = self.signing.problem()
        if problem:
            self.error.setText(problem)
            self.error.show()
            self.signing.pkcs12_edit.setFocus()
            return
        self.signing.save()
        self.settings.set_db_path(self.db_edit.text().strip())
        self.settings.set_default_regions(good)
        self.settings.sync()
        self.accept()
