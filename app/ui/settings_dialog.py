"""Settings: where the database lives (a file, or a team store's URL and its password),
which regions new engagements start with, and how binders are signed (`SigningBox`)."""

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
from app.secrets import KeyringUnavailable, SecretStore
from app.services.team_store import choose_store
from app.store.location import BadLocation, parse_location
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
        secrets: SecretStore | None = None,
        *,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.secrets = secrets
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        layout = QVBoxLayout(self)
        form = QFormLayout()

        self.db_edit = QLineEdit(settings.custom_db())
        self.db_edit.setPlaceholderText(str(default_db_path()))
        self.db_edit.setAccessibleName("Database")
        self.db_edit.setToolTip(
            "Empty: the default file shown in grey. A team store on PostgreSQL: "
            "postgresql://user@host/database"
        )
        self.db_edit.setMinimumWidth(380)  # room for a URL
        self.db_edit.textChanged.connect(self._on_db_edit_text_changed)
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose database file")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.db_edit, 1)
        row.addWidget(browse)
        db_label = QLabel("&Database (file or URL):")
        db_label.setBuddy(self.db_edit)
        form.addRow(db_label, row)

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Team store password")
        self.password_edit.setPlaceholderText("kept as it is, or from ~/.pgpass")
        self.password_edit.setToolTip(
            "Kept in the system keyring, never in the settings. Leave it empty to keep the "
            "saved one, or when ~/.pgpass or a PostgreSQL service file has it."
        )
        self.password_label = QLabel("Store &password:")
        self.password_label.setBuddy(self.password_edit)
        form.addRow(self.password_label, self.password_edit)

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
        self._on_db_edit_text_changed(self.db_edit.text())

    def _on_db_edit_text_changed(self, text: str) -> None:
        """The password row only for a server URL."""
        try:
            server = bool(text.strip()) and parse_location(text).is_server
        except BadLocation:
            server = "://" in text
        self.password_label.setVisible(server)
        self.password_edit.setVisible(server)

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
            self._refuse(
                "Not a region name: " + ", ".join(bad) + " (expected names like eu-west-1).",
                self.regions_edit,
            )
            return
        problem = self.signing.problem()
        if problem:
            self._refuse(problem, self.signing.pkcs12_edit)
            return
        try:
            chosen = choose_store(self.db_edit.text(), self.password_edit.text(), self.secrets)
        except BadLocation as error:
            self._refuse(str(error), self.db_edit)
            return
        except KeyringUnavailable:
            self._refuse(
                "There is no secure keyring here to keep the password. Put it in ~/.pgpass "
                "(or a PostgreSQL service file) and leave the password empty.",
                self.password_edit,
            )
            return
        self.settings.set_custom_db(chosen.setting)
        self.signing.save()
        self.settings.set_default_regions(good)
        self.settings.sync()
        self.accept()

    def _refuse(self, message: str, field: QWidget) -> None:
        self.error.setText(message)
        self.error.show()
        self.adjustSize()
        field.setFocus()
