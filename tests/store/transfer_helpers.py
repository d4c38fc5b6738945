"""Shared by the engagement-file tests: a second machine's store, and an edited copy of an
exported file whose manifest hash still fits (what a careless or hostile edit looks like)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.store.database import Database, open_database


def laptop_store(tmp_path: Path) -> Database:
    return open_database(tmp_path / "laptop" / "audit-binder.sqlite3")


def edited(exported: Path, target: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the file with its manifest changed and its manifest hash made to fit."""
    with zipfile.ZipFile(exported) as source:
        manifest = json.loads(source.read("manifest.json"))
        change(manifest)
        body = json.dumps(manifest).encode()
        with zipfile.ZipFile(target, "w") as copy:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == "manifest.json":
                    data = body
                elif info.filename == "manifest.sha256":
                    data = f"{hashlib.sha256(body).hexdigest()}  manifest.json\n".encode()
                copy.writestr(info.filename, data)
    return target
