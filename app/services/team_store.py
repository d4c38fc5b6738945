"""Which store the app opens, and a team store's password: from the keyring, never the
settings. The GUI's settings dialog and its start-up both come through here."""

from __future__ import annotations

from dataclasses import dataclass

from app.secrets import KeyringUnavailable, SecretStore
from app.store.location import StoreLocation, parse_location


@dataclass(frozen=True)
class ChosenStore:
    """What the settings keep (`setting`: a path or a URL without password, "" for the
    default) and the store it names (None: the default)."""

    location: StoreLocation | None
    setting: str


def choose_store(text: str, password: str, secrets: SecretStore | None) -> ChosenStore:
    """Check what the user typed; a password (typed, or inside the URL) goes to the keyring.

    Raises `BadLocation` for an unusable path or URL and `KeyringUnavailable` when a
    password was given but there is no keyring to keep it in; nothing is kept then.
    An empty `text` means the default store.
    """
    if not text.strip():
        return ChosenStore(None, "")
    location = parse_location(text)
    if not location.is_server:
        return ChosenStore(location, str(location.sqlite_path))
    bare = location.without_password()
    url = location.connect_url()
    given = password or url.password or url.query.get("password") or ""
    if given:
        if secrets is None:
            raise KeyringUnavailable("no keyring backend")
        secrets.save_store_password(bare.keyring_name, str(given))
    return ChosenStore(bare, bare.display)


def with_saved_password(location: StoreLocation, secrets: SecretStore | None) -> StoreLocation:
    """A server store with its keyring password, if one is kept; otherwise as it is
    (libpq then looks in ~/.pgpass, a service file or PGPASSWORD)."""
    if not location.is_server or location.has_password or secrets is None:
        return location
    try:
        password = secrets.load_store_password(location.keyring_name)
    except KeyringUnavailable:
        return location
    return location.with_password(password) if password else location
