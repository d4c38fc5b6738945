"""Reading an engagement file (the format: `transfer`) into this database.

Import reads and checks everything first (hashes, fields, the sign-off chain) and
only then writes, so a tampered or odd file changes nothing. It never replaces an
existing engagement: a name clash is refused unless a new name is given.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.aws.receipts import CallReceipt
from app.controls.results import Status
from app.evidence import Evidence
from app.store.attachments import MAX_ATTACHMENT_BYTES
from app.store.audit import record
from app.store.control_states import IN_SCOPE, NOT_APPLICABLE
from app.store.decisions import Decision, decision_problems
from app.store.engagements import clean_soc2_categories, find_engagement
from app.store.errors import InvalidInput, NameTaken, TamperedFile, TransferError
from app.store.models import (
    Account,
    Attachment,
    AuditLogEntry,
    BinderExport,
    ControlState,
    CriterionDecision,
    Engagement,
    EvidenceRequest,
    ResultRow,
    RiskException,
    Scan,
    SignOff,
)
from app.store.scan_state import FINAL_STATES, ScanState
from app.store.scans import insert_result_rows
from app.store.signoffs import chain_problems
from app.store.transfer import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MANIFEST_HASH,
    MAX_MANIFEST_BYTES,
    upgrade_manifest,
)
from app.store.transfer_rows import load_row, load_values


@dataclass
class ParsedScan:
    """A scan and its checked result rows (column values, inserted in bulk)."""

    scan: Scan
    rows: list[dict[str, Any]]


@dataclass
class ParsedExport:
    """An engagement file read and checked, as transient rows not yet in any session."""

    engagement: Engagement
    exported_at: str
    exported_by: str
    manifest_sha256: str
    accounts: list[Account] = field(default_factory=list)
    scans: list[ParsedScan] = field(default_factory=list)
    states: list[ControlState] = field(default_factory=list)
    decisions: list[CriterionDecision] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    requests: list[EvidenceRequest] = field(default_factory=list)
    exceptions: list[RiskException] = field(default_factory=list)
    sign_offs: list[SignOff] = field(default_factory=list)
    audit_log: list[AuditLogEntry] = field(default_factory=list)
    binder_exports: list[BinderExport] = field(default_factory=list)


def _odd(problem: str) -> TransferError:
    return TransferError(f"This is not a usable Audit Binder engagement file: {problem}.")


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _odd(f"'{name}' is missing from it") from None
    if info.file_size > limit:
        raise _odd(f"'{name}' is larger than this app accepts")
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise _odd(f"'{name}' cannot be read ({error})") from error
    if len(data) > limit:
        raise _odd(f"'{name}' is larger than this app accepts")
    return data


def _items(manifest: dict[str, Any], key: str) -> list[Any]:
    value = manifest.get(key)
    if not isinstance(value, list):
        raise _odd(f"the manifest has no '{key}' list")
    return value


def _read_manifest(archive: zipfile.ZipFile) -> tuple[dict[str, Any], str]:
    body = _read_member(archive, MANIFEST, MAX_MANIFEST_BYTES)
    recorded = _read_member(archive, MANIFEST_HASH, 1024).decode("ascii", "replace").split()
    digest = hashlib.sha256(body).hexdigest()
    if not recorded or recorded[0] != digest:
        raise TamperedFile(
            "The engagement file was altered or damaged: its manifest does not match the "
            "hash recorded with it. Nothing was imported; ask for a fresh export."
        )
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _odd(f"the manifest is not JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _odd("it is not an engagement export")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise TransferError(
            f"The engagement file uses format version {version}, newer than this app reads "
            f"({FORMAT_VERSION}). Upgrade Audit Binder to import it; nothing was imported."
        )
    return manifest, digest


def _scan(data: Any, where: str) -> ParsedScan:
    scan = load_row(Scan, data, where)
    if scan.state not in (ScanState.RUNNING, *FINAL_STATES):  # "not stored" never is
        raise _odd(f"{where} has the unknown state '{scan.state}'")
    if scan.state == ScanState.RUNNING:  # exported mid-scan: it can never finish here
        scan.state = ScanState.INCOMPLETE
    try:
        [CallReceipt.from_json(r) for r in scan.receipts]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise _odd(f"{where} has malformed call receipts ({error})") from error
    rows = data.get("results")
    if not isinstance(rows, list):
        raise _odd(f"{where} has no results list")
    parsed = ParsedScan(scan, [])
    statuses = {s.value for s in Status}
    for number, item in enumerate(rows, start=1):
        row = load_values(ResultRow, item, f"{where}, result {number}")
        if row["status"] not in statuses:
            raise _odd(f"{where}, result {number} has the unknown status '{row['status']}'")
        try:
            [Evidence.from_json(e) for e in row["evidence"]]
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise _odd(f"{where}, result {number} has malformed evidence ({error})") from error
        parsed.rows.append(row)
    return parsed


def _attachment(archive: zipfile.ZipFile, data: Any, where: str) -> Attachment:
    path = data.get("path") if isinstance(data, dict) else None
    if not isinstance(path, str) or not path.startswith("attachments/") or ".." in path:
        raise _odd(f"{where} names no file inside the archive")
    content = _read_member(archive, path, MAX_ATTACHMENT_BYTES)
    attachment = load_row(Attachment, data, where, content=content)
    actual = hashlib.sha256(content).hexdigest()
    if actual != attachment.sha256 or len(content) != attachment.size:
        raise TamperedFile(
            f"The attachment '{attachment.original_name}' ({path}) in the engagement file "
            f"does not match its recorded SHA-256 (recorded {attachment.sha256[:12]}…, "
            f"actual {actual[:12]}…): it was altered. Nothing was imported."
        )
    return attachment


def _decision(data: Any, where: str) -> CriterionDecision:
    row = load_row(CriterionDecision, data, where)
    problems = decision_problems(
        Decision(row.applies, row.reason, row.justification, row.owner).cleaned()
    )
    if problems:
        raise _odd(f"{where} ({row.criterion_id}) is not a valid decision: {problems[0]}")
    return row


def _soc2_scope(engagement: Engagement) -> None:
    try:
        cleaned = clean_soc2_categories(engagement.soc2_categories)
    except InvalidInput as error:
        raise _odd(f"the engagement's SOC 2 scope is not valid ({error})") from error
    engagement.soc2_categories = cleaned


def parse_export(source: Path) -> ParsedExport:
    """Read and check an engagement file completely; raises `TransferError`/`TamperedFile`."""
    try:
        with zipfile.ZipFile(source) as archive:
            return _parse_archive(archive)
    except zipfile.BadZipFile as error:
        raise _odd(f"{source.name} is not a zip archive ({error})") from error
    except OSError as error:
        raise TransferError(f"Cannot read {source}: {error}.") from error


def _unique(keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise _odd(f"it lists the {what} {key} twice")
        seen.add(key)


def _parse_archive(archive: zipfile.ZipFile) -> ParsedExport:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise _odd("it holds the same file twice")
    manifest, digest = _read_manifest(archive)
    upgrade_manifest(manifest)
    parsed = ParsedExport(
        engagement=load_row(Engagement, manifest.get("engagement"), "the engagement"),
        exported_at=str(manifest.get("exported_at", "")),
        exported_by=str(manifest.get("exported_by", "")),
        manifest_sha256=digest,
    )
    for n, item in enumerate(_items(manifest, "accounts"), start=1):
        parsed.accounts.append(load_row(Account, item, f"account {n}"))
    for n, item in enumerate(_items(manifest, "scans"), start=1):
        parsed.scans.append(_scan(item, f"scan {n}"))
    for n, item in enumerate(_items(manifest, "control_states"), start=1):
        state = load_row(ControlState, item, f"control state {n}")
        if state.applicability not in (IN_SCOPE, NOT_APPLICABLE):
            raise _odd(f"control state {n} has the unknown applicability '{state.applicability}'")
        parsed.states.append(state)
    for n, item in enumerate(_items(manifest, "criterion_decisions"), start=1):
        parsed.decisions.append(_decision(item, f"decision {n}"))
    _soc2_scope(parsed.engagement)
    for n, item in enumerate(_items(manifest, "attachments"), start=1):
        parsed.attachments.append(_attachment(archive, item, f"attachment {n}"))
    for n, item in enumerate(_items(manifest, "evidence_requests"), start=1):
        parsed.requests.append(load_row(EvidenceRequest, item, f"evidence request {n}"))
    for n, item in enumerate(_items(manifest, "exceptions"), start=1):
        parsed.exceptions.append(load_row(RiskException, item, f"exception {n}"))
    for n, item in enumerate(_items(manifest, "sign_offs"), start=1):
        parsed.sign_offs.append(load_row(SignOff, item, f"sign-off {n}"))
    for n, item in enumerate(_items(manifest, "audit_log"), start=1):
        parsed.audit_log.append(load_row(AuditLogEntry, item, f"audit log entry {n}"))
    for n, item in enumerate(_items(manifest, "binder_exports"), start=1):
        parsed.binder_exports.append(load_row(BinderExport, item, f"binder export {n}"))
    expected = {MANIFEST, MANIFEST_HASH} | {a["path"] for a in manifest["attachments"]}
    unexpected = sorted(set(names) - expected)
    if unexpected:
        raise _odd(f"it holds files the manifest does not list ({', '.join(unexpected[:3])})")
    _unique([a.account_id for a in parsed.accounts], "account")
    _unique([s.control_id for s in parsed.states], "control state for")
    _unique([f"{d.framework} {d.criterion_id}" for d in parsed.decisions], "decision for")
    _unique([f"{r.control_id}/{r.item_id}" for r in parsed.requests], "evidence request")
    problems = chain_problems(parsed.sign_offs)
    if problems:
        raise TamperedFile(
            f"The sign-offs in the engagement file were altered ({problems[0]}). "
            "Nothing was imported."
        )
    return parsed


def import_engagement(
    session: Session, source: Path, *, actor: str, new_name: str | None = None
) -> Engagement:
    """Add the engagement in `source` to this database, under `new_name` if given.

    Raises `NameTaken` when the name is in use (nothing is replaced), `TamperedFile`
    or `TransferError` when the file cannot be trusted or read; nothing is written then.
    """
    parsed = parse_export(source)
    engagement = parsed.engagement
    original_name = engagement.name
    name = " ".join((new_name or original_name).split())
    if not name:
        raise TransferError("Give the imported engagement a name.")
    if find_engagement(session, name) is not None:
        raise NameTaken(
            f"An engagement named '{name}' already exists here; it was not replaced. "
            "Import the file under a new name."
        )
    engagement.name = name
    engagement.accounts = parsed.accounts
    engagement.scans = [item.scan for item in parsed.scans]
    session.add(engagement)
    session.flush()
    for item in parsed.scans:
        insert_result_rows(session, item.scan, item.rows)
    owned: list[Any] = [  # every kind of row an engagement owns, by its engagement_id
        *parsed.states,
        *parsed.decisions,
        *parsed.attachments,
        *parsed.requests,
        *parsed.exceptions,
        *parsed.sign_offs,
        *parsed.audit_log,
        *parsed.binder_exports,
    ]
    for row in owned:
        row.engagement_id = engagement.id
    session.add_all(
        [
            *parsed.states,
            *parsed.decisions,
            *parsed.attachments,
            *parsed.requests,
            *parsed.exceptions,
        ]
    )
    session.add_all(parsed.sign_offs)  # in chain order, so ids keep the order
    session.add_all(parsed.audit_log)
    session.add_all(parsed.binder_exports)
    session.flush()
    record(
        session,
        actor=actor,
        action="engagement.import",
        target=name,
        engagement=engagement,
        detail={
            "file": source.name,
            "original_name": original_name,
            "exported_at": parsed.exported_at,
            "exported_by": parsed.exported_by,
            "manifest_sha256": parsed.manifest_sha256,
        },
    )
    return engagement
