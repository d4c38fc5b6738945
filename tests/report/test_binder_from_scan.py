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
