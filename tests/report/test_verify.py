"""The manifest matches the evidence, and `verify` notices any alteration."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from app.cli import main
from app.report.manifest import MANIFEST_NAME, SEAL_NAME, digest_of, parse_manifest
from app.store.database import open_database
from app.store.engagements import find_engagement
from app.store.models import Attachment
from tests.conftest import db_argument
from tests.report.conftest import Built
from tests.result_schema import assert_valid


def test_manifest_covers_the_latest_scan_and_every_attachment_with_matching_hashes(
    standard: Built,
) -> None:
    files = standard.reader.attachments
    manifest = parse_manifest(files[MANIFEST_NAME][0])
    kinds = [e.kind for e in manifest.entries]
    # Two scans of one account: the latest is embedded whole, the earlier one is counted
    # in the period ledger and listed in the history, not embedded.
    assert kinds.count("scan-result") == 1 and standard.summary.scans == 2
    assert not [name for name in files if name.startswith("scan-") and "0001" in name]
    with open_database(standard.db) as database, database.session() as session:
        engagement = find_engagement(session, "Acme 2026")
        assert engagement is not None
        stored = {
            a.sha256: bytes(a.content)
            for a in session.query(Attachment).filter_by(engagement_id=engagement.id)
        }
    assert kinds.count("attachment") == len(stored) == 4
    for entry in manifest.entries:
        content = files[entry.name][0]
        assert hashlib.sha256(content).hexdigest() == entry.sha256
        assert len(content) == entry.size
        if entry.kind == "attachment":
            assert stored[entry.sha256] == content
        else:
            document = json.loads(content)
            assert_valid(document)  # the binder embeds exactly what `scan --json` writes
            assert document["schema_version"] == 1
            assert document["account"]["id"] == "123456789012"
            assert {r["status"] for r in document["results"]} >= {"PASS", "FAIL"}
    assert manifest.digest == digest_of(manifest.entries) == standard.summary.digest
    # The digest is printed in the pages, and every file's hash is in the manifest table.
    assert f"Manifest digest (SHA-256): {manifest.digest}" in standard.text
    for entry in manifest.entries:
        assert entry.sha256 in standard.flat


def test_verify_passes_on_a_fresh_binder(
    standard: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(standard.pdf)]) == 0
    out = capsys.readouterr().out
    assert "intact" in out and standard.summary.digest in out
    lines = out.splitlines()
    assert lines[0].startswith("Signature: OK: covers the whole file and is intact")
    assert [line.split(":")[0] for line in lines[:-1]] == ["Signature"] + ["Evidence"] * (
        len(lines) - 4
    ) + ["Pages", "Digest"]


def test_verify_catches_an_altered_embedded_file(
    fresh_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = fresh_copy.read_bytes()
    # The text attachment is stored uncompressed: change one word, same length.
    assert raw.count(b"pick a recovery point") == 1
    fresh_copy.write_bytes(raw.replace(b"pick a recovery point", b"PICK a recovery point"))
    assert main(["verify", str(fresh_copy)]) == 1
    ran = capsys.readouterr()
    assert "ALTERED" in ran.err
    assert re.search(r"Evidence: FAILED: attachment-\d{4}-restore-procedure\.txt: altered", ran.out)
    assert "Signature: FAILED: the signed bytes were changed" in ran.out


def _rewrite(source: Path, target: Path, change: Callable[[PdfWriter], None]) -> None:
    writer = PdfWriter(clone_from=PdfReader(source))
    change(writer)
    with target.open("wb") as handle:
        writer.write(handle)


def test_verify_catches_altered_page_content(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "edited.pdf"

    def edit_page_four(writer: PdfWriter) -> None:
        page = writer.pages[3]
        contents = page.get_contents()
        assert contents is not None
        # Draw one more word on the page, as someone "correcting" a finding would.
        contents.set_data(contents.get_data() + b"\nBT 100 100 Td (forged) Tj ET\n")
        page.replace_contents(contents)

    _rewrite(standard.pdf, target, edit_page_four)
    assert main(["verify", str(target)]) == 1
    out = capsys.readouterr().out
    assert "Pages: FAILED: the content of page(s) 4 was altered after export" in out
    assert "Evidence: FAILED" not in out  # the evidence files themselves are fine


def test_a_resaved_binder_keeps_its_evidence_but_not_its_signature(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "resaved.pdf"
    _rewrite(standard.pdf, target, lambda writer: None)
    assert main(["verify", str(target)]) == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if ": FAILED: " in line]
    assert len(failed) == 1 and failed[0].startswith("Signature: FAILED")


def test_verify_catches_a_consistently_forged_manifest(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Swap an attachment and rewrite the manifest to match: the printed digest betrays it."""
    reader = PdfReader(standard.pdf)
    manifest = json.loads(reader.attachments[MANIFEST_NAME][0])
    entry = next(e for e in manifest["entries"] if e["name"].endswith("restore-procedure.txt"))
    forged = b"a different procedure\n"
    entry["sha256"] = hashlib.sha256(forged).hexdigest()
    entry["size"] = len(forged)
    manifest["digest"] = digest_of(parse_manifest(json.dumps(manifest).encode()).entries)
    replacements = {entry["name"]: forged, MANIFEST_NAME: json.dumps(manifest).encode()}
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, contents in reader.attachments.items():
        writer.add_attachment(name, replacements.get(name, contents[0]))
    target = tmp_path / "forged.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    assert main(["verify", str(target)]) == 1
    out = capsys.readouterr().out
    assert "differs from the embedded manifest's" in out
    assert "Pages: FAILED: the page seal does not belong to this manifest" in out
    # A rebuilt file carries no signature, though its seal says it was signed.
    assert "Signature: FAILED: none, but the binder was exported signed" in out


