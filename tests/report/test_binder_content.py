"""What an auditor looks for in the binder, read back from the PDF."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.controls.catalogue import FAMILY_TITLES, Catalogue, Control
from app.report.story_manual import MANUAL_CONTROL
from app.store.attachments import add_attachment
from app.store.database import Database, open_database
from app.store.engagements import find_engagement
from app.store.models import ResultRow
from app.store.scans import latest_results
from tests.report.conftest import Built, build
from tests.report.populate import Spec


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_sections_exist_as_bookmarks_pointing_at_their_pages(standard: Built) -> None:
    outline = _outline(standard.reader)
    top = [title for depth, title, _ in outline if depth == 0]
    assert top == [
        "1  Summary",
        "2  ISO 27001:2022 Statement of Applicability",
        "3  SOC 2 criteria",
        "4  Controls",
        "5  Scan history",
        "A  Evidence manifest",
    ]
    for _, title, page in outline:
        heading = title.split("  ", 1)[-1]
        page_text = re.sub(r"\s+", " ", standard.pages[page - 1])
        assert heading in page_text, f"bookmark {title!r} points at page {page}"


def _in_binder_order(catalogue: Catalogue) -> list[Control]:
    """The controls as the binder numbers them: family by family."""
    return [control for _, controls in catalogue.by_family() for control in controls]


def test_every_control_has_a_numbered_section(standard: Built, catalogue: Catalogue) -> None:
    outline = _outline(standard.reader)
    titles = [title for depth, title, _ in outline if depth == 2 and title.startswith("4.")]
    ordered = _in_binder_order(catalogue)
    assert titles == [f"4.{i}  {c.title}" for i, c in enumerate(ordered, start=1)]
    for control in catalogue.controls:
        assert f"Control id {control.id}" in standard.words
    # One bookmark per family, in the catalogue's family order, holding its controls.
    families = [title for depth, title, _ in outline if depth == 1 and "(4." in title]
    assert [f.split(" (4.")[0] for f in families] == [
        FAMILY_TITLES[family] for family, _ in catalogue.by_family()
    ]


def test_contents_page_numbers_point_at_real_pages(standard: Built, catalogue: Catalogue) -> None:
    # The contents run from page 2 to the page before the summary.
    summary = next(page for _, title, page in _outline(standard.reader) if title == "1  Summary")
    contents = "\n".join(standard.pages[1 : summary - 1])
    assert "Contents" in standard.pages[1]
    # Each entry is drawn as its dot leader and page number, then its title.
    entries = dict(
        (title.strip(), int(page))
        for page, title in re.findall(r"\.\s+(\d+)\n([^\n.][^\n]*)", contents)
    )
    assert len(entries) >= len(catalogue.controls) + 5
    for index, control in enumerate(_in_binder_order(catalogue), start=1):
        page = entries[f"4.{index} {control.title}"]
        assert control.title in re.sub(r"\s+", " ", standard.pages[page - 1])


def test_footer_says_page_x_of_y(standard: Built) -> None:
    total = len(standard.pages)
    assert total == standard.summary.pages
    for number in (1, total // 2, total):
        assert re.search(rf"Page {number} of\s+{total}\b", standard.pages[number - 1])


def test_cover_names_who_when_and_what(standard: Built) -> None:
    cover = standard.pages[0]
    for expected in (
        "Audit evidence binder",
        "Acme GmbH",
        "ISO 27001:2022, SOC 2",
        "123456789012 (acme-prod)",
        "arn:aws:sts::123456789012:assumed-role/AuditReadOnly/founder@example.com",
        "Audit Binder 0.",
        "UTC",
        "audit-binder verify",
    ):
        assert expected in cover
    assert "DEMO" not in standard.text


def test_whole_population_appears_pass_rows_included(standard: Built) -> None:
    with open_database(standard.db) as database, database.session() as session:
        engagement = find_engagement(session, "Acme 2026")
        assert engagement is not None
        rows = [
            r for rows in latest_results(session, engagement, _ids(session)).values() for r in rows
        ]
    assert any(r.status == "PASS" for r in rows)
    assert len(rows) == standard.summary.results
    for row in rows:
        assert re.sub(r"\s+", "", row.resource) in standard.flat, row.resource


def _ids(session: object) -> list[str]:
    from sqlalchemy import select

    return list(dict.fromkeys(session.scalars(select(ResultRow.control_id))))  # type: ignore[attr-defined]


def test_statement_of_applicability_lists_criteria_with_references(
    standard: Built, catalogue: Catalogue
) -> None:
    starts = {title: page for depth, title, page in _outline(standard.reader) if depth == 0}
    soa = "\n".join(
        standard.pages[
            starts["2  ISO 27001:2022 Statement of Applicability"] - 1 : starts["3  SOC 2 criteria"]
            - 1
        ]
    )
    for control in catalogue.controls:
        for criterion in control.mapping.iso27001:
            assert criterion in soa
    assert "§4." in soa
    soc2 = "\n".join(standard.pages[starts["3  SOC 2 criteria"] - 1 : starts["4  Controls"] - 1])
    # A new engagement's SOC 2 scope is security alone: the other categories are named.
    assert "CC6.6" in soc2 and "PI1.3" not in soc2
    assert "Not in its scope: Availability, Confidentiality, Processing integrity" in soc2


def test_findings_exceptions_and_sign_off_are_shown(standard: Built) -> None:
    text = re.sub(r"\s+", " ", standard.text)
    assert "Findings and remediation" in text
    assert "Legacy partner VPN until migration" in text
    assert "CTO<cto@example.com>" in standard.flat
    assert "Rita Reviewer" in text and "Security lead" in text
    assert "Current" in text  # nothing changed since the sign-off


def test_images_are_embedded_and_a_corrupt_one_is_listed(standard: Built) -> None:
    images = sum(
        1
        for page in standard.reader.pages
        for name in (page.get("/Resources", {}).get("/XObject", {}) or {})
        if page["/Resources"]["/XObject"][name].get_object().get("/Subtype") == "/Image"
    )
    assert images == 2
    text = re.sub(r"\s+", " ", standard.text)
    assert "broken.png" in text
    assert "The image cannot be shown (not a readable image)" in text
    assert "restore-procedure.txt" in text


def test_scan_history_and_changes_between_the_last_two_scans(standard: Built) -> None:
    text = re.sub(r"\s+", " ", standard.text)
    assert "Changes in account 123456789012: scan 1 → 2" in text
    assert "Resources no longer present: 1" in text
    assert "gone-1" in standard.flat
    assert "New failures: 22" in text or re.search(r"New failures: \d+", text)


def test_evidence_outside_the_audit_period_is_marked(standard: Built, catalogue: Catalogue) -> None:
    history = next(p for p in standard.pages if "5 Scan history" in p and "Caller" in p)
    # The first scan ran two days ago, before the period began; the second is inside it
    # (two passing and two failing rows per check).
    half = 2 * sum(len(control.checks) for control in catalogue.controls)
    assert history.count("UTC †") == 1
    assert history.index("UTC †") < history.index(f"{half} / {half} / 0 / 0")
    manifest = next(p for p in standard.pages if "Manifest digest" in p)
    assert "†" in manifest


def test_nothing_marked_when_everything_is_in_period(tmp_path: Path, catalogue: Catalogue) -> None:
    today = date.today()
    spec = Spec(
        results_per_check=1,
        images=0,
        corrupt_image=False,
        two_scans=False,
        period=(today - timedelta(days=5), today + timedelta(days=5)),
    )
    built = build(tmp_path, spec, catalogue)
    marks = built.text.count("†")
    legend = built.text.count("† marks") + built.text.count("† collected outside")
    assert marks == legend


def test_everything_marked_when_the_period_is_over(tmp_path: Path, catalogue: Catalogue) -> None:
    today = date.today()
    spec = Spec(
        results_per_check=1,
        images=1,
        corrupt_image=False,
        two_scans=False,
        period=(today - timedelta(days=90), today - timedelta(days=30)),
    )
    built = build(tmp_path, spec, catalogue)
    population_marks = re.findall(r"\d\d:\d\d:\d\d †", built.text)
    assert len(population_marks) >= built.summary.results
    assert "outside the audit period)" in built.text  # the attachment's caption


@pytest.mark.slow
def test_more_results_make_more_pages(tmp_path: Path, catalogue: Catalogue) -> None:
    # Two controls with eleven checks between them: every control's section is in both
    # binders, only these have results (with 60 rows a check's population spans pages).
    controls = ("encryption-at-rest", "backups")
    small = build(
        tmp_path / "small",
        Spec(results_per_check=2, images=0, two_scans=False, controls=controls),
        catalogue,
    )
    large = build(
        tmp_path / "large",
        Spec(results_per_check=60, images=0, two_scans=False, controls=controls),
        catalogue,
    )
    assert large.summary.results == 30 * small.summary.results
    assert len(large.pages) >= len(small.pages) + 20
    # A population spanning pages repeats its header row on each page it covers.
    spanning = [p for p in large.pages if re.search(r"judged 3\d\b", p)]
    assert len(spanning) > 10
    assert all("Resource" in p and "Collected" in p for p in spanning)


def test_a_later_change_makes_the_sign_off_stale(tmp_path: Path, catalogue: Catalogue) -> None:
    def add_evidence(database: Database) -> None:
        with database.session() as session:
            engagement = find_engagement(session, "Acme 2026")
            assert engagement is not None
            add_attachment(
                session,
                engagement,
                "cloudtrail",
                name="later.txt",
                content=b"added after the sign-off",
                actor="tester",
            )

    built = build(
        tmp_path,
        Spec(results_per_check=1, images=0, two_scans=False),
        catalogue,
        after=add_evidence,
    )
    text = re.sub(r"\s+", " ", built.text)
    assert "Stale (changed since)" in text
    assert "Sign-off stale" in text


def test_demo_binder_says_demo_on_every_page(hostile: Built) -> None:
    assert all("DEMO" in page for page in hostile.pages)


def test_an_engagement_without_scans_exports_a_coherent_binder(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    from app.cli import main
    from app.report.binder import export_binder
    from app.store.engagements import create_engagement

    db_path, pdf = tmp_path / "store.sqlite3", tmp_path / "empty.pdf"
    with open_database(db_path) as database, database.session() as session:
        create_engagement(session, "Fresh", actor="tester", frameworks=("soc2",))
        summary = export_binder(session, "Fresh", pdf)
    reader = PdfReader(pdf)
    top = [title for depth, title, _ in _outline(reader) if depth == 0]
    assert top == [
        "1  Summary",
        "2  SOC 2 criteria",
        "3  Controls",
        "4  Scan history",
        "A  Evidence manifest",
    ]
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))
    assert "No scan has been recorded for this engagement." in text
    assert "Section 2 states criterion by criterion" in text
    automated = len(catalogue.automated_ids)
    assert text.count("No automated result is recorded for this control.") == automated
    assert text.count(MANUAL_CONTROL) == len(catalogue.controls) - automated
    assert summary.results == 0 and summary.scans == 0
    assert main(["verify", str(pdf)]) == 0


def test_sign_off_chain_is_reported_intact(standard: Built) -> None:
    assert "re-checking the chain at export found it intact" in standard.words


def test_an_edited_sign_off_shows_as_a_broken_chain(tmp_path: Path, catalogue: Catalogue) -> None:
    from sqlalchemy import text

    def tamper(database: Database) -> None:
        with database.session() as session:
            session.execute(text("UPDATE sign_offs SET reviewer = 'Mallory'"))

    built = build(
        tmp_path, Spec(results_per_check=1, images=0, two_scans=False), catalogue, after=tamper
    )
    assert "The sign-off chain is broken." in built.words
    assert "Mallory" in built.words
