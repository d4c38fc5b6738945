"""`audit-binder evidence`: list requests with their due dates, set a recurrence, add a
request, attach with an effective day; refused changes change nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.store.attachments import attachments
from app.store.audit import audit_log
from app.store.database import open_database
from app.store.engagements import engagement_named, update_engagement
from tests.cli.helpers import make_database, one_clear_line, run_cli


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = make_database(tmp_path / "db.sqlite3", "Acme")
    with open_database(path) as database, database.session() as session:
        update_engagement(
            session,
            engagement_named(session, "Acme"),
            actor="qa",
            period_start=date(2026, 4, 1),
            period_end=date(2026, 12, 31),
        )
    return path


def _evidence(capsys: pytest.CaptureFixture[str], db: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(capsys, "evidence", "--engagement", "Acme", "--db", str(db), *extra)


def _log(db: Path) -> list[str]:
    with open_database(db) as database, database.session() as session:
        return [e.action for e in audit_log(session, engagement_named(session, "Acme"))]


def test_it_lists_due_dates_and_what_is_overdue(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = _evidence(capsys, db_path, "--as-of", "2026-12-05")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[0] == (
        "Acme: manual evidence as of 5 December 2026 (due dates count from 1 April 2026 to "
        "31 December 2026)"
    )
    assert (
        "  access-reviews/access-review-record: every quarter, next due 31 December 2026; 0 files"
        in lines
    )
    assert "      OVERDUE: due 30 June 2026, 158 days overdue" in lines
    assert "      OVERDUE: due 30 September 2026, 66 days overdue" in lines
    assert "  access-reviews/access-control-policy: once, no due date; 0 files" in lines
    assert lines[-1] == "Overdue: 3."  # two quarters and the half-yearly restore test
    due = _evidence(capsys, db_path, "--as-of", "2026-12-05", "--due")
    assert "access-control-policy" not in due.out and "access-review-record" in due.out


def test_set_recurrence_add_a_request_and_attach_with_an_effective_day(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = _evidence(
        capsys,
        db_path,
        "--set-recurrence", "access-reviews", "access-review-record", "half-yearly",
        "--due-on", "2026-09-30",
        "--add-request", "sg-inbound", "Firewall rule review", "monthly",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "Set access-reviews/access-review-record: every six months, next due" in ran.out
    assert "Added sg-inbound/own-firewall-rule-review: every month, next due" in ran.out
    review = tmp_path / "q3-review.csv"
    review.write_text("user,decision\nana,keep\n", encoding="utf-8")
    attached = _evidence(
        capsys,
        db_path,
        "--attach", str(review), "--control", "access-reviews",
        "--item", "access-review-record", "--effective", "2026-09-30",
        "--as-of", "2026-12-05",
    )  # fmt: skip
    assert attached.code == 0, attached.err
    assert (
        "Attached q3-review.csv to access-reviews/access-review-record, effective for 2026-09-30"
        in attached.out
    )
    assert "every six months, next due 31 March 2027; 1 file" in attached.out
    with open_database(db_path) as database, database.session() as session:
        (file,) = attachments(session, engagement_named(session, "Acme"))
        assert file.effective_on == date(2026, 9, 30)
    assert _log(db_path)[-3:] == ["evidence_request.set", "evidence_request.add", "attachment.add"]


def test_a_refused_change_changes_nothing(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _log(db_path)
    file = tmp_path / "x.csv"
    file.write_text("x\n", encoding="utf-8")
    ran = _evidence(
        capsys,
        db_path,
        "--set-recurrence", "access-reviews", "access-review-record", "yearly",
        "--attach", str(file), "--control", "access-reviews", "--item", "nope",
    )  # fmt: skip
    assert ran.code == 1
    one_clear_line(ran.err)
    assert "no evidence item 'nope'" in ran.err
    assert _log(db_path) == before


def test_remove_a_request_of_your_own_but_never_the_catalogues(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = _evidence(capsys, db_path, "--add-request", "sg-inbound", "Firewall review", "once")
    assert added.code == 0, added.err
    removed = _evidence(capsys, db_path, "--remove-request", "sg-inbound", "own-firewall-review")
    assert removed.code == 0, removed.err
    assert "Removed sg-inbound/own-firewall-review." in removed.out
    listing = removed.out.split("Removed sg-inbound/own-firewall-review.", 1)[1]
    assert "own-firewall-review" not in listing
    assert _log(db_path)[-2:] == ["evidence_request.add", "evidence_request.remove"]
    refused = _evidence(
        capsys, db_path, "--remove-request", "access-reviews", "access-review-record"
    )
    assert refused.code == 1
    one_clear_line(refused.err)
    assert "is the catalogue's request" in refused.err
    assert _log(db_path)[-1] == "evidence_request.remove"
