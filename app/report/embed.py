"""Embedding the raw evidence in the finished PDF, and sealing its pages.

reportlab cannot attach files, so the rendered PDF is post-processed with pypdf:
every evidence file, the manifest and a seal are added as embedded files. The seal
holds the SHA-256 of each page's content stream, so `verify` notices a page whose
text or drawing was changed after export, and says whether the binder is signed, so
that a signed binder cut back to its unsigned revision is not taken for an old one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from pypdf import PdfReader, PdfWriter

from app.report.manifest import MANIFEST_NAME, SEAL_NAME, sha256_hex

SEAL_FORMAT = "audit-binder-seal/1"


def page_hashes(reader: PdfReader) -> list[str]:
    """SHA-256 of each page's decoded content stream(s), in page order."""
    hashes = []
    for page in reader.pages:
        contents = page.get_contents()
        data = contents.get_data() if contents is not None else b""
        hashes.append(sha256_hex(data))
    return hashes


def seal_json(pages: list[str], manifest_raw: bytes, digest: str, *, signed: bool) -> bytes:
    document: dict[str, Any] = {
        "format": SEAL_FORMAT,
        "manifest_sha256": sha256_hex(manifest_raw),
        "digest": digest,
        "pages": pages,
        # The PAdES signature is applied right after this, as the file's last revision.
        "signed": signed,
    }
    return json.dumps(document, indent=1, sort_keys=True).encode("utf-8")


def embed_evidence(
    rendered: bytes,
    files: Mapping[str, bytes],
    manifest_raw: bytes,
    digest: str,
    *,
    signed: bool = False,
) -> bytes:
    """`rendered` with the evidence files, the manifest and the page seal embedded."""
    reader = PdfReader(io.BytesIO(rendered))
    seal = seal_json(page_hashes(reader), manifest_raw, digest, signed=signed)
    writer = PdfWriter(clone_from=reader)
    writer.add_attachment(MANIFEST_NAME, manifest_raw)
    writer.add_attachment(SEAL_NAME, seal)
    for name, content in files.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_files(reader: PdfReader) -> dict[str, list[bytes]]:
    """Every embedded file by name (a name may occur more than once)."""
    return {name: list(contents) for name, contents in reader.attachments.items()}
