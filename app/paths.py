"""Where things live on disk: the default DB (platformdirs) and bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "audit-binder"


def _shipped_dir(name: str) -> Path:
    """Find `resources/` or `migrations/` wherever this copy of the app was installed.

    Candidates, first existing wins: a PyInstaller bundle (`sys._MEIPASS/<name>`); a
    wheel install, where setup.py maps the top-level folders into the package
    (`app/<name>`); the source tree or editable install (`<checkout>/<name>`).
    """
    package = Path(__file__).resolve().parent
    candidates = [package / name, package.parent / name]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    # Nothing shipped: name the source-tree location so the error message is useful.
    return candidates[-1]


def resources_dir() -> Path:
    """`resources/`: control catalogue, fonts, demo scenario (source, wheel or bundle)."""
    return _shipped_dir("resources")


def migrations_dir() -> Path:
    """`migrations/`: the Alembic environment and revisions (source, wheel or bundle)."""
    return _shipped_dir("migrations")


def data_dir() -> Path:
    """The user's data folder for the app (platformdirs)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """`AUDIT_BINDER_DB` if it names a file, else `audit-binder.sqlite3` in the user's data
    dir. (`app.store.location.default_location` also takes a server URL from it.)"""
    override = os.environ.get("AUDIT_BINDER_DB", "").strip()
    if override and "://" not in override:
        return Path(override).expanduser()
    return data_dir() / "audit-binder.sqlite3"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
