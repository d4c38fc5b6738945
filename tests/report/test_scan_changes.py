"""The binder's "changes since the previous scan" compares only what both scans covered
(regions and controls) and says what it did not compare: a region scanned only once is
not "no longer present"."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from app.controls.catalogue import Catalogue
from app.controls.results import Status
from app.report.binder import export_binder
from app.report.data import gather
from app.store.database import open_database
from app.store.engagements import create_engagement
from tests.report.helpers import region_rows, stored_scan


def _text(pdf: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(pdf).pages))


def test_a_region_scanned_only_once_is_not_compared_and_the_binder_says_so(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    with open_database(tmp_path / "db.sqlite3") as db, db.session() as session:
        engagement = create_engagement(session, "Acme", actor="t")
        stored_scan(
            session,
            engagement,
            ["eu-west-1", "us-east-1"],
            region_rows(["eu-west-1", "us-east-1"], Status.FAIL),
        )
        stored_scan(session, engagement, ["us-east-1"], region_rows(["us-east-1"], Status.PASS))
        (change,) = gather(session, "Acme", catalogue=catalogue).changes
        export_binder(session, "Acme", tmp_path / "binder.pdf", catalogue=catalogue)

    assert change.removed_resources == ()  # eu-west-1 was not looked at, not emptied
    assert [r.resource.rsplit("/", 1)[1] for r in change.fixed] == ["trail"]
    assert change.regions_not_compared == ("eu-west-1",)
    text = _text(tmp_path / "binder.pdf")
    assert "Resources no longer present: 0" in text
    assert "Not compared: region eu-west-1 (scanned by scan 1 only)" in text


def test_only_the_controls_both_scans_checked_are_compared(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    with open_database(tmp_path / "db.sqlite3") as db, db.session() as session:
        engagement = create_engagement(session, "Acme", actor="t")
        stored_scan(session, engagement, ["us-east-1"], region_rows(["us-east-1"], Status.FAIL))
        nacls_only = [r for r in region_rows(["us-east-1"], Status.PASS) if r.control == "nacls"]
        stored_scan(session, engagement, ["us-east-1"], nacls_only, controls=["nacls"])
        (change,) = gather(session, "Acme", catalogue=catalogue).changes
        export_binder(session, "Acme", tmp_path / "binder.pdf", catalogue=catalogue)

    assert change.removed_resources == () and change.fixed == ()
    assert change.controls_compared == ("nacls",)
    text = _text(tmp_path / "binder.pdf")
    assert "Only control nacls was compared (scan 2 checked only nacls)" in text
