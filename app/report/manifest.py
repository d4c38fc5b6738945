"""The evidence manifest: the SHA-256 of every evidence file and a digest over them all.

The digest is the SHA-256 of the manifest's lines in `sha256sum` format
(`<hash>  <name>\\n`, sorted by name), so anyone can recompute it with standard
tools from the embedded files. It is printed in the binder and stored in the
embedded `binder-manifest.json`; `verify` checks both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.evidence import iso_utc
from app.report.model import BinderData

MANIFEST_NAME = "binder-manifest.json"
SEAL_NAME = "binder-seal.json"
FORMAT = "audit-binder-manifest/1"


class ManifestError(ValueError):
    """The embedded manifest is missing or not one this app wrote."""


@dataclass(frozen=True)
class ManifestEntry:
    name: str  # the embedded file's name
    kind: str  # "scan-result" or "attachment"
    sha256: str
    size: int
    label: str
    collected_at: str  # ISO UTC
    in_period: bool | None


@dataclass(frozen=True)
class Manifest:
    engagement: str
    generated_at: str
    entries: tuple[ManifestEntry, ...]
    digest: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(entries: tuple[ManifestEntry, ...] | list[ManifestEntry]) -> str:
    lines = "".join(f"{e.sha256}  {e.name}\n" for e in sorted(entries, key=lambda e: e.name))
    return sha256_hex(lines.encode("utf-8"))


def build_manifest(data: BinderData) -> tuple[Manifest, dict[str, bytes]]:
    """The manifest and the files it covers (embedded name -> bytes)."""
    files: dict[str, bytes] = {}
    entries: list[ManifestEntry] = []
    for scan in data.scans:
        files[scan.embedded_name] = scan.document
        entries.append(
            ManifestEntry(
                name=scan.embedded_name,
                kind="scan-result",
                sha256=sha256_hex(scan.document),
                size=len(scan.document),
                label=f"Scan {scan.id} of account {scan.account_id} ({scan.state})",
                collected_at=iso_utc(scan.started_at),
                in_period=scan.in_period,
            )
        )
    for section in data.controls:
        for item in section.attachments:
            files[item.embedded_name] = item.content
            entries.append(
                ManifestEntry(
                    name=item.embedded_name,
                    kind="attachment",
                    sha256=item.sha256,
                    size=item.size,
                    label=f"{section.control.id}: {item.name}",
                    collected_at=iso_utc(item.added_at),
                    in_period=item.in_period,
                )
            )
    entries.sort(key=lambda e: e.name)
    manifest = Manifest(
        engagement=data.engagement.name,
        generated_at=iso_utc(data.generated_at),
        entries=tuple(entries),
        digest=digest_of(entries),
    )
    return manifest, files


def manifest_json(manifest: Manifest) -> bytes:
    document: dict[str, Any] = {
        "format": FORMAT,
        "engagement": manifest.engagement,
        "generated_at": manifest.generated_at,
        "digest_algorithm": "sha256 over sorted '<sha256>  <name>\\n' lines",
        "digest": manifest.digest,
        "entries": [
            {
                "name": e.name,
                "kind": e.kind,
                "sha256": e.sha256,
                "size": e.size,
                "label": e.label,
                "collected_at": e.collected_at,
                "in_period": e.in_period,
            }
            for e in manifest.entries
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")


def parse_manifest(raw: bytes) -> Manifest:
    try:
        document = json.loads(raw.decode("utf-8"))
        if document.get("format") != FORMAT:
            raise ManifestError(f"unknown manifest format {document.get('format')!r}")
        entries = tuple(
            ManifestEntry(
                name=str(e["name"]),
                kind=str(e["kind"]),
                sha256=str(e["sha256"]),
                size=int(e["size"]),
                label=str(e.get("label", "")),
                collected_at=str(e.get("collected_at", "")),
                in_period=e.get("in_period"),
            )
            for e in document["entries"]
        )
        return Manifest(
            engagement=str(document["engagement"]),
            generated_at=str(document["generated_at"]),
            entries=entries,
            digest=str(document["digest"]),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ManifestError):
            raise
        raise ManifestError(f"the embedded manifest cannot be read: {exc}") from exc


def utc_text(moment: datetime) -> str:
    """`2026-11-28 10:00:09 UTC`: timestamps as the binder prints them."""
    return iso_utc(moment).replace("T", " ").replace("Z", " UTC")