def test_verify_refuses_a_pdf_that_is_not_a_binder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.pdf"
    canvas = Canvas(str(plain))
    canvas.drawString(100, 700, "Just a letter")
    canvas.save()
    assert main(["verify", str(plain)]) == 2
    assert "not an Audit Binder evidence binder" in capsys.readouterr().err
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a PDF at all")
    assert main(["verify", str(junk)]) == 2
    assert "is not a PDF" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 1
    assert "could not check" in capsys.readouterr().err


def test_verify_reports_a_missing_seal(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = PdfReader(standard.pdf)
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for name, contents in reader.attachments.items():
        if name != SEAL_NAME:
            writer.add_attachment(name, contents[0])
    target = tmp_path / "unsealed.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    assert main(["verify", str(target)]) == 1
    assert "Pages: FAILED: the page seal (binder-seal.json) is missing" in capsys.readouterr().out


def test_export_command_writes_a_binder_that_verifies(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "binder.pdf"
    code = main(
        ["export", "--engagement", "Acme 2026", "--pdf", str(out), "--db", db_argument(standard.db)]
    )
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert f"audit-binder verify {out}" in printed
    assert main(["verify", str(out)]) == 0
    assert not list(out.parent.glob(".*.tmp"))


def test_export_of_an_unknown_engagement_lists_the_existing_ones(
    standard: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    code = main(
        ["export", "--engagement", "Nope", "--pdf", str(out), "--db", db_argument(standard.db)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "There is no engagement named 'Nope'" in err and "'Acme 2026'" in err
    assert not out.exists()


def test_export_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "export",
            "--engagement",
            "A",
            "--pdf",
            str(tmp_path / "x.pdf"),
            "--db",
            str(tmp_path / "none.sqlite3"),
        ]
    )
    assert code == 1
    assert "no database" in capsys.readouterr().err


def test_export_reports_progress_and_writes_nothing_when_it_fails(
    standard: Built, tmp_path: Path
) -> None:
    from app.report.binder import export_binder

    seen: list[tuple[int, int, str]] = []
    out = tmp_path / "progress.pdf"
    with open_database(standard.db) as database, database.session() as session:
        export_binder(session, "Acme 2026", out, progress=lambda *a: seen.append(a))

        def cancel(done: int, total: int, text: str) -> None:
            if text.startswith("Page 3"):
                raise KeyboardInterrupt  # what a cancelled worker's progress does

        with pytest.raises(KeyboardInterrupt):
            export_binder(session, "Acme 2026", tmp_path / "cancelled.pdf", progress=cancel)
    assert seen[0] == (0, 6, "Gathering evidence") and seen[-1] == (6, 6, "Done")
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert any(text.startswith("Page ") for _, _, text in seen)
    assert out.exists() and not (tmp_path / "cancelled.pdf").exists()
    assert not list(tmp_path.glob(".*.tmp"))
