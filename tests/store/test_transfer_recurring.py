"""The engagement file carries recurring evidence (requests with their recurrence and due
date, each file's effective day); files from before import with none."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.recurrence import Recurrence
from app.services.recurring import add_own_request, evidence_schedule, set_request_recurrence
from app.store.attachments import add_attachment, attachments
from app.store.database import Database
from app.store.engagements import create_engagement
from app.store.errors import TransferError
from app.store.evidence_requests import evidence_requests
from app.store.transfer_export import export_engagement
from app.store.transfer_import import import_engagement
from tests.store.transfer_helpers import edited, laptop_store


@pytest.fixture
def exported(db: Database, tmp_path: Path) -> Path:
    with db.session() as session:
        engagement = create_engagement(
            session,
            "Acme 2026",
            actor="ana",
            period_start=date(2026, 6, 1),
            period_end=date(2026, 11, 30),
        )
        set_request_recurrence(
            session,
            engagement,
            "access-reviews",
            "access-review-record",
            Recurrence.QUARTERLY,
            due_on=date(2026, 9, 30),
            actor="ana",
        )
        add_own_request(
            session,
            engagement,
            "sg-inbound",
            title="Firewall rule review",
            recurrence=Recurrence.MONTHLY,
            due_on=date(2026, 6, 30),
            actor="ana",
        )
        add_attachment(
            session,
            engagement,
            "access-reviews",
            name="q3.csv",
            content=b"user,decision\n",
            actor="ana",
            evidence_item="access-review-record",
            effective_on=date(2026, 9, 30),
        )
        target = tmp_path / "acme.audit-binder"
        export_engagement(session, engagement, target, actor="ana")
    return target


def _requests(database: Database, name: str) -> list[tuple[str, str, str, date | None, str]]:
    with database.session() as session:
        from app.store.engagements import engagement_named

        engagement = engagement_named(session, name)
        return [
            (r.control_id, r.item_id, r.recurrence, r.due_on, r.title)
            for r in evidence_requests(session, engagement)
        ]


def test_recurring_evidence_round_trips(db: Database, exported: Path, tmp_path: Path) -> None:
    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, exported, actor="carol")
        (file,) = attachments(session, copy)
        assert file.effective_on == date(2026, 9, 30)
        review = evidence_schedule(session, copy).request("access-reviews", "access-review-record")
        assert review is not None
        assert [(o.due, o.answered) for o in review.occurrences][:2] == [
            (date(2026, 6, 30), False),
            (date(2026, 9, 30), True),
        ]
    assert _requests(laptop, "Acme 2026") == _requests(db, "Acme 2026")
    assert _requests(laptop, "Acme 2026") == [
        ("access-reviews", "access-review-record", "quarterly", date(2026, 9, 30), ""),
        (
            "sg-inbound",
            "own-firewall-rule-review",
            "monthly",
            date(2026, 6, 30),
            "Firewall rule review",
        ),
    ]
    laptop.close()


def test_a_file_from_before_recurring_evidence_imports_with_none(
    exported: Path, tmp_path: Path
) -> None:
    def older(manifest: dict[str, Any]) -> None:  # as format 3 wrote it
        manifest["format_version"] = 3
        manifest.pop("evidence_requests")
        for attachment in manifest["attachments"]:
            attachment.pop("effective_on")

    laptop = laptop_store(tmp_path)
    with laptop.session() as session:
        copy = import_engagement(session, edited(exported, tmp_path / "v3.zip", older), actor="c")
        assert evidence_requests(session, copy) == []
        assert [f.effective_on for f in attachments(session, copy)] == [None]
    laptop.close()


def test_a_request_listed_twice_imports_nothing(exported: Path, tmp_path: Path) -> None:
    def doubled(manifest: dict[str, Any]) -> None:
        manifest["evidence_requests"].append(manifest["evidence_requests"][0])

    laptop = laptop_store(tmp_path)
    with pytest.raises(TransferError, match="evidence request"), laptop.session() as session:
        import_engagement(session, edited(exported, tmp_path / "twice.zip", doubled), actor="c")
    laptop.close()
