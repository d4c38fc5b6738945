"""The binder read back: each automated control across the audit period (the ledger's
sentence), the coverage table, the overdue list, and which scans are embedded."""

from __future__ import annotations

from app.controls.catalogue import Catalogue
from app.services.ledger import build_ledger
from app.store.database import open_database
from app.store.engagements import engagement_named
from tests.report.conftest import Built


def test_each_automated_control_says_how_it_fared_across_the_period(
    standard: Built, catalogue: Catalogue
) -> None:
    words = standard.words
    with open_database(standard.db) as database, database.session() as session:
        ledger = build_ledger(session, engagement_named(session, "Acme 2026"))
    (account,) = ledger.accounts
    # The earlier of the two scans started the day before the period: not counted.
    assert account.coverage.scans == 1 and ledger.scans_outside_window == 1
    assert "1 complete scan(s) outside the audit period are not counted." in words
    for control_id in catalogue.automated_ids:
        found = account.control(control_id)
        assert found is not None
        assert found.sentence.startswith(("passed in the only scan", "did not pass"))
        assert f"Account {account.account_id}: {found.sentence}" in words, control_id
    assert words.count("Across the audit period") >= len(catalogue.automated_ids) + 1


def test_the_summary_has_the_coverage_table_and_what_is_overdue(standard: Built) -> None:
    words = standard.words
    assert "Account Scans First (UTC) Last (UTC) Longest gap Gaps" in words
    assert "Recurring evidence overdue on" in words
    assert "Every recurring evidence request due so far is answered." in words


def test_only_the_latest_scan_is_embedded_and_the_cover_says_so(standard: Built) -> None:
    words = standard.words
    assert "2 recorded; 1 embedded whole (the latest of each account)" in words
    assert "embedded" in words and "Earlier scans are counted in the period ledger" in words
