"""Secrets kept in the OS keyring: client credentials per engagement, team store
passwords, and the private key of the installation's signing identity.

A consultant gets a role ARN and external id, or temporary keys, from a client. They
go to the OS keyring (service "audit-binder", username
"engagement:<id>:<kind>"), never to the DB, the logs or the PDF. The password of a
team store (PostgreSQL) is kept the same way, under the store's URL without it
("store:postgresql+psycopg://ana@db/audit"), never in the settings. Without a real
keyring backend we refuse: no plaintext fallback, no keyrings.alt file store. (The
signing key alone may fall back to a file readable only by the user: see
`app.signing.keystore`.)
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import keyring
import keyring.backend
import keyring.errors

log = logging.getLogger(__name__)

SERVICE = "audit-binder"
ROLE = "role"
TEMPORARY_KEYS = "temporary-keys"
KINDS = (ROLE, TEMPORARY_KEYS)
# The installation's binder-signing key (PKCS#8 PEM), not tied to an engagement.
SIGNING_KEY = "installation:signing-key"

EngagementRef = int | str


class KeyringUnavailable(RuntimeError):
    """No usable OS keyring: the secret is refused rather than stored in plaintext."""

    def __init__(self, backend: str, detail: str = "") -> None:
        super().__init__(
            "No secure keyring is available "
            f"({backend}{': ' + detail if detail else ''}), so client credentials cannot be "
            "kept. Use an AWS profile instead, or install and unlock a keyring (GNOME "
            "Keyring / KWallet on Linux; macOS Keychain and Windows Credential Manager "
            "work out of the box)."
        )
        self.backend = backend


@dataclass(frozen=True)
class HandedRole:
    role_arn: str
    external_id: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TemporaryKeys:
    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _refusal(backend: keyring.backend.KeyringBackend) -> str | None:
    """Why this backend must not hold secrets, or None when it is acceptable."""
    name = _backend_name(backend)
    if name.startswith("keyring.backends.fail."):
        return "no backend found"
    if name.startswith("keyring.backends.null."):
        return "the null backend discards secrets"
    if name.startswith("keyrings.alt"):
        return "keyrings.alt stores secrets in files"
    if name.startswith("keyring.backends.chainer.") and not getattr(backend, "backends", None):
        return "no backend found"
    return None


def username(engagement: EngagementRef, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown secret kind {kind!r}")
    text = str(engagement).strip()
    if not text:
        raise ValueError("an engagement id or name is required")
    return f"engagement:{text}:{kind}"


class SecretStore:
    """The engagement secrets in the keyring. Build one at the composition root."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()
        reason = _refusal(self._backend)
        if reason is not None:
            raise KeyringUnavailable(_backend_name(self._backend), reason)

    @property
    def backend_name(self) -> str:
        return _backend_name(self._backend)

    def _set(self, engagement: EngagementRef, kind: str, value: dict[str, Any]) -> None:
        try:
            self._backend.set_password(SERVICE, username(engagement, kind), json.dumps(value))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc

    def _get(self, engagement: EngagementRef, kind: str) -> dict[str, Any] | None:
        try:
            raw = self._backend.get_password(SERVICE, username(engagement, kind))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            log.warning("Unreadable %s entry for engagement %s in the keyring", kind, engagement)
            return None
        return value if isinstance(value, dict) else None

    def save_signing_key(self, pem: str) -> None:
        try:
            self._backend.set_password(SERVICE, SIGNING_KEY, pem)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc

    def load_signing_key(self) -> str | None:
        try:
            return self._backend.get_password(SERVICE, SIGNING_KEY)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc

    def save_role(self, engagement: EngagementRef, role: HandedRole) -> None:
        if not role.role_arn.startswith("arn:"):
            raise ValueError("a role ARN starts with arn:")
        self._set(engagement, ROLE, {"role_arn": role.role_arn, "external_id": role.external_id})

    def load_role(self, engagement: EngagementRef) -> HandedRole | None:
        value = self._get(engagement, ROLE)
        if value is None or not value.get("role_arn"):
            return None
        return HandedRole(str(value["role_arn"]), value.get("external_id"))

    def save_temporary_keys(self, engagement: EngagementRef, keys: TemporaryKeys) -> None:
        self._set(
            engagement,
            TEMPORARY_KEYS,
            {
                "access_key_id": keys.access_key_id,
                "secret_access_key": keys.secret_access_key,
                "session_token": keys.session_token,
                "expires_at": keys.expires_at.isoformat() if keys.expires_at else None,
            },
        )

    def load_temporary_keys(self, engagement: EngagementRef) -> TemporaryKeys | None:
        value = self._get(engagement, TEMPORARY_KEYS)
        if value is None or not value.get("access_key_id"):
            return None
        expires = value.get("expires_at")
        return TemporaryKeys(
            access_key_id=str(value["access_key_id"]),
            secret_access_key=str(value.get("secret_access_key", "")),
            session_token=value.get("session_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )

    def save_store_password(self, store: str, password: str) -> None:
        """Keep a team store's password; `store` is its keyring name (no password in it)."""
        try:
            self._backend.set_password(SERVICE, store, password)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc

    def load_store_password(self, store: str) -> str | None:
        try:
            return self._backend.get_password(SERVICE, store)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc

    def delete_engagement_secrets(self, engagement: EngagementRef) -> int:
        """Forget every secret of the engagement (call it when the engagement is deleted)."""
        deleted = 0
        for kind in KINDS:
            name = username(engagement, kind)
            try:
                if self._backend.get_password(SERVICE, name) is None:
                    continue
                self._backend.delete_password(SERVICE, name)
                deleted += 1
            except keyring.errors.PasswordDeleteError:
                continue
            except keyring.errors.KeyringError as exc:
                raise KeyringUnavailable(self.backend_name, type(exc).__name__) from exc
        return deleted


def delete_engagement_secrets(engagement: EngagementRef, store: SecretStore | None = None) -> int:
    """Module-level convenience for the store's delete path."""
    return (store or SecretStore()).delete_engagement_secrets(engagement)
