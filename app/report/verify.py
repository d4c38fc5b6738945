"""Checking a binder, in the order an auditor reads the verdict: the signature (covers the
whole file, intact, who signed it, when), every embedded evidence file against the
manifest, the page seal, then the digest (recomputed, and as printed in the pages).

Each check says one line (`Line`); the binder holds only when every line does.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from app.report.embed import SEAL_FORMAT, embedded_files, page_hashes
from app.report.manifest import (
    MANIFEST_NAME,
    SEAL_NAME,
    Manifest,
    ManifestEntry,
    ManifestError,
    digest_of,
    parse_manifest,
    sha256_hex,
    utc_text,
)
from app.signing.identity import spaced
from app.signing.pdf import SignatureCheck, check_signature

# The cover ("Evidence digest") and the manifest page ("Manifest digest") print it.
_PRINTED_DIGEST = re.compile(r"(?:Manifest|Evidence) digest \(SHA-256\):?\s*([0-9a-f]{64})")
OK, FAILED, UNSIGNED = "OK", "FAILED", "UNSIGNED"


class NotABinder(Exception):
    """The file is not a PDF, or a PDF this app did not export."""


@dataclass(frozen=True)
class Line:
    """One check's verdict: `topic` ("Signature", "Evidence", "Pages", "Digest")."""

    topic: str
    mark: str  # OK, FAILED or UNSIGNED (an unsigned binder from an earlier version)
    text: str

    @property
    def ok(self) -> bool:
        return self.mark != FAILED

    def render(self) -> str:
        return f"{self.topic}: {self.mark}: {self.text}"


@dataclass
class Verification:
    path: Path
    lines: list[Line] = field(default_factory=list)
    signature: SignatureCheck | None = None
    files_checked: int = 0
    pages_checked: int = 0
    digest: str = ""

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    @property
    def signed(self) -> bool:
        return self.signature is not None and self.signature.ok

    @property
    def problems(self) -> list[str]:
        return [f"{line.topic}: {line.text}" for line in self.lines if not line.ok]

    def add(self, topic: str, ok: bool, text: str) -> None:
        self.lines.append(Line(topic, OK if ok else FAILED, text))


