"""Reading evidence files off the GUI thread (a worker task): big files must not freeze it."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.store.attachments import MAX_ATTACHMENT_BYTES


class FileReadError(Exception):
    """A chosen file cannot be attached; the message says which and why."""


@dataclass(frozen=True)
class ReadFile:
    name: str
    content: bytes
    media_type: str


def read_files(
    paths: Sequence[str], progress: Callable[[int, int, str], None] | None = None
) -> list[ReadFile]:
    """Every file's bytes, or `FileReadError` naming the first that cannot be attached.

    All or nothing, so a half-added batch never surprises the user.
    """
    files: list[ReadFile] = []
    for number, raw in enumerate(paths, start=1):
        path = Path(raw)
        if progress is not None:
            progress(number - 1, len(paths), path.name)
        if path.is_dir():
            raise FileReadError(f"'{path.name}' is a folder; attach the files inside it.")
        try:
            size = path.stat().st_size
            if size > MAX_ATTACHMENT_BYTES:
                limit = MAX_ATTACHMENT_BYTES // (1024 * 1024)
                raise FileReadError(
                    f"'{path.name}' is {size // (1024 * 1024)} MB; attachments can be at most "
                    f"{limit} MB. Attach an excerpt instead."
                )
            content = path.read_bytes()
        except OSError as error:
            raise FileReadError(f"Cannot read '{path.name}': {error.strerror or error}.") from error
        if not content:
            raise FileReadError(f"'{path.name}' is empty; nothing was attached.")
        guessed, _ = mimetypes.guess_type(path.name)
        files.append(ReadFile(path.name, content, guessed or "application/octet-stream"))
    if progress is not None:
        progress(len(paths), len(paths), "")
    return files
