"""Writing a file so that no reader ever sees half of it (a binder, a key, a certificate)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes, *, mode: int | None = None) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`.

    The temporary file is created 0600 (readable only by the user); `mode` widens it
    (e.g. 0o644 for a public certificate). The parent folder is created if missing.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.chmod(temp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