def verify_binder(path: Path | str, trusted: Sequence[x509.Certificate] = ()) -> Verification:
    """What, if anything, was altered in the binder at `path`. With `trusted`
    certificates the binder must also be signed by one of them.

    Raises `NotABinder` for a file that is not a binder (a PDF from elsewhere, or not a
    PDF) and `OSError` when it cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    reader, files = _open(path, data)
    result = Verification(path=path)
    manifest_raw = files[MANIFEST_NAME][0]
    seal = _seal(files)
    _check_signature(result, data, trusted, bool(seal and seal.get("signed")))
    try:
        manifest = parse_manifest(manifest_raw)
    except ManifestError as exc:
        result.add("Evidence", False, f"the embedded manifest is damaged: {exc}")
        return result
    result.digest = manifest.digest
    _check_files(result, manifest.entries, files)
    _check_seal(result, reader, seal, manifest_raw, manifest.digest)
    _check_digest(result, reader, manifest)
    return result


def _open(path: Path, data: bytes) -> tuple[PdfReader, dict[str, list[bytes]]]:
    try:
        reader = PdfReader(io.BytesIO(data))
        files = embedded_files(reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        if data.lstrip()[:5] == b"%PDF-":  # a PDF (a binder, perhaps) damaged beyond reading
            raise OSError(f"it is a damaged PDF that cannot be read ({exc})") from exc
        raise NotABinder(f"{path} is not a PDF, let alone a binder ({exc}).") from exc
    if MANIFEST_NAME not in files:
        raise NotABinder(
            f"{path} is not an Audit Binder evidence binder: it carries no embedded "
            f"{MANIFEST_NAME}."
        )
    return reader, files


def _check_signature(
    result: Verification, data: bytes, trusted: Sequence[x509.Certificate], sealed_signed: bool
) -> None:
    check = check_signature(data, trusted)
    result.signature = check
    if not check.present:
        if sealed_signed:
            result.add(
                "Signature",
                False,
                "none, but the binder was exported signed: its signature was removed",
            )
        elif trusted:
            result.add("Signature", False, "none: the binder is not signed by anyone")
        else:
            result.lines.append(
                Line(
                    "Signature",
                    UNSIGNED,
                    "this binder is not signed (exported by an earlier version): the hashes "
                    "below show whether it was altered, not who exported it",
                )
            )
        return
    who = f"signed by {check.signer}, certificate SHA-256 {spaced(check.fingerprint)}"
    when = utc_text(check.signed_at) if check.signed_at else "unknown"
    claim = f"signing time {when} (the signer's claim: no timestamp authority)"
    if check.problems:
        result.add("Signature", False, f"{'; '.join(check.problems)} ({who})")
        return
    given = " (the certificate given)" if trusted else ""
    result.add(
        "Signature",
        True,
        f"covers the whole file and is intact; {who}{given}; {claim}",
    )


def _check_files(
    result: Verification, entries: tuple[ManifestEntry, ...], files: dict[str, list[bytes]]
) -> None:
    listed: set[str] = set()
    for entry in entries:
        listed.add(entry.name)
        contents = files.get(entry.name)
        if not contents:
            result.add("Evidence", False, f"{entry.name}: listed in the manifest, not embedded")
            continue
        actual = sha256_hex(contents[0])
        result.files_checked += 1
        if len(contents) > 1:
            result.add("Evidence", False, f"{entry.name}: embedded {len(contents)} times")
        elif actual != entry.sha256:
            result.add(
                "Evidence",
                False,
                f"{entry.name}: altered (SHA-256 is {actual}, the manifest says {entry.sha256})",
            )
        else:
            result.add("Evidence", True, f"{entry.name} SHA-256 {actual}")
    for name in sorted(set(files) - listed - {MANIFEST_NAME, SEAL_NAME}):
        result.add("Evidence", False, f"{name}: embedded but not in the manifest (added later)")


def _seal(files: dict[str, list[bytes]]) -> dict[str, object] | None:
    raw = files.get(SEAL_NAME, [b""])[0]
    try:
        seal = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(seal, dict) or seal.get("format") != SEAL_FORMAT:
        return None
    return seal


def _check_seal(
    result: Verification,
    reader: PdfReader,
    seal: dict[str, object] | None,
    manifest_raw: bytes,
    digest: str,
) -> None:
    pages = seal.get("pages") if seal else None
    if seal is None or not isinstance(pages, list):
        result.add("Pages", False, f"the page seal ({SEAL_NAME}) is missing or damaged")
        return
    if seal.get("manifest_sha256") != sha256_hex(manifest_raw) or seal.get("digest") != digest:
        result.add("Pages", False, "the page seal does not belong to this manifest")
    actual = page_hashes(reader)
    result.pages_checked = len(actual)
    sealed = [str(h) for h in pages]
    changed = [n for n, (a, b) in enumerate(zip(actual, sealed, strict=False), start=1) if a != b]
    if len(actual) != len(sealed):
        result.add("Pages", False, f"{len(actual)} pages; it had {len(sealed)} when exported")
    if changed:
        numbers = ", ".join(map(str, changed[:20])) + (" …" if len(changed) > 20 else "")
        result.add("Pages", False, f"the content of page(s) {numbers} was altered after export")
    if len(actual) == len(sealed) and not changed:
        result.add("Pages", True, f"all {len(actual)} pages match the page seal")


def _check_digest(result: Verification, reader: PdfReader, manifest: Manifest) -> None:
    problems: list[str] = []
    recomputed = digest_of(manifest.entries)
    if recomputed != manifest.digest:
        problems.append(
            f"the manifest's digest {manifest.digest} does not match its entries "
            f"(recomputed {recomputed}): the manifest was edited"
        )
    printed = _printed_digests(reader)
    if not printed:
        problems.append("it is not printed in the binder's pages (the text was altered)")
    elif len(printed) < 2:
        problems.append("it is no longer printed on both the cover and the manifest page")
    problems += [
        f"the digest printed in the binder ({value}) differs from the embedded manifest's "
        f"({manifest.digest})"
        for value in dict.fromkeys(printed)
        if value != manifest.digest
    ]
    if problems:
        result.add("Digest", False, "; ".join(problems))
    else:
        result.add(
            "Digest",
            True,
            f"{manifest.digest}, recomputed from the manifest and as printed on the cover "
            "and the manifest page",
        )


def _printed_digests(reader: PdfReader) -> list[str]:
    printed: list[str] = []
    # The cover, then the manifest from the back: no need to read every page's text.
    pages = list(reader.pages)
    for index, page in enumerate([pages[0], *reversed(pages[1:])]):
        found = _PRINTED_DIGEST.findall(page.extract_text() or "")
        printed.extend(found)
        if found and index > 0:
            break
    return printed
