"""Where things live on disk: the default DB (platformdirs) and bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "audit-binder"


def resources_dir() -> Path:
    """`resources/` beside the `app` package: source tree, wheel and PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def migrations_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "migrations"
    return Path(__file__).resolve().parent.parent / "migrations"


def default_db_path() -> Path:
    """`AUDIT_BINDER_DB` if set, else `audit-binder.sqlite3` in the user's data dir."""
    override = os.environ.get("AUDIT_BINDER_DB")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "audit-binder.sqlite3"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
