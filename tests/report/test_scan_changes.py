"""The binder's "changes since the previous scan" compares only what both scans covered
(regions and controls) and says what it did not compare: a region scanned only once is
not "no longer present"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.controls.catalogue import Catalogue
from app.controls.results import CheckResult, Status
from app.report.binder import export_binder
from app.report.data import gather
from app.store.database import open_database
from app.store.engagements import create_engagement
from app.store.models import Engagement
from app.store.scans import add_results, finish_scan, start_scan

ACCOUNT = "123456789012"


def _row(control: str, check: str, region: str, name: str, status: Status) -> CheckResult:
    resource = f"arn:aws:ec2:{region}:{ACCOUNT}:thing/{name}"
    return CheckResult(control, check, region, resource, status, "judged", ACCOUNT)


def _scan(
    session: Session,
    engagement: Engagement,
    regions: Sequence[str],
    rows: Sequence[CheckResult],
    controls: Sequence[str] = (),
) -> None:
    scan = start_scan(
        session, engagement, account_id=ACCOUNT, actor="t", regions=regions, controls=controls
    )
    add_results(session, scan, rows)
    finish_scan(session, scan, actor="t")


def _rows(regions: Sequence[str], trail_status: Status) -> list[CheckResult]:
    rows = [_row("cloudtrail", "trail-logging", "global", "trail", trail_status)]
    for region in regions:
        rows.append(_row("nacls", "nacl-restricted", region, f"acl-{region}", Status.PASS))
        rows.append(
            _row("sg-inbound", "sg-inbound-restricted", region, f"sg-{region}", Status.PASS)
        )
    return rows


def _text(pdf: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(pdf).pages))


def test_a_region_scanned_only_once_is_not_compared_and_the_binder_says_so(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    with open_database(tmp_path / "db.sqlite3") as db, db.session() as session:
        engagement = create_engagement(session, "Acme", actor="t")
        _scan(
            session,
            engagement,
            ["eu-west-1", "us-east-1"],
            _rows(["eu-west-1", "us-east-1"], Status.FAIL),
        )
        _scan(session, engagement, ["us-east-1"], _rows(["us-east-1"], Status.PASS))
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
        _scan(session, engagement, ["us-east-1"], _rows(["us-east-1"], Status.FAIL))
        nacls_only = [r for r in _rows(["us-east-1"], Status.PASS) if r.control == "nacls"]
        _scan(session, engagement, ["us-east-1"], nacls_only, controls=["nacls"])
        (change,) = gather(session, "Acme", catalogue=catalogue).changes
        export_binder(session, "Acme", tmp_path / "binder.pdf", catalogue=catalogue)

    assert change.removed_resources == () and change.fixed == ()
    assert change.controls_compared == ("nacls",)
    text = _text(tmp_path / "binder.pdf")
    assert "Only control nacls was compared (scan 2 checked only nacls)" in text
