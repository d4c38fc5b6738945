"""Where the installation's signing identity lives.

The certificate is public: `signing-certificate.pem` in the user data folder, ready to
hand to an auditor. The private key goes to the OS keyring (service "audit-binder",
username "installation:signing-key"). Where there is no secure keyring (the fail, null
and keyrings.alt backends are refused, as for client credentials), it is written to
`signing-key.pem` beside the certificate, readable only by the user (0600), and the
messages say so. The identity is created on the first export that needs it.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from app.files import write_atomically
from app.paths import data_dir
from app.secrets import KeyringUnavailable, SecretStore
from app.signing.identity import (
    SigningError,
    SigningIdentity,
    load_private_key,
    new_identity,
    private_key_pem,
    spaced,
)

CERTIFICATE_FILE = "signing-certificate.pem"
KEY_FILE = "signing-key.pem"


class IdentityStore:
    """Loads, or creates once, the installation's signing identity."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or data_dir()

    @property
    def certificate_path(self) -> Path:
        return self.folder / CERTIFICATE_FILE

    @property
    def key_path(self) -> Path:
        return self.folder / KEY_FILE

    def certificate(self) -> x509.Certificate | None:
        """The installation's certificate, None when there is none (yet) or it is unreadable."""
        try:
            return x509.load_pem_x509_certificate(self.certificate_path.read_bytes())
        except (OSError, ValueError):
            return None

    def load(self) -> SigningIdentity | None:
        """The identity when both its certificate and its key are there and match."""
        certificate = self.certificate()
        if certificate is None:
            return None
        pem, where = self._load_key()
        if pem is None:
            return None
        try:
            key = load_private_key(pem)
        except (ValueError, SigningError):
            return None
        if _public(key.public_key()) != _public(certificate.public_key()):
            return None  # a key left from another identity: start afresh
        return SigningIdentity(certificate=certificate, private_key=key, source=where)

    def load_or_create(self, user: str) -> tuple[SigningIdentity, bool]:
        """The identity, created for `user` if missing; True when it was just created."""
        found = self.load()
        if found is not None:
            return found, False
        identity = new_identity(user, socket.gethostname() or "this computer", source="")
        where = self._save_key(private_key_pem(identity.private_key))
        write_atomically(self.certificate_path, identity.certificate_pem(), mode=0o644)
        return replace(identity, source=where), True

    def _keyring(self) -> SecretStore | None:
        try:
            return SecretStore()
        except KeyringUnavailable:
            return None

    def _load_key(self) -> tuple[str | None, str]:
        store = self._keyring()
        if store is not None:
            try:
                pem = store.load_signing_key()
            except KeyringUnavailable:
                pem = None
            if pem:
                return pem, f"the OS keyring ({store.backend_name})"
        try:
            pem = self.key_path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return None, ""
        _only_for_the_user(self.key_path)
        return pem, f"{self.key_path} (readable only by you: no secure keyring here)"

    def _save_key(self, pem: str) -> str:
        store = self._keyring()
        if store is not None:
            try:
                store.save_signing_key(pem)
            except KeyringUnavailable:
                pass
            else:
                self.key_path.unlink(missing_ok=True)  # an older file fallback, now unused
                return f"the OS keyring ({store.backend_name})"
        write_atomically(self.key_path, pem.encode("ascii"))  # 0600
        return f"{self.key_path} (readable only by you: no secure keyring here)"


def installation_identity(
    actor: str, store: IdentityStore | None = None
) -> tuple[SigningIdentity, str]:
    """The installation's identity (created for `actor` if missing) and, when it was just
    created, a sentence telling the user so, where its key is and where its certificate
    is (else "")."""
    store = store or IdentityStore()
    identity, created = store.load_or_create(actor)
    if not created:
        return identity, ""
    return identity, (
        f"Created this installation's signing identity: {identity.subject}, certificate "
        f"SHA-256 {spaced(identity.fingerprint)}. Its private key is kept in "
        f"{identity.source}; its certificate, to hand to your auditor, is "
        f"{store.certificate_path}."
    )


def _public(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _only_for_the_user(path: Path) -> None:
    """Take back group/other access to the key file if something widened it."""
    if sys.platform != "win32" and path.stat().st_mode & 0o077:
        path.chmod(0o600)
