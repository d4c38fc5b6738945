"""Checking a binder: recompute every embedded file's hash and compare with the manifest,
the digest printed in the pages, and the page seal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from app.report.embed import SEAL_FORMAT, embedded_files, page_hashes
from app.report.manifest import (
    MANIFEST_NAME,
    SEAL_NAME,
    ManifestEntry,
    ManifestError,
    digest_of,
    parse_manifest,
    sha256_hex,
)

# The cover ("Evidence digest") and the manifest page ("Manifest digest") print it.
_PRINTED_DIGEST = re.compile(r"(?:Manifest|Evidence) digest \(SHA-256\):?\s*([0-9a-f]{64})")


class NotABinder(Exception):
    """The file is not a PDF, or a PDF this app did not export."""


@dataclass
class Verification:
    path: Path
    files_checked: int = 0
    pages_checked: int = 0
    digest: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_binder(path: Path | str) -> Verification:
    """What, if anything, was altered in the binder at `path`.

    Raises `NotABinder` for a file that is not a binder (or not a readable PDF) and
    `OSError` when it cannot be read.
    """
    path = Path(path)
    try:
        reader = PdfReader(path)
        files = embedded_files(reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise NotABinder(f"{path} is not a readable PDF ({exc}).") from exc
    if MANIFEST_NAME not in files:
        raise NotABinder(
            f"{path} is not an Audit Binder evidence binder: it carries no embedded "
            f"{MANIFEST_NAME}."
        )
    result = Verification(path=path)
    manifest_raw = files[MANIFEST_NAME][0]
    try:
        manifest = parse_manifest(manifest_raw)
    except ManifestError as exc:
        result.problems.append(f"The embedded manifest is damaged: {exc}.")
        return result
    result.digest = manifest.digest
    _check_files(result, manifest.entries, files)
    recomputed = digest_of(manifest.entries)
    if recomputed != manifest.digest:
        result.problems.append(
            f"The manifest's digest {manifest.digest} does not match its entries "
            f"(recomputed {recomputed}): the manifest was edited."
        )
    _check_printed_digest(result, reader, manifest.digest)
    _check_seal(result, reader, files, manifest_raw, manifest.digest)
    return result


def _check_files(
    result: Verification, entries: tuple[ManifestEntry, ...], files: dict[str, list[bytes]]
) -> None:
    listed: set[str] = set()
    for entry in entries:
        listed.add(entry.name)
        contents = files.get(entry.name)
        if not contents:
            result.problems.append(f"{entry.name}: listed in the manifest but not embedded.")
            continue
        if len(contents) > 1:
            result.problems.append(f"{entry.name}: embedded {len(contents)} times.")
        actual = sha256_hex(contents[0])
        result.files_checked += 1
        if actual != entry.sha256:
            result.problems.append(
                f"{entry.name}: altered (SHA-256 is {actual}, the manifest says {entry.sha256})."
            )
    for name in sorted(set(files) - listed - {MANIFEST_NAME, SEAL_NAME}):
        result.problems.append(f"{name}: embedded but not in the manifest (added later).")


def _check_printed_digest(result: Verification, reader: PdfReader, digest: str) -> None:
    printed: list[str] = []
    # The cover, then the manifest from the back: no need to read every page's text.
    pages = list(reader.pages)
    for index, page in enumerate([pages[0], *reversed(pages[1:])]):
        found = _PRINTED_DIGEST.findall(page.extract_text() or "")
        printed.extend(found)
        if found and index > 0:
            break
    if len(printed) < 2:
        result.problems.append(
            "The digest is no longer printed on both the cover and the manifest page "
            "(the text was altered)."
        )
    if not printed:
        result.problems.append(
            "The manifest digest is not printed in the binder's pages (the text was altered)."
        )
    for value in dict.fromkeys(printed):
        if value != digest:
            result.problems.append(
                f"The digest printed in the binder ({value}) differs from the embedded "
                f"manifest's ({digest})."
            )


def _check_seal(
    result: Verification,
    reader: PdfReader,
    files: dict[str, list[bytes]],
    manifest_raw: bytes,
    digest: str,
) -> None:
    raw = files.get(SEAL_NAME, [b""])[0]
    try:
        seal = json.loads(raw.decode("utf-8"))
        if seal.get("format") != SEAL_FORMAT:
            raise ValueError("unknown format")
        sealed_pages = [str(h) for h in seal["pages"]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        result.problems.append(f"The page seal ({SEAL_NAME}) is missing or damaged.")
        return
    if seal.get("manifest_sha256") != sha256_hex(manifest_raw) or seal.get("digest") != digest:
        result.problems.append("The page seal does not belong to this manifest.")
    actual = page_hashes(reader)
    result.pages_checked = len(actual)
    if len(actual) != len(sealed_pages):
        result.problems.append(
            f"The binder has {len(actual)} pages; it had {len(sealed_pages)} when exported."
        )
    for number, (now, then) in enumerate(zip(actual, sealed_pages, strict=False), start=1):
        if now != then:
            result.problems.append(f"Page {number}: its content was altered after export.")
