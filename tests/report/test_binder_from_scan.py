"""End to end: scan a (moto) AWS account, export its binder, verify it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.report.manifest import MANIFEST_NAME


@pytest.mark.slow
def test_binder_of_a_scanned_account(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, pdf = tmp_path / "store.sqlite3", tmp_path / "binder.pdf"
    scan = ["scan", "--engagement", "Moto", "--db", str(db), "--regions", "us-east-1"]
    assert main(scan) == 0, capsys.readouterr().err
    assert main(["export", "--engagement", "Moto", "--pdf", str(pdf), "--db", str(db)]) == 0
    assert main(["verify", str(pdf)]) == 0
    reader = PdfReader(pdf)
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    flat = re.sub(r"\s+", "", text)
    files = reader.attachments
    manifest = json.loads(files[MANIFEST_NAME][0])
    [scan_file] = [e["name"] for e in manifest["entries"] if e["kind"] == "scan-result"]
    document = json.loads(files[scan_file][0])
    assert document["account"]["id"] == "123456789012"
    assert document["account"]["caller_arn"] in flat
    assert document["results"], "the scan judged nothing"
    for result in document["results"]:
        assert re.sub(r"\s+", "", result["resource"]) in flat
        for evidence in result["evidence"]:
            assert evidence["operation"] in flat  # the API call is named in the binder


@pytest.mark.slow
def test_the_binder_shows_each_populations_listings_and_the_export_log(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store.sqlite3"
    scan = ["scan", "--engagement", "Moto", "--db", str(db), "--regions", "us-east-1"]
    assert main([*scan, "--controls", "sg-inbound"]) == 0, capsys.readouterr().err
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    for pdf in (first, second):
        assert main(["export", "--engagement", "Moto", "--pdf", str(pdf), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    reader = PdfReader(second)
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))
    flat = re.sub(r"\s+", "", text)
    files = reader.attachments
    manifest = json.loads(files[MANIFEST_NAME][0])
    [scan_file] = [e["name"] for e in manifest["entries"] if e["kind"] == "scan-result"]
    calls = json.loads(files[scan_file][0])["api_calls"]
    [listing] = [c for c in calls if c["operation"] == "ec2:DescribeSecurityGroups"]

    assert "Completeness of the population" in text
    assert (
        listing["recount_command"] in text or re.sub(r"\s+", "", listing["recount_command"]) in flat
    )
    assert listing["pages"][0]["sha256"] in flat and listing["pages"][0]["request_id"] in flat
    assert f"{listing['records']} complete" in text
    # The cover says how to check it; the history lists the earlier export.
    cover = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "This PDF is digitally signed (PAdES)" in cover and "signature panel" in cover
    assert "audit-binder verify <this file> --cert" in cover
    digest = re.search(r"Evidence digest \(SHA-256\): ([0-9a-f]{64})", out)
    assert digest is not None
    assert "Earlier exports of this binder" in text
    assert "first.pdf" in text and digest.group(1) in flat
    first_text = " ".join(page.extract_text() for page in PdfReader(first).pages)
    assert "This is the first export of this engagement's binder." in re.sub(
        r"\s+", " ", first_text
    )
