"""The engagement file: moving an engagement between machines as one file (a zip).

Layout: `manifest.json` (format version, every row, each attachment's path, size and
SHA-256), `manifest.sha256` (the manifest's own hash) and `attachments/<n>-<name>`.
Format 2 added the Statement of Applicability (`criterion_decisions`, the engagement's
`soc2_categories`; its approvals are sign-offs); a format 1 file imports with every
criterion undecided and SOC 2 scope "security". Format 3 added each scan's call
`receipts` and the binder export log (`binder_exports`); older files import with none.
Format 4 added recurring evidence (`evidence_requests`, each attachment's
`effective_on`); older files import with none (catalogue defaults, the day added).

Writing is `transfer_export`, reading and checking `transfer_import`, each row's fields
`transfer_rows`.
"""

from __future__ import annotations

from typing import Any

from app.store.engagements import SECURITY

FORMAT = "audit-binder-engagement"
FORMAT_VERSION = 4
MANIFEST, MANIFEST_HASH = "manifest.json", "manifest.sha256"
MAX_MANIFEST_BYTES = 512 * 1024 * 1024


def upgrade_manifest(manifest: dict[str, Any]) -> None:
    """Fill in what an engagement file of an older format lacks, as this version would
    have written it (format 1: no SoA; format 2: no call receipts, no export log;
    format 3: no recurring evidence)."""
    if manifest["format_version"] < 2:  # from before the Statement of Applicability
        manifest["criterion_decisions"] = []
        if isinstance(manifest.get("engagement"), dict):
            manifest["engagement"].setdefault("soc2_categories", [SECURITY])
    if manifest["format_version"] < 3:  # from before call receipts and the export log
        manifest["binder_exports"] = []
        for scan in manifest.get("scans") or []:
            if isinstance(scan, dict):
                scan.setdefault("receipts", [])
    if manifest["format_version"] < 4:  # from before recurring evidence
        manifest["evidence_requests"] = []
        for attachment in manifest.get("attachments") or []:
            if isinstance(attachment, dict):
                attachment.setdefault("effective_on", None)
