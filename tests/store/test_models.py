"""Model round trips through a real SQLite file: every kind of row, aware UTC back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from app.store.database import Database
from app.store.models import (
    Account,
    Attachment,
    AuditLogEntry,
    ControlState,
    Engagement,
    ResultRow,
    RiskException,
    Scan,
    SignOff,
)

PARIS = timezone(timedelta(hours=1))


def test_every_model_round_trips_with_aware_utc_datetimes(db: Database) -> None:
    started = datetime(2026, 11, 28, 11, 0, 0, 123456, tzinfo=PARIS)
    with db.session() as session:
        engagement = Engagement(
            name="Acme",
            client="Acme Ltd",
            frameworks=["iso27001", "soc2"],
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            regions=["eu-west-1"],
            settings={"max_open_prefix_v4": 16, "sensitive_buckets": ["payroll"]},
        )
        session.add(engagement)
        session.flush()
        scan = Scan(engagement_id=engagement.id, account_id="123456789012", started_at=started)
        scan.results.append(
            ResultRow(
                control_id="cloudtrail",
                check_id="multi-region-trail",
                region="global",
                resource="arn:aws:cloudtrail:us-east-1:123456789012:trail/org",
                status="PASS",
                evidence=[{"operation": "cloudtrail:DescribeTrails", "excerpt": {"é": "ü"}}],
            )
        )
        session.add_all(
            [
                scan,
                Account(
                    engagement_id=engagement.id, account_id="123456789012", sign_in={"kind": "sso"}
                ),
                ControlState(
                    engagement_id=engagement.id, control_id="backups", notes="Restore test in May"
                ),
                Attachment(
                    engagement_id=engagement.id,
                    control_id="backups",
                    original_name="restore.pdf",
                    size=3,
                    sha256="0" * 64,
                    content=b"\x00\xff\x10",
                ),
                RiskException(
                    engagement_id=engagement.id,
                    control_id="no-ssh",
                    justification="bastion until Q3",
                    approver="CTO",
                    expires_on=date(2027, 3, 31),
                ),
                SignOff(
                    engagement_id=engagement.id,
                    control_id="backups",
                    reviewer="Ana",
                    approved_hash="a" * 64,
                    record_hash="b" * 64,
                ),
                AuditLogEntry(engagement_id=engagement.id, action="test", detail={"n": 1}),
            ]
        )

    with db.session() as session:
        loaded = session.scalars(select(Engagement)).one()
        assert loaded.frameworks == ["iso27001", "soc2"]
        assert loaded.settings["sensitive_buckets"] == ["payroll"]
        assert loaded.period_end == date(2026, 12, 31)
        assert loaded.created_at.tzinfo is UTC
        scan = loaded.scans[0]
        assert scan.started_at == started  # same instant, microseconds kept
        assert scan.started_at.tzinfo is UTC
        assert scan.started_at.hour == 10  # stored and returned as UTC
        assert scan.finished_at is None
        assert scan.results[0].evidence[0]["excerpt"] == {"é": "ü"}
        assert loaded.accounts[0].sign_in == {"kind": "sso"}
        assert session.scalars(select(Attachment)).one().content == b"\x00\xff\x10"
        assert session.scalars(select(RiskException)).one().expires_on == date(2027, 3, 31)
        sign_off = session.scalars(select(SignOff)).one()
        assert sign_off.signed_at.tzinfo is UTC
        assert session.scalars(select(AuditLogEntry)).one().detail == {"n": 1}


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.session() as session:
        session.add(Engagement(name="Naive", created_at=datetime(2026, 1, 1)))
        session.flush()


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.session() as session:
        session.add(Scan(engagement_id=999, account_id="123456789012"))
        session.flush()


def test_deleting_an_engagement_cascades_but_keeps_the_audit_log(db: Database) -> None:
    with db.session() as session:
        engagement = Engagement(name="Gone")
        session.add(engagement)
        session.flush()
        session.add(ControlState(engagement_id=engagement.id, control_id="nacls"))
        session.add(AuditLogEntry(engagement_id=engagement.id, action="x"))
    with db.session() as session:
        session.delete(session.scalars(select(Engagement)).one())
    with db.session() as session:
        assert session.scalars(select(ControlState)).all() == []
        entry = session.scalars(select(AuditLogEntry)).one()
        assert entry.engagement_id is None
