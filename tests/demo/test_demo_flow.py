"""The headless demo end to end: fake AWS, scan, store, seed, binder. One run (~10-40 s),
which also shows where the demo keeps its database: in the user data folder, never
beside the user's own (`AUDIT_BINDER_DB`)."""

from __future__ import annotations

import os
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.cli import main
from app.controls.catalogue import load_catalogue
from app.controls.control_status import ControlStatus
from app.services.ledger import build_ledger
from app.services.recurring import evidence_schedule, overdue_evidence
from app.store.control_status import control_summaries
from app.store.database import open_database
from app.store.engagements import list_engagements
from app.store.models import Engagement, ResultRow, Scan
from app.store.signoffs import verify_chain

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("aws_managed_policies")]


def test_headless_demo_writes_a_demo_binder_naming_every_control(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The user's real database may sit in a shared folder: the demo's stays out of it.
    real = tmp_path / "team" / "audit-binder.sqlite3"
    monkeypatch.setenv("AUDIT_BINDER_DB", str(real))
    monkeypatch.delenv("AUDIT_BINDER_DEMO_DB", raising=False)
    demo_db = Path(os.environ["XDG_DATA_HOME"]) / "audit-binder" / "audit-binder-demo.sqlite3"
    # The user's own AWS settings must not steer the demo: their profile and an endpoint
    # where nothing listens (the demo would fail if it followed either).
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(
        "[profile client-prod]\nregion = eu-west-3\nendpoint_url = http://127.0.0.1:9\n"
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = not-a-secret\n"
    )
    before = config.read_bytes()
    monkeypatch.setenv("AWS_PROFILE", "client-prod")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    pdf = tmp_path / "out" / "binder.pdf"

    assert main(["demo", "--pdf", str(pdf)]) == 0

    out = capsys.readouterr().out
    assert str(pdf) in out
    assert f"demo database: {demo_db}" in out
    ids = load_catalogue().ids
    assert f"Controls ({len(ids)}):" in out
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    text = "\n".join(pages)
    assert [control for control in ids if control not in text] == []
    assert [n for n, page in enumerate(pages, 1) if "DEMO" not in page] == []
    # A finished Statement of Applicability: approved, no DRAFT, exclusions justified.
    words = re.sub(r"\s+", " ", text)
    assert "DRAFT" not in text
    assert "Approved: version 1 by Maya Ortiz (CEO)" in words
    assert "93 of 93 decided (3 excluded)" in words
    assert "Excluded: All software is written in-house by employed engineers" in words
    assert "Excluded: Northwind has no secure areas of its own" in words
    # Manual evidence on manual controls, some signed off.
    assert "information-security-policy-v3.md" in text and "security-training-log-2026.csv" in text

    # Nothing of the user's was changed: their AWS config, their environment, their DB.
    assert config.read_bytes() == before
    assert os.environ["AWS_PROFILE"] == "client-prod"
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert "AWS_ACCESS_KEY_ID" not in os.environ  # the demo's fake keys stayed in the demo
    assert demo_db.is_file()
    assert not real.parent.exists()  # nothing written beside the real database
    with open_database(demo_db) as db, db.session() as session:
        (engagement,) = list_engagements(session)
        assert engagement.is_demo
        # Today's scan, the one run against the fake account (the others are generated).
        complete = session.query(Scan).filter_by(state="complete")
        latest = complete.order_by(Scan.started_at.desc()).first()
        assert latest is not None
        rows = list(session.query(ResultRow).filter_by(scan_id=latest.id))
        statuses: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            statuses[row.control_id].add(row.status)
        # The scenario gives every automated control judging several resources compliant
        # and failing ones; the account-wide password policy is in the state a careful team
        # keeps it.
        automated = load_catalogue().automated_ids
        assert len(automated) == 17
        several = [c for c in automated if c != "password-policy"]
        expected = dict.fromkeys(several, True)
        assert {c: {"PASS", "FAIL"} <= statuses[c] for c in several} == expected
        assert statuses["password-policy"] == {"PASS"}
        # moto has no root MFA and no root row in its credential report (the demo note says so).
        assert statuses["root-account"] == {"PASS", "FAIL", "ERROR"}
        summaries = control_summaries(session, engagement, load_catalogue().controls)
        assert summaries["security-policies"].status == ControlStatus.SIGNED_OFF
        assert summaries["security-training"].status == ControlStatus.SIGNED_OFF
        assert summaries["access-reviews"].status == ControlStatus.EVIDENCE_MISSING
        # Signed off with its one failure (a stopped debug trail) accepted by EX-2.
        assert summaries["cloudtrail"].status == ControlStatus.SIGNED_OFF
        assert summaries["cloudtrail"].counts.excepted == 1
        assert summaries["cloudtrail"].check_status == ControlStatus.EXCEPTION
        # A note written after the backups sign-off makes it stale.
        assert summaries["backups"].status == ControlStatus.STALE
        # The exception accepts exactly the legacy bastion's group.
        assert summaries["no-ssh"].counts.excepted == 1
        assert summaries["backups"].attachments == 2
        # A control's status is the worst of its rows: FAIL over ERROR over PASS.
        assert summaries["root-account"].check_status == ControlStatus.FAILING
        assert summaries["password-policy"].check_status == ControlStatus.PASSING
        assert verify_chain(session, engagement).ok
        _history_and_recurring_evidence(session, engagement, words)


def _history_and_recurring_evidence(session: Session, engagement: Engagement, words: str) -> None:
    """A generated history across the period: password-policy failed for three weeks and
    was fixed; the quarterly access review misses the quarter before the last."""
    ledger = build_ledger(session, engagement)
    (account,) = ledger.accounts
    assert account.coverage.scans >= 30 and account.coverage.failed_scans == 2
    policy = account.control("password-policy")
    assert policy is not None
    (span,) = policy.spans
    assert span.fixed and span.failing_scans == 3
    assert policy.timeline[-1].status == ControlStatus.PASSING
    assert "fixed since" in policy.sentence
    overdue = overdue_evidence(session, engagement)
    assert [(i.control_id, i.item_id) for i in overdue] == [
        ("access-reviews", "access-review-record")
    ]
    review = evidence_schedule(session, engagement).request(
        "access-reviews", "access-review-record"
    )
    assert review is not None
    answered = [o.answered for o in review.occurrences if o.due <= review.as_of]
    assert answered == [False, True]
    # The binder says so in plain words.
    assert f"Account {account.account_id}: {policy.sentence}" in words
    assert "Recurring evidence overdue on" in words and "Overdue: due" in words
    assert "generated for the demo" in words


def test_demo_refuses_a_database_with_real_engagements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.sqlite3"
    with open_database(real) as db, db.session() as session:
        from app.store.engagements import create_engagement

        create_engagement(session, "Acme 2026", actor="me")
    before = real.read_bytes()

    assert main(["demo", "--db", str(real), "--pdf", str(tmp_path / "x.pdf")]) == 1

    assert "has real engagements" in capsys.readouterr().err
    assert real.read_bytes() == before
    with sqlite3.connect(real) as connection:
        assert connection.execute("SELECT name FROM engagements").fetchall() == [("Acme 2026",)]
    assert not (tmp_path / "x.pdf").exists()
