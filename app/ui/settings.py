"""The GUI's own preferences (QSettings): DB location, default regions, window geometry.

The DB location is a file path or a team store's URL, never with a password (that is in
the keyring: `app.services.team_store`). Tests pass a `QSettings` on a temp INI file, so
nothing touches the real user's config.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.store.location import BadLocation, StoreLocation, default_location, parse_location

_DB_PATH = "store/db_path"
_REGIONS = "scan/default_regions"
_GEOMETRY = "window/geometry"
_STATE = "window/state"
_LAST_ENGAGEMENT = "engagements/last"
_LAST_PROFILE = "sign_in/last_profile"
_SIGNING_P12 = "signing/pkcs12_path"


class AppSettings:
    """Typed access to the QSettings keys the app uses."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings("audit-binder", "audit-binder")

    @classmethod
    def at(cls, path: Path) -> AppSettings:
        """Settings kept in one INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    def _str(self, key: str, default: str = "") -> str:
        value = self.store.value(key, default)
        return str(value) if value is not None else default

    # The DB: AUDIT_BINDER_DB (or platformdirs) unless the user chose another file or URL.
    def db_location(self) -> StoreLocation:
        """The chosen store, else the default; `BadLocation` if the setting is unusable."""
        chosen = self._str(_DB_PATH)
        return parse_location(chosen) if chosen else default_location()

    def db_display(self) -> str:
        """The store for messages (password masked), even when the setting is unusable."""
        try:
            return self.db_location().display
        except BadLocation:
            return "(the database setting cannot be used)"

    def custom_db(self) -> str:
        return self._str(_DB_PATH)

    def set_custom_db(self, setting: str) -> None:
        """A path or a URL without password (`app.services.team_store.choose_store`)."""
        if setting:
            self.store.setValue(_DB_PATH, setting)
        else:
            self.store.remove(_DB_PATH)

    # Regions a new engagement starts with; empty means every enabled region.
    def default_regions(self) -> list[str]:
        text = self._str(_REGIONS)
        return [r.strip() for r in text.split(",") if r.strip()]

    def set_default_regions(self, regions: list[str]) -> None:
        self.store.setValue(_REGIONS, ",".join(regions))

    def geometry(self) -> QByteArray | None:
        value = self.store.value(_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.store.value(_STATE)
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.store.setValue(_GEOMETRY, geometry)
        self.store.setValue(_STATE, state)

    def last_engagement(self) -> int | None:
        value = self._str(_LAST_ENGAGEMENT)
        return int(value) if value.isdigit() else None

    def set_last_engagement(self, engagement_id: int | None) -> None:
        self.store.setValue(_LAST_ENGAGEMENT, "" if engagement_id is None else str(engagement_id))

    # Sign binders with the user's own PKCS#12 file (its path only: the password is asked
    # at each export and never kept); empty: the installation's signing identity.
    def signing_pkcs12(self) -> str:
        return self._str(_SIGNING_P12)

    def set_signing_pkcs12(self, path: str) -> None:
        if path:
            self.store.setValue(_SIGNING_P12, path)
        else:
            self.store.remove(_SIGNING_P12)

    def last_profile(self) -> str:
        return self._str(_LAST_PROFILE)

    def set_last_profile(self, profile: str) -> None:
        self.store.setValue(_LAST_PROFILE, profile)

    def sync(self) -> None:
        self.store.sync()
