"""Settings → Signing: the installation's signing identity (its certificate's SHA-256
fingerprint, the certificate exported as PEM for the auditor) and, instead, signing with
the user's own PKCS#12 file (its path only; the password is asked at each export)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.signing.identity import SigningError, certificate_fingerprint, describe_subject, spaced
from app.signing.keystore import IdentityStore, installation_identity
from app.ui.prompts import Prompts
from app.ui.settings import AppSettings


class SigningBox(QGroupBox):
    def __init__(
        self,
        settings: AppSettings,
        prompts: Prompts,
        store: IdentityStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Signing", parent)
        self.settings = settings
        self.prompts = prompts
        self.store = store or IdentityStore()
        layout = QVBoxLayout(self)
        self.identity_label = QLabel()
        self.identity_label.setAccessibleName("Signing identity")
        self.identity_label.setWordWrap(True)
        self.identity_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.identity_label)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("E&xport certificate…")
        self.export_button.setToolTip("Save the certificate (PEM) to hand to your auditor.")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.create_button = QPushButton("&Create now")
        self.create_button.setToolTip("Otherwise it is created on the first export.")
        self.create_button.clicked.connect(self._on_create_button_clicked)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.create_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.pkcs12_edit = QLineEdit(settings.signing_pkcs12())
        self.pkcs12_edit.setPlaceholderText("none: sign with this installation's identity")
        self.pkcs12_edit.setAccessibleName("Own certificate (PKCS#12)")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose PKCS#12 file")
        browse.clicked.connect(self._on_browse_clicked)
        own = QHBoxLayout()
        own_label = QLabel("Sign with my own certificate (.p12/.pfx):")
        own_label.setBuddy(self.pkcs12_edit)
        own.addWidget(self.pkcs12_edit, 1)
        own.addWidget(browse)
        layout.addWidget(own_label)
        layout.addLayout(own)
        self.note = QLabel("Its password is asked at each export and never stored.")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self._show_identity()

    def _show_identity(self) -> None:
        certificate = self.store.certificate()
        self.export_button.setEnabled(certificate is not None)
        self.create_button.setVisible(certificate is None)
        if certificate is None:
            self.identity_label.setText(
                "This installation's signing identity is created on the first export: an "
                "ECDSA P-256 key kept in the OS keyring and a self-signed certificate."
            )
            return
        self.identity_label.setText(
            f"This installation signs binders as {describe_subject(certificate)}.\n"
            f"Certificate SHA-256: {spaced(certificate_fingerprint(certificate))}"
        )

    def problem(self) -> str:
        """Why the settings cannot be saved as they are, or ""."""
        chosen = self.pkcs12_edit.text().strip()
        if chosen and not Path(chosen).expanduser().is_file():
            return f"There is no PKCS#12 file at {chosen}."
        return ""

    def save(self) -> None:
        chosen = self.pkcs12_edit.text().strip()
        self.settings.set_signing_pkcs12(str(Path(chosen).expanduser()) if chosen else "")

    def _on_browse_clicked(self) -> None:
        path = self.prompts.open_path(self, "Signing certificate", "PKCS#12 (*.p12 *.pfx)")
        if path is not None:
            self.pkcs12_edit.setText(str(path))

    def _on_create_button_clicked(self) -> None:
        from app.scan.runner import default_actor

        try:
            _, note = installation_identity(default_actor(), self.store)
        except (SigningError, OSError) as exc:
            self.note.setText(f"The signing identity could not be created: {exc}")
            return
        self._show_identity()
        self.note.setText(note)

    def _on_export_button_clicked(self) -> None:
        certificate = self.store.certificate_path
        target = self.prompts.save_path(
            self,
            "Export certificate",
            Path.home() / "audit-binder-certificate.pem",
            "PEM certificate (*.pem)",
        )
        if target is None:
            return
        try:
            target.write_bytes(certificate.read_bytes())
        except OSError as exc:
            self.note.setText(f"The certificate could not be saved: {exc.strerror or exc}")
            return
        self.note.setText(
            f"Certificate saved to {target}. Give it to your auditor: they check a binder "
            "with any PDF reader or `audit-binder verify BINDER.pdf --cert "
            f"{target.name}`."
        )
